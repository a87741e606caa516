import { provisionalCodes, redirectionCodes, successCodes } from './status-1xx-3xx.js';
import { clientFailureCodes } from './status-4xx.js';
import { globalFailureCodes, serverFailureCodes } from './status-5xx-6xx.js';
import type { StatusEntry } from './types.js';
import { selectVendorNotes } from './vendor-notes.js';

function attachVendorNotes(entry: StatusEntry): StatusEntry {
  const notes = selectVendorNotes(entry.code);
  return notes.length === 0 ? entry : { ...entry, vendorNotes: [...entry.vendorNotes, ...notes] };
}

/** Freezes an entry and everything in it, so no caller can change the catalog for the others. */
function freezeDeep<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) freezeDeep(inner);
  }
  return value;
}

/** Every response code siplens explains, in numeric order: the IANA registry, the seed, and historic field codes. */
export const statusCodes: readonly StatusEntry[] = Object.freeze(
  [...provisionalCodes, ...successCodes, ...redirectionCodes, ...clientFailureCodes, ...serverFailureCodes, ...globalFailureCodes]
    .map((entry) => freezeDeep(attachVendorNotes(entry)))
    .sort((a, b) => a.code - b.code),
);

const byCode = new Map<number, StatusEntry>(statusCodes.map((entry) => [entry.code, entry]));

/** The catalog entry of `code`, or undefined when the catalog has none (see `describeStatus` for the fallback). */
export function lookupStatus(code: number): StatusEntry | undefined {
  return byCode.get(code);
}
