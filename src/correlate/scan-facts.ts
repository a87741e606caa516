// The facts of one message read straight from its bytes: the hot path of `analyze`. The headers every message has
// (Via, From, To, Call-ID, CSeq, Max-Forwards, Expires) are read byte by byte where they take their usual shape and
// by the header grammars otherwise; headers that few messages carry (Warning, Reason, authentication, Contact, SDP)
// go through the typed accessors, so both paths give the same facts (`scan-facts.test.ts` checks it on every corpus
// message). Strings are made only for the values correlation keeps.
import type { Issue } from '../model/issue.js';
import type { MessageMeta } from '../model/message-meta.js';
import type { MessageRecord } from '../model/message-record.js';
import { decodeText, decodeValue } from '../parse/decode.js';
import {
  parseChallenge,
  parseContact,
  parseCredentials,
  parseCSeq,
  parseDeltaSeconds,
  parseEvent,
  parseReason,
  parseRetryAfter,
  parseSessionExpires,
  parseSubscriptionState,
  parseVia,
  parseWarning,
  splitList,
} from '../parse/header-grammar.js';
import { H, identifyHeaderName, identifyName, UNIDENTIFIED } from '../parse/header-names.js';
import { scanMessage } from '../parse/parse-message.js';
import { SipMessageImpl } from '../parse/sip-message-impl.js';
import type { MessageLayout } from '../parse/sip-message-impl.js';
import type {
  ChallengeFacts,
  ContactFacts,
  CredentialFacts,
  MessageFacts,
  ReasonFacts,
  SdpFacts,
  ViaFacts,
  WarningFacts,
} from './facts.js';
import { MESSAGE_DEFECTS, readIcid, scanNameAddr, sdpFactsOf, splitTokens, toChallenge, toCredentials } from './facts.js';

/** Via hops kept per message; long Via stacks (loops, torture tests) are cut here. */
const MAX_VIAS = 8;
const EMPTY: readonly never[] = Object.freeze([]);

/** The lower Via hops of a response: counted, not kept. */
const scratchVias: ViaFacts[] = [];
/** The hops read from the message being scanned, copied out at the end. */
const topVias: ViaFacts[] = [];

