import type { Issue } from './issue.js';
import type { MessageMeta } from './message-meta.js';

/** One framed SIP message, not yet parsed: the output of framing, the input of parse. */
export interface RawMessage {
  readonly bytes: Uint8Array;
  readonly meta: MessageMeta;
  /** Defects found while framing (a truncated TCP stream, a log line that lost its end). */
  readonly issues: readonly Issue[];
}
