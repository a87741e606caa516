// Vendor notes, kept apart from the RFC facts and merged into the entries by code. Add a vendor by adding rows.
import type { VendorNote } from './types.js';

/** The seed document: Clear-Com's "SIP Error Codes" support article, as kept for this project. */
export const CLEAR_COM_SEED_SOURCE =
  'Clear-Com support article "SIP Error Codes" (project seed: /work/shared/seed/sip-error-codes.txt)';

/** A vendor note and the response code it belongs to. */
export interface CodedVendorNote extends VendorNote {
  readonly code: number;
}

export const vendorNoteRows: readonly CodedVendorNote[] = [
  {
    code: 404,
    vendor: 'Clear-Com',
    vendorId: 'clear-com',
    appliesTo: 'Avaya',
    note:
      'Avaya call servers have been seen answering a REGISTER with 404 although the server and the extension exist, because the extension is already bound to (reserved for) another device. Free the extension on the Avaya side or give the Clear-Com device its own station.',
    source: CLEAR_COM_SEED_SOURCE,
  },
  {
    code: 502,
    vendor: 'Clear-Com',
    vendorId: 'clear-com',
    note:
      'When the SIP provider is configured as a host name and the device cannot resolve it (no DNS server set, or a wrong one), the device reports 502. Check the DNS settings of the device, or enter the provider as an IP address to confirm.',
    source: CLEAR_COM_SEED_SOURCE,
  },
];

/** The notes of one code, in the order of `vendorNoteRows`. */
export function selectVendorNotes(code: number): VendorNote[] {
  return vendorNoteRows.filter((row) => row.code === code).map(({ code: _code, ...note }) => note);
}
