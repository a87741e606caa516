import type { SipMessage } from '../model/sip-message.js';

/** The top Via of a message, or one hop of its Via stack (RFC 3261 §20.42). */
export interface ViaFacts {
  readonly transport: string;
  readonly host: string;
  readonly port: number | undefined;
  readonly branch: string | undefined;
  readonly received: string | undefined;
  /** `null`: rport present without a value (RFC 3581 §3). */
  readonly rport: number | null | undefined;
}

export interface ContactFacts {
  readonly uri: string;
  readonly host: string | undefined;
  readonly port: number | undefined;
  readonly expires: number | undefined;
  readonly star: boolean;
}

export interface ChallengeFacts {
  readonly header: 'WWW-Authenticate' | 'Proxy-Authenticate';
  readonly scheme: string;
  readonly realm: string | undefined;
  readonly nonce: string | undefined;
  readonly stale: boolean;
  readonly algorithm: string | undefined;
}

export interface CredentialFacts {
  readonly header: 'Authorization' | 'Proxy-Authorization';
  readonly scheme: string;
  readonly username: string | undefined;
  readonly realm: string | undefined;
  readonly nonce: string | undefined;
  readonly hasResponse: boolean;
}

export interface MediaFacts {
  readonly type: string;
  readonly port: number;
  readonly protocol: string;
  /** `PCMU/8000`, `G729/8000`, `telephone-event/8000`, or the bare payload type where nothing names it. */
  readonly codecs: readonly string[];
  readonly connection: string | undefined;
  readonly direction: string | undefined;
  readonly crypto: boolean;
}

export interface SdpFacts {
  readonly connection: string | undefined;
  readonly media: readonly MediaFacts[];
}

export interface WarningFacts {
  readonly code: number;
  readonly agent: string;
  readonly text: string;
  readonly raw: string;
}

export interface ReasonFacts {
  readonly protocol: string;
  readonly cause: number | undefined;
  readonly text: string | undefined;
  readonly raw: string;
}

/**
 * What correlation and the rules need from one message, and nothing more: no raw bytes, no body, so that a capture of
 * hundreds of megabytes can be followed in bounded memory (the record itself is dropped by the caller).
 */
export interface MessageFacts {
  readonly index: number;
  /** Absolute time in ms since the epoch, or null. */
  readonly time: number | null;
  /** A time in ms for intervals: `time`, else the source's own clock, else null. */
  readonly at: number | null;
  readonly kind: 'request' | 'response';
  /** The request's method, or for a response the CSeq method. */
  readonly method: string;
  readonly requestUri: string | undefined;
  readonly status: number | undefined;
  readonly reason: string | undefined;
  readonly callId: string;
  readonly cseq: number;
  readonly cseqMethod: string;
  readonly fromUri: string | undefined;
  readonly fromTag: string | undefined;
  readonly toUri: string | undefined;
  readonly toTag: string | undefined;
  readonly src: string | undefined;
  readonly dst: string | undefined;
  readonly transport: string | undefined;
  readonly direction: 'in' | 'out' | undefined;
  /** The input this message was read from (a capture point). */
  readonly source: string;
  readonly via: readonly ViaFacts[];
  readonly viaCount: number;
  readonly contacts: readonly ContactFacts[];
  readonly expires: number | undefined;
  readonly minExpires: number | undefined;
  readonly retryAfter: number | undefined;
  readonly retryAfterText: string | undefined;
  readonly warnings: readonly WarningFacts[];
  readonly reasons: readonly ReasonFacts[];
  readonly challenges: readonly ChallengeFacts[];
  readonly credentials: readonly CredentialFacts[];
  readonly sdp: SdpFacts | undefined;
  readonly supported: readonly string[];
  readonly require: readonly string[];
  readonly unsupported: readonly string[];
  readonly minSe: number | undefined;
  readonly sessionExpires: number | undefined;
  readonly maxForwards: number | undefined;
  readonly rseq: number | undefined;
  readonly event: string | undefined;
  readonly subscriptionState: string | undefined;
  readonly agent: string | undefined;
  /** B2BUA and IMS correlation values: X-CID, X-Orig-Call-ID, P-Charging-Vector icid, Session-ID. */
  readonly correlation: readonly string[];
  /**
   * Codes of the defects that make the message break the SIP grammar where it matters (MESSAGE_DEFECTS), sorted:
   * a receiver may drop such a message or read it otherwise.
   */
  readonly defects: readonly string[];
}

/** Parser issue codes that count as defects of a message for diagnosis (error severity only). */
export const MESSAGE_DEFECTS: ReadonlySet<string> = new Set([
  'bad-start-line',
  'bad-content-length',
  'multiple-content-length',
  'truncated-body',
  'bad-via',
  'bad-cseq',
]);

/**
 * Values that repeat across messages (codec names) are kept once: one copy per distinct value instead of one string
 * per message. The table is dropped when it grows past its limit.
 */
const INTERN_LIMIT = 100_000;
let interned = new Map<string, string>();

function intern(value: string): string {
  const known = interned.get(value);
  if (known !== undefined) return known;
  if (interned.size >= INTERN_LIMIT) interned = new Map();
  interned.set(value, value);
  return value;
}

const EMPTY: readonly never[] = [];

