import type { MessageMeta } from './message-meta.js';
import type { SipMessage } from './sip-message.js';

/** A parsed message with where and when it was seen: what correlation, diagnosis and the reports work on. */
export interface MessageRecord {
  /** 0-based position in the whole input, in reading order; findings cite messages by it. */
  readonly index: number;
  readonly message: SipMessage;
  readonly meta: MessageMeta;
}
