export type { Issue, Severity, Span } from './issue.js';
export type { Origin } from './origin.js';
export { formatOrigin } from './origin.js';
export type { MessageMeta, Transport, Direction } from './message-meta.js';
export type { RawMessage } from './raw-message.js';
export type { SipUri } from './sip-uri.js';
export type * from './headers.js';
export type { Sdp, SdpMedia, SdpCodec, MediaDirection, BodyPart } from './sdp.js';
export type { SipMessage } from './sip-message.js';
export type { MessageRecord } from './message-record.js';
export type { InputReport } from './input-report.js';
export type {
  AnalysisResult,
  CallOutcome,
  CallSummary,
  Finding,
  FindingSeverity,
  Generator,
  JsonValue,
  RegistrationState,
  RegistrationSummary,
} from './analysis.js';