function describeCodec(pt: number, name: string | undefined, rate: number | undefined): string {
  if (name === undefined) return intern(String(pt));
  return intern(rate === undefined ? name : `${name}/${rate}`);
}

/** The SDP facts of a message: its SDP body, or the SDP part of a multipart body. */
export function sdpFactsOf(message: SipMessage): SdpFacts | undefined {
  const ct = message.contentType;
  // Only look at bodies that can hold SDP: a missing Content-Type with a body is tried too (lenient senders).
  if (message.body.length === 0) return undefined;
  if (ct !== undefined && !(ct.type === 'application' && ct.subtype === 'sdp') && ct.type !== 'multipart') return undefined;
  const sdp = message.sdp;
  if (sdp === undefined) return undefined;
  return {
    connection: sdp.connection,
    media: sdp.media.map((m) => ({
      type: m.type,
      port: m.port,
      protocol: m.protocol,
      codecs:
        m.codecs.length > 0
          ? m.codecs.map((c) => describeCodec(c.payloadType, c.name, c.clockRate))
          : m.formats.slice(0, 32),
      connection: m.connection,
      direction: m.direction ?? sdp.direction,
      crypto: m.crypto || m.dtls,
    })),
  };
}

export function readIcid(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  const at = lower.indexOf('icid-value');
  if (at < 0) return undefined;
  let i = value.indexOf('=', at);
  if (i < 0) return undefined;
  i++;
  while (value[i] === ' ') i++;
  let end = i;
  if (value[i] === '"') {
    i++;
    end = value.indexOf('"', i);
    if (end < 0) end = value.length;
  } else {
    while (end < value.length && value[end] !== ';' && value[end] !== ' ') end++;
  }
  return value.slice(i, end) || undefined;
}

export function readCorrelation(message: SipMessage): string[] {
  const out: string[] = [];
  for (const name of ['X-CID', 'X-Orig-Call-ID', 'X-Call-ID', 'Session-ID']) {
    const v = message.header(name);
    if (v !== undefined && v !== '') out.push(`${name.toLowerCase()}:${v.split(';')[0]?.trim() ?? v}`);
  }
  const icid = readIcid(message.header('P-Charging-Vector'));
  if (icid !== undefined) out.push(`icid:${icid}`);
  return out;
}

/**
 * The URI and the tag of a From or To value (RFC 3261 §20.20, §20.39), scanned by hand: the typed accessor parses the
 * whole name-addr and its URI, which correlation does not need, on every message. Name-addr form: the URI is inside
 * `<>` (a quoted display name may hold `<`); addr-spec form: every `;` parameter belongs to the header (§20).
 */
export function scanNameAddr(value: string | undefined): { uri: string; tag: string | undefined } | undefined {
  if (value === undefined) return undefined;
  const n = value.length;
  let i = 0;
  let open = -1;
  let semi = -1;
  while (i < n) {
    const c = value.charCodeAt(i);
    if (c === 0x22) {
      // quoted-string: skip to the closing quote, honouring backslash escapes
      i++;
      while (i < n && value.charCodeAt(i) !== 0x22) i += value.charCodeAt(i) === 0x5c ? 2 : 1;
    } else if (c === 0x3c) {
      open = i;
      break;
    } else if (c === 0x3b && semi < 0) semi = i;
    i++;
  }
  let uri: string;
  let rest: number;
  if (open >= 0) {
    const close = value.indexOf('>', open + 1);
    uri = value.slice(open + 1, close < 0 ? n : close).trim();
    rest = close < 0 ? n : close + 1;
  } else {
    uri = value.slice(0, semi < 0 ? n : semi).trim();
    rest = semi < 0 ? n : semi;
  }
  let tag: string | undefined;
  let p = value.indexOf(';', rest);
  while (p >= 0 && tag === undefined) {
    const next = value.indexOf(';', p + 1);
    const param = value.slice(p + 1, next < 0 ? n : next);
    const eq = param.indexOf('=');
    if (eq >= 0 && param.slice(0, eq).trim().toLowerCase() === 'tag') tag = param.slice(eq + 1).trim();
    p = next;
  }
  return { uri, tag };
}

/** A comma-separated option-tag list (Supported, Require, Unsupported) split by hand: these headers are plain tokens. */
export function splitTokens(value: string | undefined): readonly string[] {
  if (value === undefined) return EMPTY;
  const out: string[] = [];
  for (const part of value.split(',')) {
    const t = part.trim();
    if (t !== '') out.push(t);
  }
  return out;
}


export function toChallenge(
  header: ChallengeFacts['header'],
  c: { scheme: string; realm?: string; nonce?: string; stale?: boolean; algorithm?: string },
): ChallengeFacts {
  return { header, scheme: c.scheme, realm: c.realm, nonce: c.nonce, stale: c.stale === true, algorithm: c.algorithm };
}

export function toCredentials(
  header: CredentialFacts['header'],
  c: { scheme: string; username?: string; realm?: string; nonce?: string; response?: string },
): CredentialFacts {
  return {
    header,
    scheme: c.scheme,
    username: c.username,
    realm: c.realm,
    nonce: c.nonce,
    hasResponse: c.response !== undefined && c.response !== '',
  };
}