const METHODS = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'REGISTER', 'OPTIONS', 'PRACK', 'UPDATE', 'SUBSCRIBE', 'NOTIFY', 'REFER', 'MESSAGE', 'INFO', 'PUBLISH'];
const METHOD_BYTES = METHODS.map((m) => Uint8Array.from(m, (c) => c.charCodeAt(0)));
const TRANSPORTS = ['UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'WSS', 'TLS-SCTP', 'DTLS'];
const TRANSPORT_BYTES = TRANSPORTS.map((m) => Uint8Array.from(m, (c) => c.charCodeAt(0)));

/** The upper-case name in `names` that b[s, e) spells in any case, or undefined. */
function knownUpper(b: Uint8Array, s: number, e: number, names: readonly string[], bytes: readonly Uint8Array[]): string | undefined {
  const n = e - s;
  outer: for (let k = 0; k < bytes.length; k++) {
    const m = bytes[k]!;
    if (m.length !== n) continue;
    for (let j = 0; j < n; j++) {
      let c = b[s + j]!;
      if (c >= 0x61 && c <= 0x7a) c -= 0x20;
      if (c !== m[j]) continue outer;
    }
    return names[k];
  }
  return undefined;
}

function isWs(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** Where trimmedRange found the value: b[trS, trE). Read right after the call (the next call overwrites them). */
let trS = 0;
let trE = 0;

/**
 * The trimmed value range of header k of the index, into trS and trE; false when it is folded over lines (slow
 * path). Two numbers out rather than a pair: a pair per header read was 109 bytes of garbage per message.
 */
function trimmedRange(b: Uint8Array, idx: readonly number[], k: number): boolean {
  let s = idx[k + 3]!;
  let e = idx[k + 4]!;
  while (s < e && (b[s] === 0x20 || b[s] === 0x09)) s++;
  while (e > s && isWs(b[e - 1])) e--;
  for (let i = s; i < e; i++) if (b[i] === 0x0a) return false;
  trS = s;
  trE = e;
  return true;
}

function valueString(b: Uint8Array, idx: readonly number[], k: number): string {
  return trimmedRange(b, idx, k) ? decodeText(b, trS, trE) : decodeValue(b, idx[k + 3]!, idx[k + 4]!);
}

/** Pure decimal digits in b[s, e) as a number, or -1 (then the grammar decides). */
function digits(b: Uint8Array, s: number, e: number, max: number): number {
  if (s >= e || e - s > max) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

/** What readNameAddr found: the URI and the tag of a From or To value. */
let naUri: string | undefined;
let naTag: string | undefined;

function isTrim(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
}

/**
 * The URI and tag of From or To header k (RFC 3261 §20.20, §20.39), into naUri and naTag: scanNameAddr (facts.ts)
 * done on the bytes, which is the same reading for ASCII values; folded or non-ASCII values go through the string.
 */
function readNameAddr(b: Uint8Array, idx: readonly number[], k: number): void {
  naUri = undefined;
  naTag = undefined;
  if (k < 0) return;
  const folded = !trimmedRange(b, idx, k);
  const s = trS;
  const n = trE;
  let ascii = !folded;
  if (!folded) for (let i = s; i < n && ascii; i++) if (b[i]! >= 0x80) ascii = false;
  if (folded || !ascii) {
    const na = scanNameAddr(decodeValue(b, idx[k + 3]!, idx[k + 4]!));
    naUri = na?.uri;
    naTag = na?.tag;
    return;
  }
  let i = s;
  let open = -1;
  let semi = -1;
  while (i < n) {
    const c = b[i]!;
    if (c === 0x22) {
      i++;
      while (i < n && b[i] !== 0x22) i += b[i] === 0x5c ? 2 : 1;
    } else if (c === 0x3c) {
      open = i;
      break;
    } else if (c === 0x3b && semi < 0) semi = i;
    i++;
  }
  let us: number;
  let ue: number;
  let rest: number;
  if (open >= 0) {
    let close = -1;
    for (let j = open + 1; j < n; j++) {
      if (b[j] === 0x3e) {
        close = j;
        break;
      }
    }
    us = open + 1;
    ue = close < 0 ? n : close;
    rest = close < 0 ? n : close + 1;
  } else {
    us = s;
    ue = semi < 0 ? n : semi;
    rest = ue;
  }
  while (us < ue && isTrim(b[us]!)) us++;
  while (ue > us && isTrim(b[ue - 1]!)) ue--;
  naUri = decodeText(b, us, ue);
  // Header parameters after the URI: the first `tag` wins; names compare without case and white space.
  let p = rest;
  while (p < n && b[p] !== 0x3b) p++;
  while (p < n) {
    let next = p + 1;
    while (next < n && b[next] !== 0x3b) next++;
    let eq = -1;
    for (let j = p + 1; j < next; j++) {
      if (b[j] === 0x3d) {
        eq = j;
        break;
      }
    }
    if (eq >= 0) {
      let ns = p + 1;
      let ne = eq;
      while (ns < ne && isTrim(b[ns]!)) ns++;
      while (ne > ns && isTrim(b[ne - 1]!)) ne--;
      if (ne - ns === 3 && (b[ns]! | 0x20) === 0x74 && (b[ns + 1]! | 0x20) === 0x61 && (b[ns + 2]! | 0x20) === 0x67) {
        let vs = eq + 1;
        let ve = next;
        while (vs < ve && isTrim(b[vs]!)) vs++;
        while (ve > vs && isTrim(b[ve - 1]!)) ve--;
        naTag = decodeText(b, vs, ve);
        return;
      }
    }
    p = next;
  }
}

const TOKEN = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;
for (const ch of "-.!%*_+`'~") TOKEN[ch.charCodeAt(0)] = 1;

/** Host bytes of a Via sent-by: a name or IPv4 address (IPv6 in brackets is handled apart). */
function isHostByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x2e || c === 0x2d || c === 0x5f;
}

/**
 * One Via value in its usual shape, `SIP/2.0/UDP host[:port][;param[=value]]*` with no white space but the one after
 * the transport and no quotes: read from the bytes. Anything else returns null and goes to parseVia.
 */
function fastVia(b: Uint8Array, s: number, e: number): ViaFacts | null {
  // "SIP/2.0/"
  if (e - s < 12) return null;
  if (
    (b[s]! | 0x20) !== 0x73 || (b[s + 1]! | 0x20) !== 0x69 || (b[s + 2]! | 0x20) !== 0x70 || b[s + 3] !== 0x2f ||
    b[s + 4] !== 0x32 || b[s + 5] !== 0x2e || b[s + 6] !== 0x30 || b[s + 7] !== 0x2f
  ) {
    return null;
  }
  let i = s + 8;
  const ts = i;
  while (i < e && TOKEN[b[i]!] === 1) i++;
  const transport = knownUpper(b, ts, i, TRANSPORTS, TRANSPORT_BYTES);
  if (transport === undefined || i >= e || (b[i] !== 0x20 && b[i] !== 0x09)) return null;
  while (i < e && (b[i] === 0x20 || b[i] === 0x09)) i++;
  let host: string;
  if (b[i] === 0x5b) {
    const hs = i + 1;
    while (i < e && b[i] !== 0x5d) i++;
    if (i >= e) return null;
    host = decodeText(b, hs, i);
    i++;
  } else {
    const hs = i;
    while (i < e && isHostByte(b[i]!)) i++;
    if (i === hs) return null;
    host = decodeText(b, hs, i);
  }
  let port: number | undefined;
  if (b[i] === 0x3a) {
    const ps = ++i;
    while (i < e && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
    const p = digits(b, ps, i, 5);
    if (p < 0 || p > 65535) return null;
    port = p;
  }
  let branch: string | undefined;
  let received: string | undefined;
  let rport: number | null | undefined;
  while (i < e) {
    if (b[i] !== 0x3b) return null;
    const ns = ++i;
    while (i < e && TOKEN[b[i]!] === 1) i++;
    const ne = i;
    if (ne === ns) return null;
    let vs = -1;
    let ve = -1;
    if (b[i] === 0x3d) {
      vs = ++i;
      // token, host (IPv4, names) or an IPv6 reference: no quotes, no white space, no ';'
      while (i < e && b[i] !== 0x3b) {
        const c = b[i]!;
        if (c <= 0x20 || c === 0x22 || c === 0x2c || c >= 0x7f) return null;
        i++;
      }
      ve = i;
    } else if (i < e && b[i] !== 0x3b) return null;
    const n = ne - ns;
    // parseParams lower-cases names and keeps the last of a repeated one.
    if (n === 6 && isName(b, ns, 'branch')) branch = vs < 0 ? undefined : decodeText(b, vs, ve);
    else if (n === 8 && isName(b, ns, 'received')) received = vs < 0 ? undefined : decodeText(b, vs, ve);
    else if (n === 5 && isName(b, ns, 'rport')) rport = vs < 0 ? null : Number(decodeText(b, vs, ve));
  }
  return { transport, host, port, branch, received, rport };
}

function isName(b: Uint8Array, s: number, lower: string): boolean {
  for (let j = 0; j < lower.length; j++) {
    let c = b[s + j]!;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower.charCodeAt(j)) return false;
  }
  return true;
}

/** The Via hops of header k, by the fast path where it fits, else split and parsed as the accessor does. */
function readVias(b: Uint8Array, idx: readonly number[], k: number, out: ViaFacts[]): number {
  if (trimmedRange(b, idx, k)) {
    const s = trS;
    const e = trE;
    let comma = false;
    for (let i = s; i < e; i++) {
      if (b[i] === 0x2c || b[i] === 0x22) {
        comma = true;
        break;
      }
    }
    if (!comma) {
      const v = fastVia(b, s, e);
      if (v !== null) {
        out.push(v);
        return 1;
      }
    }
  }
  let n = 0;
  for (const item of splitList(decodeValue(b, idx[k + 3]!, idx[k + 4]!))) {
    const p = parseVia(item);
    if (!p.ok) {
      viaFailed = true;
      continue;
    }
    const v = p.value;
    out.push({
      transport: v.transport,
      host: v.host,
      port: v.port,
      branch: v.branch,
      received: v.received,
      rport: v.rport,
    });
    n++;
  }
  return n;
}

/** A header value read by a grammar: undefined when the header is absent or its value does not parse. */
function single<T>(b: Uint8Array, idx: readonly number[], k: number, parse: (v: string) => { ok: true; value: T } | { ok: false }): T | undefined {
  if (k < 0) return undefined;
  const r = parse(decodeValue(b, idx[k + 3]!, idx[k + 4]!));
  return r.ok ? r.value : undefined;
}

/** Every item of every header with this id, as the typed accessors list them (lists split unless `split` is false). */
function listOf<T>(b: Uint8Array, idx: readonly number[], id: number, parse: (v: string) => { ok: true; value: T } | { ok: false }, split = true): T[] {
  const out: T[] = [];
  for (let k = 0; k < idx.length; k += 5) {
    if (idx[k] !== id) continue;
    const v = decodeValue(b, idx[k + 3]!, idx[k + 4]!);
    for (const item of split ? splitList(v) : [v]) {
      const r = parse(item);
      if (r.ok) out.push(r.value);
    }
  }
  return out;
}

/**
 * One Contact value in its usual shape, `*` or `<sip:user@host[:port][;uri-params]>[;param=value]*` with no white
 * space, quotes or commas: read by hand. Anything else returns null and goes to parseContact.
 */
function fastContact(b: Uint8Array, s: number, e: number): ContactFacts | null {
  if (e - s === 1 && b[s] === 0x2a) return { uri: '*', host: undefined, port: undefined, expires: undefined, star: true };
  if (b[s] !== 0x3c) return null;
  let gt = -1;
  for (let i = s + 1; i < e; i++) {
    const c = b[i]!;
    if (c === 0x3e) {
      gt = i;
      break;
    }
    if (c <= 0x20 || c === 0x22 || c === 0x2c || c === 0x3f || c === 0x5b || c >= 0x7f) return null;
  }
  if (gt < 0) return null;
  const us = s + 1;
  let i = us;
  // scheme: sip or sips, any case
  if ((b[i]! | 0x20) !== 0x73 || (b[i + 1]! | 0x20) !== 0x69 || (b[i + 2]! | 0x20) !== 0x70) return null;
  i += 3;
  if ((b[i]! | 0x20) === 0x73) i++;
  if (b[i] !== 0x3a) return null;
  i++;
  // userinfo ends at the last '@' before '>'
  let at = -1;
  for (let j = i; j < gt; j++) if (b[j] === 0x40) at = j;
  if (at >= 0) {
    if (at === i) return null;
    i = at + 1;
  }
  const hs = i;
  while (i < gt && isHostByte(b[i]!)) i++;
  if (i === hs) return null;
  const he = i;
  let port: number | undefined;
  if (b[i] === 0x3a) {
    const ps = ++i;
    while (i < gt && b[i] !== 0x3b) i++;
    const p = digits(b, ps, i, 5);
    if (p < 0 || p > 65535) return null;
    port = p;
  }
  if (i < gt && b[i] !== 0x3b) return null;
  let expires: number | undefined;
  i = gt + 1;
  while (i < e) {
    if (b[i] !== 0x3b) return null;
    const ns = ++i;
    while (i < e && TOKEN[b[i]!] === 1) i++;
    const ne = i;
    if (ne === ns) return null;
    let vs = -1;
    if (b[i] === 0x3d) {
      vs = ++i;
      while (i < e && b[i] !== 0x3b) {
        const c = b[i]!;
        if (c <= 0x20 || c === 0x22 || c === 0x2c || c >= 0x7f) return null;
        i++;
      }
    } else if (i < e && b[i] !== 0x3b) return null;
    if (ne - ns === 7 && isName(b, ns, 'expires')) {
      // paramNumber: only an all-digits value counts; the last one written wins.
      const v = vs < 0 ? -1 : digits(b, vs, i, 15);
      expires = v < 0 ? undefined : v;
    }
  }
  return { uri: decodeText(b, us, gt), host: decodeText(b, hs, he), port, expires, star: false };
}

function readContacts(b: Uint8Array, idx: readonly number[]): readonly ContactFacts[] {
  const out: ContactFacts[] = [];
  for (let k = 0; k < idx.length; k += 5) {
    if (idx[k] !== H.contact) continue;
    const c = trimmedRange(b, idx, k) ? fastContact(b, trS, trE) : null;
    if (c === null) return slowContacts(b, idx);
    out.push(c);
  }
  return out.length > 8 ? out.slice(0, 8) : out;
}

function slowContacts(b: Uint8Array, idx: readonly number[]): readonly ContactFacts[] {
  return listOf(b, idx, H.contact, parseContact)
    .slice(0, 8)
    .map((c) => ({ uri: c.star ? '*' : c.uri.raw, host: c.uri.host, port: c.uri.port, expires: c.expires, star: c.star }));
}

/** Header names B2BUAs carry the other leg's Call-ID in, in the order readCorrelation reads them. */
const CORRELATION_NAMES = ['X-CID', 'X-Orig-Call-ID', 'X-Call-ID'];

function nameIs(b: Uint8Array, s: number, e: number, name: string): boolean {
  if (e - s !== name.length) return false;
  for (let j = 0; j < name.length; j++) {
    let c = b[s + j]!;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    let d = name.charCodeAt(j);
    if (d >= 0x41 && d <= 0x5a) d |= 0x20;
    if (c !== d) return false;
  }
  return true;
}

/** readCorrelation (facts.ts) over the header index: X-CID and kin, Session-ID, the icid of P-Charging-Vector. */
function correlationOf(b: Uint8Array, idx: readonly number[]): readonly string[] {
  let out: string[] | undefined;
  const add = (name: string, k: number): void => {
    const v = decodeValue(b, idx[k + 3]!, idx[k + 4]!);
    if (v === '') return;
    (out ??= []).push(`${name.toLowerCase()}:${v.split(';')[0]?.trim() ?? v}`);
  };
  for (const name of CORRELATION_NAMES) {
    for (let k = 0; k < idx.length; k += 5) {
      if (idx[k] === 0 && nameIs(b, idx[k + 1]!, idx[k + 2]!, name)) {
        add(name, k);
        break;
      }
    }
  }
  const sessionId = firstOf(idx, H_SESSION_ID);
  if (sessionId >= 0) add('Session-ID', sessionId);
  const pcv = firstOf(idx, H_CHARGING_VECTOR);
  if (pcv >= 0) {
    const icid = readIcid(decodeValue(b, idx[pcv + 3]!, idx[pcv + 4]!));
    if (icid !== undefined) (out ??= []).push(`icid:${icid}`);
  }
  return out ?? EMPTY;
}

function firstOf(idx: readonly number[], id: number): number {
  for (let k = 0; k < idx.length; k += 5) if (idx[k] === id) return k;
  return -1;
}

const H_SESSION_ID = identifyName('Session-ID');
const H_CHARGING_VECTOR = identifyName('P-Charging-Vector');

/** Where the body ends: Content-Length honoured where it fits (RFC 3261 §18.3), as SipMessageImpl frames it. */
function bodyEndOf(b: Uint8Array, l: MessageLayout): number {
  const k = l.contentLengthAt;
  const end = b.length;
  if (k < 0) return end;
  const idx = l.index;
  const cl = trimmedRange(b, idx, k) ? digits(b, trS, trE, 10) : -1;
  if (cl < 0) return end;
  return cl < end - l.bodyStart ? l.bodyStart + cl : end;
}

/** `application/sdp` (any case, parameters allowed): 1; `multipart/…`: 2; anything else or unreadable: 0. */
function bodyKind(b: Uint8Array, idx: readonly number[], k: number): 0 | 1 | 2 {
  if (!trimmedRange(b, idx, k)) return 2; // folded: let the grammar decide
  const s = trS;
  const e = trE;
  if (e - s >= 15 && nameIs(b, s, s + 15, 'application/sdp')) {
    let i = s + 15;
    while (i < e && (b[i] === 0x20 || b[i] === 0x09)) i++;
    return i === e || b[i] === 0x3b ? 1 : 2;
  }
  if (e - s >= 10 && nameIs(b, s, s + 10, 'multipart/')) return 2;
  return 0;
}

interface MediaDraft {
  type: string;
  port: number;
  protocol: string;
  /** The format tokens of the m= line: [start, end) pairs into the body. */
  formats: number[];
  connection: string | undefined;
  direction: string | undefined;
  crypto: boolean;
  dtls: boolean;
  /** rtpmap lines: payload-type token [start, end) and value [start, end), four numbers each; later ones win. */
  rtpmap: number[];
}

/** The end of the token starting at i (at the next space or the line end). */
function tokenEnd(b: Uint8Array, i: number, e: number): number {
  while (i < e && b[i] !== 0x20) i++;
  return i;
}

function sameBytes(b: Uint8Array, s1: number, e1: number, s2: number, e2: number): boolean {
  if (e1 - s1 !== e2 - s2) return false;
  for (let k = 0; k < e1 - s1; k++) if (b[s1 + k] !== b[s2 + k]) return false;
  return true;
}

/**
 * The SDP facts of an SDP body in b[s, e), read line by line as parseSdp reads it (RFC 8866 §5): connection
 * addresses, media lines, rtpmap names, direction attributes, SDES crypto and DTLS fingerprints. Only the values the
 * facts keep become strings.
 */
export function scanSdpFacts(b: Uint8Array, s: number, e: number): SdpFacts {
  let sessionConnection: string | undefined;
  let sessionDirection: string | undefined;
  let sessionDtls = false;
  const media: MediaDraft[] = [];
  let cur: MediaDraft | undefined;
  let pos = s;
  while (pos < e) {
    let lf = pos;
    while (lf < e && b[lf] !== 0x0a) lf++;
    let le = lf;
    if (le > pos && b[le - 1] === 0x0d) le--;
    const ls = pos;
    pos = lf + 1;
    if (le - ls < 2 || b[ls + 1] !== 0x3d) continue;
    const type = b[ls];
    const vs = ls + 2;
    if (type === 0x63 /* c */) {
      // c=<nettype> <addrtype> <connection-address>: the third field split at single spaces, else the whole value.
      const a = tokenEnd(b, vs, le);
      const c = a < le ? tokenEnd(b, a + 1, le) : le;
      const addr = c < le ? decodeText(b, c + 1, tokenEnd(b, c + 1, le)) : decodeText(b, vs, le);
      if (cur) cur.connection = addr;
      else sessionConnection = addr;
    } else if (type === 0x6d /* m */) {
      // m=<media> <port>[/<number of ports>] <proto> <fmt> … (RFC 8866 §5.14); runs of spaces separate nothing.
      const fields: number[] = [];
      let i = vs;
      while (i < le) {
        while (i < le && b[i] === 0x20) i++;
        if (i >= le) break;
        const t = tokenEnd(b, i, le);
        fields.push(i, t);
        i = t;
      }
      let port = 0;
      if (fields.length >= 4) {
        let pe = fields[3]!;
        for (let k = fields[2]!; k < pe; k++) {
          if (b[k] === 0x2f) {
            pe = k;
            break;
          }
        }
        const n = Number(decodeText(b, fields[2]!, pe));
        port = Number.isInteger(n) ? n : 0;
      }
      cur = {
        type: fields.length >= 2 ? decodeText(b, fields[0]!, fields[1]!) : '',
        port,
        protocol: fields.length >= 6 ? decodeText(b, fields[4]!, fields[5]!) : '',
        formats: fields.slice(6),
        connection: undefined,
        direction: undefined,
        crypto: false,
        dtls: false,
        rtpmap: [],
      };
      media.push(cur);
    } else if (type === 0x61 /* a */) {
      let ne = vs;
      while (ne < le && b[ne] !== 0x3a) ne++;
      const n = ne - vs;
      if (n === 8 && (isExact(b, vs, 'sendrecv') || isExact(b, vs, 'sendonly') || isExact(b, vs, 'recvonly') || isExact(b, vs, 'inactive'))) {
        const d = decodeText(b, vs, ne);
        if (cur) cur.direction = d;
        else sessionDirection = d;
      } else if (n === 11 && isExact(b, vs, 'fingerprint')) {
        if (cur) cur.dtls = true;
        else sessionDtls = true;
      } else if (cur !== undefined && n === 6 && isExact(b, vs, 'crypto')) {
        cur.crypto = true;
      } else if (cur !== undefined && n === 6 && isExact(b, vs, 'rtpmap') && ne < le) {
        // a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>] (RFC 8866 §6.6)
        const ks = ne + 1;
        const sp = tokenEnd(b, ks, le);
        if (sp > ks && sp < le) {
          let ms = sp + 1;
          let me = le;
          while (ms < me && isTrim(b[ms]!)) ms++;
          while (me > ms && isTrim(b[me - 1]!)) me--;
          cur.rtpmap.push(ks, sp, ms, me);
        }
      }
    }
  }
  const out: SdpFacts['media'][number][] = [];
  for (const m of media) {
    const codecs: string[] = [];
    if (m.protocol.toUpperCase().includes('RTP')) {
      const f = m.formats;
      for (let k = 0; k < f.length; k += 2) {
        const fs = f[k]!;
        const fe = f[k + 1]!;
        const pt = Number(decodeText(b, fs, fe));
        if (!Number.isInteger(pt)) continue;
        let map = -1;
        const r = m.rtpmap;
        for (let q = 0; q < r.length; q += 4) if (sameBytes(b, r[q]!, r[q + 1]!, fs, fe)) map = q;
        codecs.push(map < 0 ? staticCodec(pt) : mappedCodec(b, r[map + 2]!, r[map + 3]!));
      }
    }
    let formats: string[] | undefined;
    if (codecs.length === 0) {
      formats = [];
      for (let k = 0; k < m.formats.length && k < 64; k += 2) formats.push(decodeText(b, m.formats[k]!, m.formats[k + 1]!));
    }
    out.push({
      type: m.type,
      port: m.port,
      protocol: m.protocol,
      codecs: formats ?? codecs,
      connection: m.connection ?? sessionConnection,
      direction: m.direction ?? sessionDirection,
      crypto: m.crypto || m.dtls || sessionDtls,
    });
  }
  return { connection: sessionConnection, media: out };
}

/** Attribute names compare as written: parseSdp matches them exactly. */
function isExact(b: Uint8Array, s: number, name: string): boolean {
  for (let j = 0; j < name.length; j++) if (b[s + j] !== name.charCodeAt(j)) return false;
  return true;
}

const codecNames = new Map<string, string>();

function internCodec(value: string): string {
  const known = codecNames.get(value);
  if (known !== undefined) return known;
  if (codecNames.size > 4096) codecNames.clear();
  codecNames.set(value, value);
  return value;
}

/** A codec named by an rtpmap value in b[s, e), `name/rate[/channels]`, as describeCodec names it. */
function mappedCodec(b: Uint8Array, s: number, e: number): string {
  let slash = s;
  while (slash < e && b[slash] !== 0x2f) slash++;
  if (slash >= e) return internCodec(decodeText(b, s, e));
  let re = slash + 1;
  while (re < e && b[re] !== 0x2f) re++;
  const rate = digits(b, slash + 1, re, 15);
  if (rate < 0) return internCodec(decodeText(b, s, slash));
  // Written without leading zeros the text is already `name/rate`; otherwise the number is written anew.
  if (b[slash + 1] !== 0x30 || re - slash === 2) return internCodec(decodeText(b, s, re));
  return internCodec(`${decodeText(b, s, slash)}/${rate}`);
}

function staticCodec(pt: number): string {
  return internCodec(STATIC_CODECS[pt] ?? String(pt));
}

/** RFC 3551 §6 static payload types, named as describeCodec names them (the same table as parseSdp's). */
const STATIC_CODECS: Record<number, string> = {
  0: 'PCMU/8000', 3: 'GSM/8000', 4: 'G723/8000', 5: 'DVI4/8000', 6: 'DVI4/16000', 7: 'LPC/8000', 8: 'PCMA/8000',
  9: 'G722/8000', 10: 'L16/44100', 11: 'L16/44100', 12: 'QCELP/8000', 13: 'CN/8000', 14: 'MPA/90000',
  15: 'G728/8000', 16: 'DVI4/11025', 17: 'DVI4/22050', 18: 'G729/8000', 25: 'CelB/90000', 26: 'JPEG/90000',
  28: 'nv/90000', 31: 'H261/90000', 32: 'MPV/90000', 33: 'MP2T/90000', 34: 'H263/90000',
};

/** A message's facts, filled field by field (one object shape for every message). */
class ScannedFacts implements MessageFacts {
  index = 0;
  time: number | null = null;
  at: number | null = null;
  kind: 'request' | 'response' = 'request';
  method = '';
  requestUri: string | undefined = undefined;
  status: number | undefined = undefined;
  reason: string | undefined = undefined;
  callId = '';
  cseq = -1;
  cseqMethod = '';
  fromUri: string | undefined = undefined;
  fromTag: string | undefined = undefined;
  toUri: string | undefined = undefined;
  toTag: string | undefined = undefined;
  src: string | undefined = undefined;
  dst: string | undefined = undefined;
  transport: string | undefined = undefined;
  direction: 'in' | 'out' | undefined = undefined;
  source = '';
  via: readonly ViaFacts[] = EMPTY;
  viaCount = 0;
  contacts: readonly ContactFacts[] = EMPTY;
  expires: number | undefined = undefined;
  minExpires: number | undefined = undefined;
  retryAfter: number | undefined = undefined;
  retryAfterText: string | undefined = undefined;
  warnings: readonly WarningFacts[] = EMPTY;
  reasons: readonly ReasonFacts[] = EMPTY;
  challenges: readonly ChallengeFacts[] = EMPTY;
  credentials: readonly CredentialFacts[] = EMPTY;
  sdp: SdpFacts | undefined = undefined;
  supported: readonly string[] = EMPTY;
  require: readonly string[] = EMPTY;
  unsupported: readonly string[] = EMPTY;
  minSe: number | undefined = undefined;
  sessionExpires: number | undefined = undefined;
  maxForwards: number | undefined = undefined;
  rseq: number | undefined = undefined;
  event: string | undefined = undefined;
  subscriptionState: string | undefined = undefined;
  agent: string | undefined = undefined;
  correlation: readonly string[] = EMPTY;
  defects: readonly string[] = EMPTY;
}

/**
 * What matching needs of a message once its transaction is answered, and nothing else (no Via list, Contacts,
 * challenges, SDP, …): the correlator keeps these for REGISTER transactions and reads the whole facts again from the
 * message's bytes when a snapshot is taken (CorrelatorOptions.reread). A class of its own, so that `isThinFacts`
 * tells one from whole facts.
 */
class ThinFacts extends ScannedFacts {}

/** A message's facts cut down to the numbers, names, tags and addresses that transaction matching reads. */
export function thinFacts(f: MessageFacts): MessageFacts {
  if (f instanceof ThinFacts) return f;
  const t = new ThinFacts();
  t.index = f.index;
  t.time = f.time;
  t.at = f.at;
  t.kind = f.kind;
  t.method = f.method;
  t.status = f.status;
  t.callId = f.callId;
  t.cseq = f.cseq;
  t.cseqMethod = f.cseqMethod;
  t.fromUri = f.fromUri;
  t.fromTag = f.fromTag;
  t.toUri = f.toUri;
  t.toTag = f.toTag;
  t.src = f.src;
  t.dst = f.dst;
  t.transport = f.transport;
  t.direction = f.direction;
  t.source = f.source;
  t.viaCount = f.viaCount;
  return t;
}

/** Whether `f` was made by thinFacts (its details left out). */
export function isThinFacts(f: MessageFacts): boolean {
  return f instanceof ThinFacts;
}

/**
 * Reads the facts of the message in `bytes` with what its source says of it (`meta`), numbered `index`. Never throws
 * on a malformed message: what cannot be read stays undefined (the parser reports it when the message is shown).
 */
export function scanFacts(bytes: Uint8Array, meta: MessageMeta, index: number, framingIssues: readonly Issue[] = EMPTY): MessageFacts {
  // The header index is borrowed (the next scan overwrites it): facts are read from it now and keep none of it.
  const scan = scanMessage(bytes, 0, bytes.length, undefined, true, [], false)!;
  const f = factsFromLayout(bytes, scan.layout, meta, index);
  let defects: Set<string> | undefined;
  for (const i of scan.issues) if (i.severity === 'error' && MESSAGE_DEFECTS.has(i.code)) (defects ??= new Set()).add(i.code);
  if (viaFailed) (defects ??= new Set()).add('bad-via');
  if (cseqFailed) (defects ??= new Set()).add('bad-cseq');
  if (suspectLength(bytes, scan.layout)) {
    // Content-Length looks wrong: the message framing decides, as it does when the message is shown.
    const snapped = framingIssues.some((i) => i.code === 'packet-truncated');
    const issues: Issue[] = [];
    // A message of its own takes an index of its own: the borrowed one is the scanner's, overwritten by the next scan.
    scan.layout.index = scan.layout.index.slice();
    new SipMessageImpl(bytes, scan.layout, issues, meta.transport !== undefined && meta.transport !== 'UDP');
    for (const i of issues) {
      if (i.severity === 'error' && MESSAGE_DEFECTS.has(i.code) && !(i.code === 'truncated-body' && snapped)) (defects ??= new Set()).add(i.code);
    }
  }
  if (defects !== undefined) f.defects = [...defects].sort();
  return f;
}

/** Set while reading one message: a Via or CSeq the grammar refused. */
let viaFailed = false;
let cseqFailed = false;

/** A Content-Length that is not one plain number, not alone, or more than the bytes there. */
function suspectLength(b: Uint8Array, l: MessageLayout): boolean {
  const k = l.contentLengthAt;
  if (k < 0) return false;
  const idx = l.index;
  for (let j = k + 5; j < idx.length; j += 5) if (idx[j] === H.contentLength) return true;
  const cl = trimmedRange(b, idx, k) ? digits(b, trS, trE, 10) : -1;
  return cl < 0 || cl > b.length - l.bodyStart;
}

function factsFromLayout(b: Uint8Array, l: MessageLayout, meta: MessageMeta, index: number): ScannedFacts {
  viaFailed = false;
  cseqFailed = false;
  const f = new ScannedFacts();
  const idx = l.index;
  let kCallId = -1;
  let kCseq = -1;
  let kFrom = -1;
  let kTo = -1;
  let kMaxForwards = -1;
  let kExpires = -1;
  let kContentType = -1;
  let kSupported = -1;
  let kRequire = -1;
  let kUnsupported = -1;
  let kRetryAfter = -1;
  let kMinExpires = -1;
  let kMinSe = -1;
  let kSessionExpires = -1;
  let kEvent = -1;
  let kSubscriptionState = -1;
  let hasWarning = false;
  let hasReason = false;
  let hasAuth = false;
  let hasChallenge = false;
  let hasContact = false;
  const vias = topVias;
  vias.length = 0;
  let viaCount = 0;
  const isResponse = l.kind === 'response';
  for (let k = 0; k < idx.length; k += 5) {
    let id = idx[k]!;
    if (id === UNIDENTIFIED) id = idx[k] = identifyHeaderName(b, idx[k + 1]!, idx[k + 2]!);
    switch (id) {
      case H.via:
        // A response's own top Via is all a rule reads; requests keep the path for loops and transports.
        viaCount += readVias(b, idx, k, !isResponse || vias.length === 0 ? vias : scratchVias);
        break;
      case H.from:
        if (kFrom < 0) kFrom = k;
        break;
      case H.to:
        if (kTo < 0) kTo = k;
        break;
      case H.callId:
        if (kCallId < 0) kCallId = k;
        break;
      case H.cseq:
        if (kCseq < 0) kCseq = k;
        break;
      case H.contact:
        hasContact = true;
        break;
      case H.maxForwards:
        if (kMaxForwards < 0) kMaxForwards = k;
        break;
      case H.expires:
        if (kExpires < 0) kExpires = k;
        break;
      case H.contentType:
        if (kContentType < 0) kContentType = k;
        break;
      case H.supported:
        if (kSupported < 0) kSupported = k;
        break;
      case H.require:
        if (kRequire < 0) kRequire = k;
        break;
      case H.unsupported:
        if (kUnsupported < 0) kUnsupported = k;
        break;
      case H.retryAfter:
        if (kRetryAfter < 0) kRetryAfter = k;
        break;
      case H.minExpires:
        if (kMinExpires < 0) kMinExpires = k;
        break;
      case H.minSe:
        if (kMinSe < 0) kMinSe = k;
        break;
      case H.sessionExpires:
        if (kSessionExpires < 0) kSessionExpires = k;
        break;
      case H.event:
        if (kEvent < 0) kEvent = k;
        break;
      case H.subscriptionState:
        if (kSubscriptionState < 0) kSubscriptionState = k;
        break;
      case H.warning:
        hasWarning = true;
        break;
      case H.reason:
        hasReason = true;
        break;
      case H.wwwAuthenticate:
      case H.proxyAuthenticate:
        hasChallenge = true;
        break;
      case H.authorization:
      case H.proxyAuthorization:
        hasAuth = true;
        break;
      default:
        break;
    }
  }
  scratchVias.length = 0;
  f.index = index;
  f.time = meta.time;
  f.at = meta.time ?? (meta.clock !== undefined ? meta.clock * 1000 : null);
  f.kind = l.kind;
  const status = l.status;
  f.status = status;
  if (l.uriStart >= 0) f.requestUri = decodeText(b, l.uriStart, l.uriEnd);
  if (isResponse && l.reasonStart >= 0) f.reason = decodeText(b, l.reasonStart, l.reasonEnd);
  f.callId = kCallId < 0 ? '' : valueString(b, idx, kCallId);

  // CSeq, RFC 3261 §20.16: digits LWS method.
  let cseqMethod: string | undefined;
  if (kCseq >= 0) {
    const found = trimmedRange(b, idx, kCseq);
    const s = trS;
    const e = trE;
    let done = false;
    if (found) {
      let i = s;
      while (i < e && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
      const seq = digits(b, s, i, 10);
      const ms = i;
      while (i < e && (b[i] === 0x20 || b[i] === 0x09)) i++;
      if (seq >= 0 && i > ms && i < e) {
        let j = i;
        while (j < e && TOKEN[b[j]!] === 1) j++;
        if (j === e) {
          f.cseq = seq;
          cseqMethod = knownUpper(b, i, j, METHODS, METHOD_BYTES) ?? decodeText(b, i, j).toUpperCase();
          done = true;
        }
      }
    }
    if (!done) {
      const p = parseCSeq(decodeValue(b, idx[kCseq + 3]!, idx[kCseq + 4]!));
      if (p.ok) {
        f.cseq = p.value.seq;
        cseqMethod = p.value.method.toUpperCase();
      } else cseqFailed = true;
    }
  }
  let method: string;
  if (isResponse) method = cseqMethod ?? '';
  else if (l.methodStart >= 0) method = knownUpper(b, l.methodStart, l.methodEnd, METHODS, METHOD_BYTES) ?? decodeText(b, l.methodStart, l.methodEnd).toUpperCase();
  else method = cseqMethod ?? '';
  f.method = method;
  f.cseqMethod = cseqMethod ?? method;

  readNameAddr(b, idx, kFrom);
  f.fromUri = naUri;
  f.fromTag = naTag;
  readNameAddr(b, idx, kTo);
  f.toUri = naUri;
  f.toTag = naTag;
  f.src = meta.src;
  f.dst = meta.dst;
  f.transport = meta.transport;
  f.direction = meta.direction;
  f.source = meta.origin.path;
  // An array of its own, exactly as long as the hops kept (most messages have one or two).
  const keep = isResponse ? 1 : MAX_VIAS;
  f.via = vias.length === 0 ? EMPTY : vias.length === 1 ? [vias[0]!] : vias.slice(0, keep);
  f.viaCount = viaCount;

  const failure = isResponse && status !== undefined && status >= 300;
  const register = method === 'REGISTER';
  const invite = method === 'INVITE';
  const offerAnswer = invite || method === 'ACK' || method === 'UPDATE' || method === 'PRACK';
  const subscription = method === 'SUBSCRIBE' || method === 'NOTIFY';
  if ((register || subscription) && kExpires >= 0) {
    const v = trimmedRange(b, idx, kExpires) ? digits(b, trS, trE, 10) : -1;
    f.expires = v >= 0 ? Math.min(v, 0xffffffff) : single(b, idx, kExpires, parseDeltaSeconds);
  }
  if (!isResponse && kMaxForwards >= 0) {
    const v = trimmedRange(b, idx, kMaxForwards) ? digits(b, trS, trE, 9) : -1;
    if (v >= 0) f.maxForwards = v;
    else {
      const n = Number.parseInt(decodeValue(b, idx[kMaxForwards + 3]!, idx[kMaxForwards + 4]!).trim(), 10);
      f.maxForwards = Number.isFinite(n) ? n : undefined;
    }
  }
  if (!isResponse && kSupported >= 0) f.supported = splitTokens(valueString(b, idx, kSupported));
  if (kRequire >= 0) f.require = splitTokens(valueString(b, idx, kRequire));
  // Contacts: bindings of REGISTER, the target of a 2xx to INVITE (ACK routing), and first-hop requests (NAT check).
  if (hasContact && (register || (isResponse && invite && status !== undefined && status < 300) || (!isResponse && viaCount === 1))) {
    f.contacts = readContacts(b, idx);
  }
  if (status === 423 && kMinExpires >= 0) f.minExpires = single(b, idx, kMinExpires, parseDeltaSeconds);
  if (kRetryAfter >= 0 && (failure || status === 503)) {
    f.retryAfter = single(b, idx, kRetryAfter, parseRetryAfter)?.seconds;
    f.retryAfterText = decodeValue(b, idx[kRetryAfter + 3]!, idx[kRetryAfter + 4]!);
  }
  if (hasWarning) f.warnings = listOf(b, idx, H.warning, parseWarning).map((w) => ({ code: w.code, agent: w.agent, text: w.text, raw: w.raw }));
  if (hasReason) f.reasons = listOf(b, idx, H.reason, parseReason).map((r) => ({ protocol: r.protocol, cause: r.cause, text: r.text, raw: r.raw }));
  if (hasChallenge && (status === 401 || status === 407)) {
    f.challenges = [
      ...listOf(b, idx, H.wwwAuthenticate, parseChallenge, false).map((c) => toChallenge('WWW-Authenticate', c)),
      ...listOf(b, idx, H.proxyAuthenticate, parseChallenge, false).map((c) => toChallenge('Proxy-Authenticate', c)),
    ];
  }
  if (hasAuth && !isResponse) {
    f.credentials = [
      ...listOf(b, idx, H.authorization, parseCredentials, false).map((c) => toCredentials('Authorization', c)),
      ...listOf(b, idx, H.proxyAuthorization, parseCredentials, false).map((c) => toCredentials('Proxy-Authorization', c)),
    ];
  }
  if (status === 420 && kUnsupported >= 0) f.unsupported = splitTokens(decodeValue(b, idx[kUnsupported + 3]!, idx[kUnsupported + 4]!));
  if (status === 422 && kMinSe >= 0) f.minSe = single(b, idx, kMinSe, (v) => parseDeltaSeconds(v.split(';')[0] ?? ''));
  if (offerAnswer && !isResponse && kSessionExpires >= 0) f.sessionExpires = single(b, idx, kSessionExpires, parseSessionExpires)?.seconds;
  if (subscription) f.event = single(b, idx, kEvent, parseEvent)?.package;
  if (method === 'NOTIFY' && !isResponse) f.subscriptionState = single(b, idx, kSubscriptionState, parseSubscriptionState)?.state;
  if (invite && !isResponse && f.toTag === undefined) f.correlation = correlationOf(b, idx);
  // The offer (INVITE, UPDATE), the answer of a 2xx, and the capabilities a 488/606 may carry: what media rules read.
  const offer =
    offerAnswer &&
    kContentType >= 0 &&
    (isResponse ? status !== undefined && ((status >= 200 && status < 300) || status === 488 || status === 606) : method !== 'ACK' && method !== 'PRACK');
  if (offer) {
    const end = bodyEndOf(b, l);
    if (end > l.bodyStart) {
      const kind = bodyKind(b, idx, kContentType);
      if (kind === 1) f.sdp = scanSdpFacts(b, l.bodyStart, end);
      else if (kind === 2) f.sdp = sdpFactsOf(new SipMessageImpl(b, l, [], meta.transport !== undefined && meta.transport !== 'UDP'));
    }
  }
  return f;
}

/** The facts of a parsed message (the live view and `analyzeRecords` hand over records, not bytes). */
export function extractFacts(record: MessageRecord): MessageFacts {
  return scanFacts(record.message.raw, record.meta, record.index, record.message.issues);
}
