import { lookupStatus } from './status-codes.js';
import type { StatusContext, StatusEntry, StatusExplanation, VendorNote } from './types.js';
import { CatalogError } from './types.js';

/** The lowest and highest numbers a SIP status can have: three digits, first digit 1 to 6 (RFC 3261 §7.2, §21). */
export const MIN_STATUS = 100;
export const MAX_STATUS = 699;

/** Throws CatalogError('out-of-range') unless `code` is an integer from 100 to 699. */
export function assertStatusInRange(code: number): void {
  if (!Number.isInteger(code) || code < MIN_STATUS || code > MAX_STATUS) {
    throw new CatalogError(
      'out-of-range',
      `expected a SIP status code, an integer from ${MIN_STATUS} to ${MAX_STATUS}; got ${String(code)}`,
    );
  }
}

/** The meaning of `entry` as the answer to `method` (any case); the summary when no method is given. */
export function selectMeaning(entry: StatusEntry, method: string | undefined): string {
  if (method === undefined || method === '') return entry.summary;
  const upper = method.toUpperCase();
  if (upper === 'REGISTER') return entry.onRegister;
  if (upper === 'INVITE') return entry.onInvite;
  return entry.onMethod?.[upper] ?? entry.onOther;
}

function selectNotes(notes: readonly VendorNote[], vendor: string | undefined): readonly VendorNote[] {
  if (vendor === undefined || vendor === '') return notes;
  const wanted = normalizeVendor(vendor);
  return notes.filter((note) => note.vendorId === wanted || normalizeVendor(note.vendor) === wanted);
}

/** "Clear-Com", "clearcom" and "clear com" all name the same vendor. */
export function normalizeVendor(name: string): string {
  const letters = name.toLowerCase().replace(/[^a-z0-9]+/g, '');
  return letters === 'clearcom' ? 'clear-com' : letters;
}

function judgeFault(entry: StatusEntry, context: StatusContext): { isFault: boolean; faultReason: string } {
  switch (entry.fault) {
    case 'answer':
      return { isFault: false, faultReason: 'This is the called party\'s own answer (or their device\'s), not a failure of the system.' };
    case 'expected':
      if (context.afterCancel === false) {
        return {
          isFault: true,
          faultReason: 'No CANCEL or BYE was seen before it, so something else ended the request: find out what did.',
        };
      }
      return { isFault: false, faultReason: 'The request had been cancelled, so this answer is the expected end of it.' };
    case 'normal':
      if ((entry.code === 401 || entry.code === 407) && context.challengeNumber !== undefined && context.challengeNumber >= 2) {
        return {
          isFault: true,
          faultReason:
            'A second challenge after the client answered the first one means the server refused the credentials (or the nonce): check user name, password and realm.',
        };
      }
      if (entry.code === 401 || entry.code === 407) {
        return {
          isFault: false,
          faultReason: 'A first challenge is the normal start of digest authentication (RFC 3261 §22.2); the client answers it with credentials.',
        };
      }
      return { isFault: false, faultReason: entry.faultNote ?? 'Part of normal operation, not a failure.' };
    case 'fault': {
      const method = context.method?.toUpperCase();
      if (entry.code === 481 && (method === 'BYE' || method === 'CANCEL')) {
        // RFC 3261 §15.1.2, §9.2: a BYE or CANCEL that crosses the other side's own ending finds nothing to end.
        return {
          isFault: false,
          faultReason: `A ${method} that finds no call usually crossed the other side's own hang-up or final answer; harmless unless it repeats.`,
        };
      }
      const general = 'The request failed; the causes and checks below say where to look.';
      return { isFault: true, faultReason: entry.faultNote === undefined ? general : `${general} ${entry.faultNote}` };
    }
  }
}

/**
 * Explains `code` for the context it was met in. A code missing from the catalog but within 100..699 is explained
 * as the x00 of its class, as a client must treat it (RFC 3261 §8.1.3.2), and the answer says so.
 * Throws CatalogError('out-of-range') for anything that is not an integer from 100 to 699.
 */
export function describeStatus(code: number, context: StatusContext = {}): StatusExplanation {
  assertStatusInRange(code);
  const exact = lookupStatus(code);
  const entry = exact ?? lookupStatus(Math.floor(code / 100) * 100);
  // Every class has its x00 in the catalog; a test guards that.
  if (entry === undefined) throw new CatalogError('out-of-range', `the catalog has no entry for class ${Math.floor(code / 100)}xx`);
  const judged = judgeFault(entry, context);
  const base = {
    ...entry,
    vendorNotes: selectNotes(entry.vendorNotes, context.vendor),
    requested: code,
    meaning: selectMeaning(entry, context.method),
    isFault: judged.isFault,
    faultReason: judged.faultReason,
  };
  if (exact !== undefined) return base;
  return {
    ...base,
    fallbackFrom: code,
    fallbackNote: `${code} is not a registered SIP response code, so it is treated as ${entry.code} ${entry.reason}, the generic code of its class (RFC 3261 §8.1.3.2). Read its reason phrase and any Warning header for what the sender meant.`,
  };
}
