import type { StatusEntry } from './types.js';

/** The fields of an entry a data file writes; the class comes from the code and the rest have defaults. */
export type StatusSpec = Omit<StatusEntry, 'code' | 'reason' | 'class' | 'status' | 'iana' | 'rfc' | 'vendorNotes'> &
  Partial<Pick<StatusEntry, 'status' | 'iana' | 'rfc' | 'vendorNotes'>>;

/** Builds one catalog entry; defaults: current, registered at IANA, defined by RFC 3261, no vendor notes. */
export function defineStatus(code: number, reason: string, spec: StatusSpec): StatusEntry {
  const cls = Math.floor(code / 100);
  if (!Number.isInteger(code) || cls < 1 || cls > 6) throw new RangeError(`catalog data: ${code} is not a SIP status`);
  return {
    code,
    reason,
    class: cls as StatusEntry['class'],
    status: 'current',
    iana: true,
    rfc: 'RFC 3261',
    vendorNotes: [],
    ...spec,
  };
}
