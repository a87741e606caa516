// The catalog's public names, re-exported by src/diagnose/index.ts.
export type {
  CatalogMatch,
  CodeStatus,
  Disagreement,
  FaultKind,
  Q850Class,
  Q850Entry,
  Q850ToSip,
  RetryAdvice,
  Sender,
  SipToQ850,
  StatusContext,
  StatusEntry,
  StatusExplanation,
  VendorNote,
  WarnCodeEntry,
} from './types.js';
export { CatalogError } from './types.js';
export { lookupStatus, statusCodes } from './status-codes.js';
export { describeStatus, MAX_STATUS, MIN_STATUS } from './describe-status.js';
export { describeWarning, lookupWarning, warnCodes } from './warn-codes.js';
export { describeQ850, q850Causes, q850ForSipStatus, Q850_REASON_NOTE, sipStatusForQ850 } from './q850-causes.js';
export { searchCatalog } from './search-catalog.js';
export { disagreements } from './disagreements.js';
export { lookupVendorGuide, vendorGuides, vendorNoteRows } from './vendor-notes.js';
export type { CodedVendorNote, VendorGuide } from './vendor-notes.js';
