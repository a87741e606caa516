import type { SipUri } from './sip-uri.js';

/** One header line as it stood in the message (after unfolding), with its raw bytes' position. */
export interface Header {
  /** The name as written (`v`, `VIA`, `Via`). */
  readonly name: string;
  /** The canonical long name (`Via`), compact forms expanded (RFC 3261 §7.3.3). */
  readonly canonical: string;
  /** The value with folding removed and surrounding white space trimmed. */
  readonly value: string;
  /** Byte offsets of the whole header line (name to end of value, folding included) in the message's raw bytes. */
  readonly start: number;
  readonly end: number;
}

export type Params = ReadonlyMap<string, string | null>;

/** RFC 3261 §20.42 */
export interface Via {
  readonly protocol: string; // "SIP/2.0"
  readonly transport: string; // "UDP", "TCP", "TLS", "WS", …
  readonly host: string;
  readonly port?: number;
  readonly branch?: string;
  readonly received?: string;
  /** `rport` present without a value is `null`; absent is undefined. */
  readonly rport?: number | null;
  readonly maddr?: string;
  readonly ttl?: number;
  readonly params: Params;
  readonly raw: string;
}

/** name-addr or addr-spec with parameters: From, To, Contact, Route, Record-Route, P-Asserted-Identity, … */
export interface NameAddr {
  readonly displayName?: string;
  readonly uri: SipUri;
  readonly params: Params;
  readonly raw: string;
}

export interface FromTo extends NameAddr {
  readonly tag?: string;
}

export interface Contact extends NameAddr {
  /** `Contact: *` (RFC 3261 §10.2.2, removing all bindings). */
  readonly star: boolean;
  readonly expires?: number;
  readonly q?: number;
}

/** RFC 3261 §20.16 */
export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

/** RFC 3261 §20.33 */
export interface RetryAfter {
  readonly seconds: number;
  readonly duration?: number;
  readonly comment?: string;
}

/** RFC 3261 §20.43: warn-code SP warn-agent SP warn-text */
export interface Warning {
  readonly code: number;
  readonly agent: string;
  readonly text: string;
  readonly raw: string;
}

/** RFC 3326 */
export interface Reason {
  /** `SIP`, `Q.850`, or another protocol token as written. */
  readonly protocol: string;
  readonly cause?: number;
  readonly text?: string;
  readonly params: Params;
  readonly raw: string;
}

/** WWW-Authenticate / Proxy-Authenticate, RFC 3261 §20.44, §20.27; RFC 7616 */
export interface Challenge {
  readonly scheme: string; // "Digest"
  readonly realm?: string;
  readonly nonce?: string;
  readonly opaque?: string;
  readonly stale?: boolean;
  readonly algorithm?: string;
  readonly qop?: readonly string[];
  readonly domain?: string;
  readonly params: Params;
  readonly raw: string;
}

/** Authorization / Proxy-Authorization, RFC 3261 §20.7, §20.28 */
export interface Credentials {
  readonly scheme: string;
  readonly username?: string;
  readonly realm?: string;
  readonly nonce?: string;
  readonly uri?: string;
  readonly response?: string;
  readonly algorithm?: string;
  readonly cnonce?: string;
  readonly opaque?: string;
  readonly qop?: string;
  readonly nc?: string;
  readonly params: Params;
  readonly raw: string;
}

export interface ContentType {
  readonly type: string; // lower-cased "application"
  readonly subtype: string; // lower-cased "sdp"
  readonly params: Params;
  readonly raw: string;
}

/** RFC 4028 */
export interface SessionExpires {
  readonly seconds: number;
  readonly refresher?: 'uac' | 'uas' | string;
}

/** RFC 3265 / RFC 6665 */
export interface EventHeader {
  readonly package: string;
  readonly id?: string;
  readonly params: Params;
}

export interface SubscriptionState {
  readonly state: string;
  readonly expires?: number;
  readonly reason?: string;
  readonly retryAfter?: number;
}

/** RFC 3329 Security-Server / Security-Client / Security-Verify */
export interface SecurityMechanism {
  readonly mechanism: string;
  readonly params: Params;
}

/** RFC 3262 */
export interface RAck {
  readonly rseq: number;
  readonly cseq: number;
  readonly method: string;
}
