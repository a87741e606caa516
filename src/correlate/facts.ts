import type { MessageRecord } from '../model/message-record.js';
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
}

/** Via hops kept per message; long Via stacks (loops, torture tests) are cut here. */
const MAX_VIAS = 8;

const EMPTY: readonly never[] = [];

/**
 * Values that repeat across messages (addresses, Call-IDs, URIs, codec names) are kept once: one copy per distinct
 * value instead of one string tree per message. The table is dropped when it grows past its limit.
 */
const INTERN_LIMIT = 100_000;
let interned = new Map<string, string>();

function intern(value: string): string;
function intern(value: string | undefined): string | undefined;
function intern(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const known = interned.get(value);
  if (known !== undefined) return known;
  if (interned.size >= INTERN_LIMIT) interned = new Map();
  interned.set(value, value);
  return value;
}

function describeCodec(pt: number, name: string | undefined, rate: number | undefined): string {
  if (name === undefined) return intern(String(pt));
  return intern(rate === undefined ? name : `${name}/${rate}`);
}

function extractSdp(message: SipMessage): SdpFacts | undefined {
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

function readIcid(value: string | undefined): string | undefined {
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

function readCorrelation(message: SipMessage): string[] {
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
function splitTokens(value: string | undefined): readonly string[] {
  if (value === undefined) return EMPTY;
  const out: string[] = [];
  for (const part of value.split(',')) {
    const t = part.trim();
    if (t !== '') out.push(t);
  }
  return out;
}

function readInt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number.parseInt(value.trim(), 10);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Reads the compact facts of one message; never throws on a malformed message (missing parts stay undefined).
 * Typed accessors parse on first use, so only those a rule can need for this kind of message are touched: a
 * capture of a million messages pays for Contact, SDP or challenges only where they matter.
 */
export function extractFacts(record: MessageRecord): MessageFacts {
  const m = record.message;
  const meta = record.meta;
  const cseq = m.cseq;
  const from = scanNameAddr(m.header('From'));
  const to = scanNameAddr(m.header('To'));
  const vias = m.via;
  const isResponse = m.kind === 'response';
  const status = m.status;
  const method = (isResponse ? (cseq?.method ?? '') : (m.method ?? cseq?.method ?? '')).toUpperCase();
  const at = meta.time ?? (meta.clock !== undefined ? meta.clock * 1000 : null);
  const failure = isResponse && status !== undefined && status >= 300;
  const register = method === 'REGISTER';
  const invite = method === 'INVITE';
  const offerAnswer = invite || method === 'ACK' || method === 'UPDATE' || method === 'PRACK';
  // Contacts: bindings of REGISTER, the target of a 2xx to INVITE (ACK routing), and first-hop requests (NAT check).
  const wantContacts = register || (isResponse && invite && status !== undefined && status < 300) || (!isResponse && vias.length === 1);
  const hasWarning = m.header('Warning') !== undefined;
  const hasReason = m.header('Reason') !== undefined;
  const challenged = status === 401 || status === 407;
  const hasAuth = !isResponse && (m.header('Authorization') !== undefined || m.header('Proxy-Authorization') !== undefined);
  const retryText = failure || status === 503 ? m.header('Retry-After') : undefined;
  const retry = retryText === undefined ? undefined : m.retryAfter;
  const subscription = method === 'SUBSCRIBE' || method === 'NOTIFY';
  return {
    index: record.index,
    time: meta.time,
    at,
    kind: m.kind,
    method,
    requestUri: m.requestUri,
    status,
    reason: m.reason,
    callId: m.callId ?? '',
    cseq: cseq?.seq ?? -1,
    cseqMethod: (cseq?.method ?? method).toUpperCase(),
    fromUri: from?.uri,
    fromTag: from?.tag,
    toUri: to?.uri,
    toTag: to?.tag,
    src: intern(meta.src),
    dst: intern(meta.dst),
    transport: meta.transport,
    direction: meta.direction,
    source: meta.origin.path,
    // A response's own top Via is all a rule reads (received/rport); requests keep the path for loops and transports.
    via: vias.slice(0, isResponse ? 1 : MAX_VIAS).map((v) => ({
      transport: v.transport.toUpperCase(),
      host: intern(v.host),
      port: v.port,
      branch: v.branch,
      received: v.received,
      rport: v.rport,
    })),
    viaCount: vias.length,
    contacts: wantContacts
      ? m.contacts.slice(0, 8).map((c) => ({ uri: c.star ? '*' : c.uri.raw, host: c.uri.host, port: c.uri.port, expires: c.expires, star: c.star }))
      : EMPTY,
    expires: register || subscription ? m.expires : undefined,
    minExpires: status === 423 ? m.minExpires : undefined,
    retryAfter: retry?.seconds,
    retryAfterText: retry === undefined ? undefined : retryText,
    warnings: hasWarning ? m.warnings.map((w) => ({ code: w.code, agent: w.agent, text: w.text, raw: w.raw })) : EMPTY,
    reasons: hasReason ? m.reasons.map((r) => ({ protocol: r.protocol, cause: r.cause, text: r.text, raw: r.raw })) : EMPTY,
    challenges: challenged
      ? [
          ...m.wwwAuthenticate.map((c) => toChallenge('WWW-Authenticate', c)),
          ...m.proxyAuthenticate.map((c) => toChallenge('Proxy-Authenticate', c)),
        ]
      : EMPTY,
    credentials: hasAuth
      ? [
          ...m.authorization.map((c) => toCredentials('Authorization', c)),
          ...m.proxyAuthorization.map((c) => toCredentials('Proxy-Authorization', c)),
        ]
      : EMPTY,
    // The offer (INVITE, UPDATE), the answer of a 2xx, and the capabilities a 488/606 may carry: what media rules read.
    sdp:
      offerAnswer && m.body.length > 0 && (isResponse ? status !== undefined && ((status >= 200 && status < 300) || status === 488 || status === 606) : method !== 'ACK' && method !== 'PRACK')
        ? extractSdp(m)
        : undefined,
    supported: isResponse ? EMPTY : splitTokens(m.header('Supported')),
    require: splitTokens(m.header('Require')),
    unsupported: status === 420 ? splitTokens(m.header('Unsupported')) : EMPTY,
    minSe: status === 422 ? m.minSe : undefined,
    sessionExpires: offerAnswer && !isResponse && m.header('Session-Expires') !== undefined ? m.sessionExpires?.seconds : undefined,
    maxForwards: isResponse ? undefined : readInt(m.header('Max-Forwards')),
    rseq: undefined,
    event: subscription ? m.event?.package : undefined,
    subscriptionState: method === 'NOTIFY' && !isResponse ? m.subscriptionState?.state : undefined,
    agent: undefined,
    correlation: invite && !isResponse && to?.tag === undefined ? readCorrelation(m) : EMPTY,
  };
}

function toChallenge(
  header: ChallengeFacts['header'],
  c: { scheme: string; realm?: string; nonce?: string; stale?: boolean; algorithm?: string },
): ChallengeFacts {
  return { header, scheme: c.scheme, realm: c.realm, nonce: c.nonce, stale: c.stale === true, algorithm: c.algorithm };
}

function toCredentials(
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
