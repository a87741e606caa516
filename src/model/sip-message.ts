import type {
  Challenge,
  Contact,
  ContentType,
  Credentials,
  CSeq,
  EventHeader,
  FromTo,
  Header,
  NameAddr,
  RAck,
  Reason,
  RetryAfter,
  SecurityMechanism,
  SessionExpires,
  SubscriptionState,
  Via,
  Warning,
} from './headers.js';
import type { Issue } from './issue.js';
import type { BodyPart, Sdp } from './sdp.js';
import type { SipUri } from './sip-uri.js';

/**
 * A parsed SIP message (RFC 3261 §7). The start line and the header index are read eagerly; every typed accessor
 * parses on first use and caches. Raw bytes stay beside the parsed values so a finding can quote exactly what was sent.
 * An accessor whose header is missing returns undefined (or an empty list); one whose header is malformed also adds
 * an issue to `issues`.
 */
export interface SipMessage {
  readonly kind: 'request' | 'response';
  /** Requests: the method token as written (`INVITE`, `FOO`). */
  readonly method?: string | undefined;
  /** Requests: the Request-URI exactly as written. */
  readonly requestUri?: string | undefined;
  /** Responses: the status code. */
  readonly status?: number | undefined;
  /** Responses: the reason phrase, possibly empty. */
  readonly reason?: string | undefined;
  readonly version: string;
  /** The start line as written (without its line end). */
  readonly startLine?: string;
  /** How the header lines end: `lf` for logs that dropped the CRs, `mixed` when both occur. */
  readonly lineEnds?: 'crlf' | 'lf' | 'mixed' | 'none';
  /** Byte offset of the body in `raw`. */
  readonly bodyOffset?: number;
  readonly raw: Uint8Array;
  readonly headers: readonly Header[];
  /** The body as framed (Content-Length honoured where it could be). */
  readonly body: Uint8Array;
  readonly issues: Issue[];

  /** First value of a header, by any of its names (`Via`, `v`), case-insensitive. */
  header(name: string): string | undefined;
  /** Every value of a header, comma-separated lists split (not inside quotes, `<>` or URIs), in order. */
  headerValues(name: string): string[];

  readonly parsedRequestUri: SipUri | undefined;
  readonly callId: string | undefined;
  readonly cseq: CSeq | undefined;
  readonly via: readonly Via[];
  readonly from: FromTo | undefined;
  readonly to: FromTo | undefined;
  readonly contacts: readonly Contact[];
  readonly maxForwards: number | undefined;
  readonly expires: number | undefined;
  readonly minExpires: number | undefined;
  readonly retryAfter: RetryAfter | undefined;
  readonly warnings: readonly Warning[];
  readonly reasons: readonly Reason[];
  readonly wwwAuthenticate: readonly Challenge[];
  readonly proxyAuthenticate: readonly Challenge[];
  readonly authorization: readonly Credentials[];
  readonly proxyAuthorization: readonly Credentials[];
  readonly routes: readonly NameAddr[];
  readonly recordRoutes: readonly NameAddr[];
  readonly contentType: ContentType | undefined;
  /** The Content-Length header's value, or undefined when absent or unreadable. */
  readonly contentLength: number | undefined;
  readonly supported: readonly string[];
  readonly require: readonly string[];
  readonly proxyRequire: readonly string[];
  readonly unsupported: readonly string[];
  readonly allow: readonly string[];
  readonly accept: readonly string[];
  readonly userAgent: string | undefined;
  readonly server: string | undefined;
  readonly sessionExpires: SessionExpires | undefined;
  readonly minSe: number | undefined;
  readonly pAssertedIdentity: readonly NameAddr[];
  readonly diversion: readonly NameAddr[];
  readonly historyInfo: readonly NameAddr[];
  readonly event: EventHeader | undefined;
  readonly subscriptionState: SubscriptionState | undefined;
  readonly securityServer: readonly SecurityMechanism[];
  readonly rseq: number | undefined;
  readonly rack: RAck | undefined;
  /** The session description, from the body or from an application/sdp part of a multipart body. */
  readonly sdp: Sdp | undefined;
  /** Parts of a multipart body (RFC 2046); empty for other bodies. */
  readonly parts: readonly BodyPart[];
}
