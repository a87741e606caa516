// Public names of correlate/, re-exported by src/index.ts. Shared file: add export lines, never rewrite it whole.
export {};
export { createCorrelator } from './correlator.js';
export type { Correlator } from './correlator.js';
export { extractFacts } from './scan-facts.js';
export type { MessageFacts, ViaFacts, ContactFacts, ChallengeFacts, CredentialFacts, MediaFacts, SdpFacts, WarningFacts, ReasonFacts } from './facts.js';
export { computeTransactionKey, MAGIC_COOKIE } from './transaction-key.js';
export { viewCall } from './call-outcome.js';
export type { CallView } from './call-outcome.js';
export { classifyAddress, isPrivateAddress, hostOfAddress } from './address.js';
export type { AddressScope } from './address.js';
export type { Transaction, Dialog, Call, Registration, Subscription, Keepalive, Correlation } from './types.js';
export { LegTies, namedLeg } from './leg-ties.js';
