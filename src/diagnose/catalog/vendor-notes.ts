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

/** Where a vendor's devices show SIP codes and keep their SIP traces, from the vendor's own documents. */
export interface VendorGuide {
  readonly vendor: string;
  readonly vendorId: string;
  /** Places to look, in the order a field engineer would. */
  readonly whereToLook: readonly string[];
  readonly source: string;
}

export const vendorGuides: readonly VendorGuide[] = [
  {
    vendor: 'Clear-Com',
    vendorId: 'clear-com',
    whereToLook: [
      'E-IPA: the Monitoring window shows the SIP code of each account and call.',
      'LQ and E-IPA: download the Diagnostics Snapshot from the web UI and open var/log/sip in it; it holds the full SIP transactions, including the provider\'s Warning headers.',
      'IPA: the log sits inside tmp/sitara1.zip within the snapshot; a text editor needs that archive extracted first, while siplens reads the nested archive as it is.',
    ],
    source: CLEAR_COM_SEED_SOURCE,
  },
];

/** The guide of a vendor named in any spelling ("Clear-Com", "clearcom"), or undefined. */
export function lookupVendorGuide(vendor: string): VendorGuide | undefined {
  const wanted = vendor.toLowerCase().replace(/[^a-z0-9]+/g, '');
  return vendorGuides.find((g) => g.vendorId.replace(/[^a-z0-9]+/g, '') === wanted || g.vendor.toLowerCase().replace(/[^a-z0-9]+/g, '') === wanted);
}
