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
} from '../model/headers.js';
import type { Issue, Severity } from '../model/issue.js';
import type { BodyPart, Sdp } from '../model/sdp.js';
import type { SipMessage } from '../model/sip-message.js';
import type { SipUri } from '../model/sip-uri.js';
import { decodeText, decodeValue, findInvalidUtf8, showBytes } from './decode.js';
import {
  type Parsed,
  parseChallenge,
  parseContact,
  parseContentType,
  parseCredentials,
  parseCSeq,
  parseDeltaSeconds,
  parseEvent,
  parseFromTo,
  parseMaxForwards,
  parseNameAddr,
  parseRAck,
  parseReason,
  parseRetryAfter,
  parseSecurityMechanism,
  parseSessionExpires,
  parseSubscriptionState,
  parseVia,
  parseWarning,
  splitList,
} from './header-grammar.js';
import { CANONICAL, H, identifyHeaderName, identifyName, NOT_LISTS, UNIDENTIFIED } from './header-names.js';
import { parseUri } from './parse-uri.js';
import { parseSdp } from './parse-sdp.js';
import { splitMultipart } from './parse-multipart.js';

/** Where the parts of a message lie in its bytes: what the eager scan produces. */
export interface MessageLayout {
  kind: 'request' | 'response';
  startLineStart: number;
  startLineEnd: number;
  methodStart: number;
  methodEnd: number;
  uriStart: number;
  uriEnd: number;
  versionStart: number;
  versionEnd: number;
  status: number | undefined;
  reasonStart: number;
  reasonEnd: number;
  /** Five numbers per header: id, line start, name end, value start, value end (folding included). */
  index: number[];
  /** Position in `index` of the first Content-Length header, or -1. */
  contentLengthAt: number;
  headerCount: number;
  headersEnd: number;
  bodyStart: number;
  bodyEnd: number;
  lineEnds: 'crlf' | 'lf' | 'mixed' | 'none';
}

const UNSET = Symbol('unset');

/** Cache keys of the lazy values (typed headers use 1000/2000/3000 + header id). */
const K_RURI = 1;
const K_REASON = 2;
const K_PRURI = 3;
const K_PARTS = 4;
const K_SDP = 5;

/** Interned method names, so the common ones cost no string building. */
const METHODS = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'REGISTER', 'OPTIONS', 'PRACK', 'UPDATE', 'SUBSCRIBE', 'NOTIFY', 'REFER', 'MESSAGE', 'INFO', 'PUBLISH'];
const METHOD_BYTES = METHODS.map((m) => Uint8Array.from(m, (c) => c.charCodeAt(0)));

function readMethod(b: Uint8Array, s: number, e: number): string {
  const n = e - s;
  outer: for (let k = 0; k < METHOD_BYTES.length; k++) {
    const m = METHOD_BYTES[k]!;
    if (m.length !== n) continue;
    for (let j = 0; j < n; j++) if (b[s + j] !== m[j]) continue outer;
    return METHODS[k]!;
  }
  return decodeText(b, s, e);
}

/**
 * The SipMessage implementation: layout from the eager scan, everything else decoded on first use and cached.
 * Malformed headers found by an accessor add an issue (once) with the header line's byte span.
 */
export class SipMessageImpl implements SipMessage {
  readonly kind: 'request' | 'response';
  readonly raw: Uint8Array;
  readonly status: number | undefined;
  /** Where the body ends in `raw` (Content-Length honoured where it could be). */
  #bodyEnd: number;
  #body: Uint8Array | undefined;
  /** How lines end in the header section. */
  readonly lineEnds: 'crlf' | 'lf' | 'mixed' | 'none';
  readonly #layout: MessageLayout;
  readonly #issues: Issue[];
  #checked = false;
  #identified = false;
  #values: (string | undefined)[] | undefined;
  #cache: Map<number, unknown> | undefined;
  #headers: Header[] | undefined;
  #method: string | undefined | typeof UNSET = UNSET;

  constructor(raw: Uint8Array, layout: MessageLayout, issues: Issue[], stream: boolean) {
    this.raw = raw;
    this.kind = layout.kind;
    this.status = layout.status;
    this.lineEnds = layout.lineEnds;
    this.#layout = layout;
    this.#issues = issues;
    this.#bodyEnd = this.#frameBody(stream);
  }

  /** The body: a view of `raw`, made on first use. */
  get body(): Uint8Array {
    if (this.#body === undefined) {
      const s = this.#layout.bodyStart;
      const raw = this.raw;
      this.#body = new Uint8Array(raw.buffer, raw.byteOffset + s, Math.max(0, this.#bodyEnd - s));
    }
    return this.#body;
  }

  /** Content-Length decides where the body ends (RFC 3261 §18.3); a mismatch is reported. Returns the end. */
  #frameBody(stream: boolean): number {
    const l = this.#layout;
    const b = this.raw;
    const idx = l.index;
    let cl = -1;
    let clAt = -1;
    let count = 0;
    const first = l.contentLengthAt;
    for (let k = first < 0 ? idx.length : first; k < idx.length; k += 5) {
      if (idx[k] !== H.contentLength) continue;
      count++;
      const v = readDigits(b, idx[k + 3]!, idx[k + 4]!);
      if (count === 1) {
        clAt = k;
        cl = v;
      } else if (v !== cl) {
        // RFC 4475 §3.3.9: several Content-Length values.
        this.#addIssue('multiple-content-length', 'error', 'expected one Content-Length, found several with different values', idx[k + 1]!, idx[k + 4]!);
      } else {
        this.#addIssue('multiple-content-length', 'warning', 'expected one Content-Length, found it repeated', idx[k + 1]!, idx[k + 4]!);
      }
    }
    const start = l.bodyStart;
    const avail = l.bodyEnd - start;
    if (clAt < 0) {
      if (stream && avail >= 0) {
        this.#addIssue('missing-content-length', 'warning', 'expected Content-Length on a stream transport (RFC 3261 §18.3), found none', l.startLineStart, l.headersEnd);
      }
      return l.bodyEnd;
    }
    const clStart = idx[clAt + 1]!;
    const clEnd = idx[clAt + 4]!;
    if (cl < 0) {
      this.#addIssue(
        'bad-content-length',
        'error',
        `expected Content-Length to be a decimal number (RFC 3261 §20.14), found "${showBytes(b, idx[clAt + 3]!, clEnd).trim()}"; body taken to the end of the message`,
        clStart,
        clEnd,
      );
      return l.bodyEnd;
    }
    if (cl === avail) return l.bodyEnd;
    if (cl < avail) {
      // RFC 3261 §18.3: octets beyond Content-Length in a datagram are discarded (RFC 4475 §3.1.1.8).
      this.#addIssue('extra-bytes-after-body', 'info', `expected ${cl} body bytes (Content-Length), found ${avail}; the ${avail - cl} extra bytes are not part of the body`, start + cl, l.bodyEnd);
      return start + cl;
    }
    // Fewer bytes than announced. Logs often turn CRLF into LF: if counting each bare LF as CRLF makes it fit,
    // the body is whole.
    if (l.lineEnds !== 'crlf') {
      let bare = 0;
      for (let i = start; i < l.bodyEnd; i++) if (b[i] === 0x0a && (i === start || b[i - 1] !== 0x0d)) bare++;
      if (avail + bare >= cl && avail + bare - cl <= 2) {
        this.#addIssue('content-length-counts-crlf', 'info', `expected ${cl} body bytes (Content-Length), found ${avail}: the line ends were converted from CRLF to LF; body taken whole`, clStart, clEnd);
        return l.bodyEnd;
      }
    }
    this.#addIssue('truncated-body', 'error', `expected ${cl} body bytes (Content-Length), found ${avail}`, start, l.bodyEnd);
    return l.bodyEnd;
  }

  /**
   * The header index with every name identified. The eager scan only marks Content-Length (what framing needs);
   * the other names are looked up here, on first use, once.
   */
  #index(): number[] {
    const idx = this.#layout.index;
    if (!this.#identified) {
      this.#identified = true;
      for (let k = 0; k < idx.length; k += 5) {
        if (idx[k] === UNIDENTIFIED) idx[k] = identifyHeaderName(this.raw, idx[k + 1]!, idx[k + 2]!);
      }
    }
    return idx;
  }

  #addIssue(code: string, severity: Severity, message: string, start: number, end: number): void {
    this.#issues.push({ code, severity, message, span: { start, end } });
  }

  /** Issues found so far; the first read also runs the cheap whole-message checks (UTF-8). */
  get issues(): Issue[] {
    if (!this.#checked) {
      this.#checked = true;
      const bad = findInvalidUtf8(this.raw, this.#layout.startLineStart, this.#layout.headersEnd);
      if (bad >= 0) {
        this.#addIssue('non-utf8', 'warning', `expected UTF-8 text in the start line and headers, found byte 0x${this.raw[bad]!.toString(16)} ("${showBytes(this.raw, Math.max(0, bad - 10), bad + 10)}"); kept as bytes, shown as U+FFFD`, bad, bad + 1);
      }
    }
    return this.#issues;
  }

  get method(): string | undefined {
    if (this.#method === UNSET) {
      const l = this.#layout;
      this.#method = l.methodStart < 0 ? undefined : readMethod(this.raw, l.methodStart, l.methodEnd);
    }
    return this.#method;
  }

  get requestUri(): string | undefined {
    const l = this.#layout;
    return l.uriStart < 0 ? undefined : this.#memo(K_RURI, () => decodeText(this.raw, l.uriStart, l.uriEnd));
  }

  get reason(): string | undefined {
    const l = this.#layout;
    return l.kind === 'response' && l.reasonStart >= 0 ? this.#memo(K_REASON, () => decodeText(this.raw, l.reasonStart, l.reasonEnd)) : undefined;
  }

  get version(): string {
    const l = this.#layout;
    return l.versionStart < 0 ? '' : decodeText(this.raw, l.versionStart, l.versionEnd);
  }

  /** The start line as written. */
  get startLine(): string {
    return decodeText(this.raw, this.#layout.startLineStart, this.#layout.startLineEnd);
  }

  /** Byte offset where the body starts in `raw`. */
  get bodyOffset(): number {
    return this.#layout.bodyStart;
  }

  get headers(): readonly Header[] {
    if (this.#headers === undefined) {
      const idx = this.#index();
      const out: Header[] = [];
      for (let k = 0; k < idx.length; k += 5) {
        const id = idx[k]!;
        const name = decodeText(this.raw, idx[k + 1]!, idx[k + 2]!);
        out.push({
          name,
          canonical: id === 0 ? name : CANONICAL[id]!,
          value: this.#value(k / 5),
          start: idx[k + 1]!,
          end: idx[k + 4]!,
        });
      }
      this.#headers = out;
    }
    return this.#headers;
  }

  /** The value of the n-th indexed header, unfolded and trimmed. */
  #value(n: number): string {
    this.#values ??= new Array<string | undefined>(this.#layout.headerCount);
    let v = this.#values[n];
    if (v === undefined) {
      const idx = this.#index();
      v = decodeValue(this.raw, idx[n * 5 + 3]!, idx[n * 5 + 4]!);
      this.#values[n] = v;
    }
    return v;
  }

  /** Indexes (n) of the headers with this id, or with this name when unknown. */
  #find(name: string): number[] {
    const id = identifyName(name);
    const idx = this.#index();
    const out: number[] = [];
    if (id !== 0) {
      for (let k = 0; k < idx.length; k += 5) if (idx[k] === id) out.push(k / 5);
      return out;
    }
    const lower = name.toLowerCase();
    for (let k = 0; k < idx.length; k += 5) {
      if (idx[k] !== 0 || idx[k + 2]! - idx[k + 1]! !== lower.length) continue;
      let same = true;
      for (let j = 0; j < lower.length && same; j++) {
        let c = this.raw[idx[k + 1]! + j]!;
        if (c >= 0x41 && c <= 0x5a) c |= 0x20;
        same = c === lower.charCodeAt(j);
      }
      if (same) out.push(k / 5);
    }
    return out;
  }

  #firstById(id: number): number {
    const idx = this.#index();
    for (let k = 0; k < idx.length; k += 5) if (idx[k] === id) return k / 5;
    return -1;
  }

  header(name: string): string | undefined {
    const found = this.#find(name);
    return found.length === 0 ? undefined : this.#value(found[0]!);
  }

  headerValues(name: string): string[] {
    const id = identifyName(name);
    const out: string[] = [];
    const split = id === 0 ? !isUnknownNotList(name) : !NOT_LISTS.has(id);
    for (const n of this.#find(name)) {
      const v = this.#value(n);
      if (split) for (const item of splitList(v)) out.push(item);
      else out.push(v);
    }
    return out;
  }

  #memo<T>(key: number, make: () => T): T {
    this.#cache ??= new Map();
    if (this.#cache.has(key)) return this.#cache.get(key) as T;
    const v = make();
    this.#cache.set(key, v);
    return v;
  }

  /** The span of the n-th header line. */
  #span(n: number): { start: number; end: number } {
    const idx = this.#index();
    return { start: idx[n * 5 + 1]!, end: idx[n * 5 + 4]! };
  }

  /** Parses every item of every header with this id (lists split unless told otherwise), reporting bad ones. */
  #list<T>(id: number, parse: (v: string) => Parsed<T>, code: string, severity: Severity = 'warning', split = true): T[] {
    return this.#memo(1000 + id, () => {
      const out: T[] = [];
      const idx = this.#index();
      for (let k = 0; k < idx.length; k += 5) {
        if (idx[k] !== id) continue;
        const n = k / 5;
        const v = this.#value(n);
        const items = split ? splitList(v) : [v];
        for (const item of items) {
          const r = parse(item);
          if (r.ok) out.push(r.value);
          const problem = r.problem;
          if (problem !== undefined) {
            const sp = this.#span(n);
            this.#addIssue(code, r.ok ? 'warning' : severity, `${CANONICAL[id]}: ${problem}`, sp.start, sp.end);
          }
        }
      }
      return out;
    });
  }

  /** Parses the first header with this id; a second one with another value is reported (single-value header). */
  #single<T>(id: number, parse: (v: string) => Parsed<T>, code: string, severity: Severity = 'warning'): T | undefined {
    return this.#memo(2000 + id, () => {
      const n = this.#firstById(id);
      if (n < 0) return undefined;
      const r = parse(this.#value(n));
      const sp = this.#span(n);
      if (r.problem !== undefined) this.#addIssue(code, r.ok ? 'warning' : severity, `${CANONICAL[id]}: ${r.problem}`, sp.start, sp.end);
      return r.ok ? r.value : undefined;
    });
  }

  #tokens(id: number): string[] {
    return this.#memo(3000 + id, () => {
      const out: string[] = [];
      const idx = this.#index();
      for (let k = 0; k < idx.length; k += 5) {
        if (idx[k] !== id) continue;
        for (const t of this.#value(k / 5).split(',')) {
          const x = t.trim();
          if (x.length > 0) out.push(x);
        }
      }
      return out;
    });
  }

  get parsedRequestUri(): SipUri | undefined {
    const ruri = this.requestUri;
    if (ruri === undefined) return undefined;
    return this.#memo(K_PRURI, () => {
      const r = parseUri(ruri);
      if (r.problem !== undefined) {
        const l = this.#layout;
        this.#addIssue('bad-request-uri', 'warning', `Request-URI: ${r.problem}`, l.uriStart, l.uriEnd);
      }
      return r.uri;
    });
  }

  get callId(): string | undefined {
    const n = this.#firstById(H.callId);
    return n < 0 ? undefined : this.#value(n);
  }

  get cseq(): CSeq | undefined {
    return this.#single(H.cseq, parseCSeq, 'bad-cseq', 'error');
  }

  get via(): readonly Via[] {
    return this.#list(H.via, parseVia, 'bad-via', 'error');
  }

  get from(): FromTo | undefined {
    return this.#single(H.from, parseFromTo, 'bad-from');
  }

  get to(): FromTo | undefined {
    return this.#single(H.to, parseFromTo, 'bad-to');
  }

  get contacts(): readonly Contact[] {
    return this.#list(H.contact, parseContact, 'bad-contact');
  }

  get maxForwards(): number | undefined {
    return this.#single(H.maxForwards, parseMaxForwards, 'bad-max-forwards');
  }

  get expires(): number | undefined {
    return this.#single(H.expires, parseDeltaSeconds, 'bad-expires');
  }

  get minExpires(): number | undefined {
    return this.#single(H.minExpires, parseDeltaSeconds, 'bad-min-expires');
  }

  get retryAfter(): RetryAfter | undefined {
    return this.#single(H.retryAfter, parseRetryAfter, 'bad-retry-after');
  }

  get warnings(): readonly Warning[] {
    return this.#list(H.warning, parseWarning, 'bad-warning');
  }

  get reasons(): readonly Reason[] {
    return this.#list(H.reason, parseReason, 'bad-reason');
  }

  get wwwAuthenticate(): readonly Challenge[] {
    return this.#list(H.wwwAuthenticate, parseChallenge, 'bad-authenticate', 'warning', false);
  }

  get proxyAuthenticate(): readonly Challenge[] {
    return this.#list(H.proxyAuthenticate, parseChallenge, 'bad-authenticate', 'warning', false);
  }

  get authorization(): readonly Credentials[] {
    return this.#list(H.authorization, parseCredentials, 'bad-authorization', 'warning', false);
  }

  get proxyAuthorization(): readonly Credentials[] {
    return this.#list(H.proxyAuthorization, parseCredentials, 'bad-authorization', 'warning', false);
  }

  get routes(): readonly NameAddr[] {
    return this.#list(H.route, parseNameAddr, 'bad-route');
  }

  get recordRoutes(): readonly NameAddr[] {
    return this.#list(H.recordRoute, parseNameAddr, 'bad-route');
  }

  get contentType(): ContentType | undefined {
    return this.#single(H.contentType, parseContentType, 'bad-content-type');
  }

  get contentLength(): number | undefined {
    const n = this.#firstById(H.contentLength);
    if (n < 0) return undefined;
    const idx = this.#index();
    const v = readDigits(this.raw, idx[n * 5 + 3]!, idx[n * 5 + 4]!);
    return v < 0 ? undefined : v;
  }

  get supported(): readonly string[] {
    return this.#tokens(H.supported);
  }

  get require(): readonly string[] {
    return this.#tokens(H.require);
  }

  get proxyRequire(): readonly string[] {
    return this.#tokens(H.proxyRequire);
  }

  get unsupported(): readonly string[] {
    return this.#tokens(H.unsupported);
  }

  get allow(): readonly string[] {
    return this.#tokens(H.allow);
  }

  get accept(): readonly string[] {
    return this.#tokens(H.accept);
  }

  get userAgent(): string | undefined {
    const n = this.#firstById(H.userAgent);
    return n < 0 ? undefined : this.#value(n);
  }

  get server(): string | undefined {
    const n = this.#firstById(H.server);
    return n < 0 ? undefined : this.#value(n);
  }

  get sessionExpires(): SessionExpires | undefined {
    return this.#single(H.sessionExpires, parseSessionExpires, 'bad-session-expires');
  }

  get minSe(): number | undefined {
    // RFC 4028 §5: Min-SE = delta-seconds *(SEMI generic-param)
    return this.#single(H.minSe, (v) => parseDeltaSeconds(v.split(';')[0] ?? ''), 'bad-min-se');
  }

  get pAssertedIdentity(): readonly NameAddr[] {
    return this.#list(H.pAssertedIdentity, parseNameAddr, 'bad-p-asserted-identity');
  }

  get diversion(): readonly NameAddr[] {
    return this.#list(H.diversion, parseNameAddr, 'bad-diversion');
  }

  get historyInfo(): readonly NameAddr[] {
    return this.#list(H.historyInfo, parseNameAddr, 'bad-history-info');
  }

  get event(): EventHeader | undefined {
    return this.#single(H.event, parseEvent, 'bad-event');
  }

  get subscriptionState(): SubscriptionState | undefined {
    return this.#single(H.subscriptionState, parseSubscriptionState, 'bad-subscription-state');
  }

  get securityServer(): readonly SecurityMechanism[] {
    return this.#list(H.securityServer, parseSecurityMechanism, 'bad-security-server');
  }

  get rseq(): number | undefined {
    return this.#single(H.rseq, parseDeltaSeconds, 'bad-rseq');
  }

  get rack(): RAck | undefined {
    return this.#single(H.rack, parseRAck, 'bad-rack');
  }

  get parts(): readonly BodyPart[] {
    return this.#memo(K_PARTS, () => {
      const ct = this.contentType;
      if (ct === undefined || ct.type !== 'multipart' || this.body.length === 0) return [];
      const boundary = ct.params.get('boundary');
      if (boundary === undefined || boundary === null || boundary.length === 0) {
        const n = this.#firstById(H.contentType);
        const sp = this.#span(n);
        this.#addIssue('bad-multipart', 'warning', 'expected a boundary parameter on the multipart Content-Type (RFC 2046 §5.1.1), found none', sp.start, sp.end);
        return [];
      }
      return splitMultipart(this.body, boundary, this.#issues, this.#layout.bodyStart);
    });
  }

  get sdp(): Sdp | undefined {
    return this.#memo(K_SDP, () => {
      const ct = this.contentType;
      if (ct === undefined || this.body.length === 0) return undefined;
      if (ct.type === 'application' && ct.subtype === 'sdp') {
        return parseSdp(this.body, this.#issues, this.#layout.bodyStart);
      }
      if (ct.type === 'multipart') {
        for (const p of this.parts) {
          const t = p.contentType?.split(';')[0]?.trim().toLowerCase();
          if (t === 'application/sdp') {
            const off = p.body.byteOffset - this.raw.byteOffset;
            return parseSdp(p.body, this.#issues, off);
          }
        }
      }
      return undefined;
    });
  }

  /** JSON view: the start line, headers and issues, the body as text when it is UTF-8. */
  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      ...(this.method !== undefined && { method: this.method }),
      ...(this.requestUri !== undefined && { requestUri: this.requestUri }),
      ...(this.status !== undefined && { status: this.status }),
      ...(this.reason !== undefined && { reason: this.reason }),
      version: this.version,
      headers: this.headers,
      body: decodeText(this.body, 0, this.body.length),
      issues: this.issues,
    };
  }
}

/** The decimal number in b[s, e) with white space around it, or -1 when it is not one (or above 2^31). */
function readDigits(b: Uint8Array, s: number, e: number): number {
  while (s < e && (b[s] === 0x20 || b[s] === 0x09)) s++;
  while (e > s && (b[e - 1] === 0x20 || b[e - 1] === 0x09 || b[e - 1] === 0x0d || b[e - 1] === 0x0a)) e--;
  if (s === e) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
    if (v > 0x7fffffff) return -1;
  }
  return v;
}

/** Unknown headers are split at commas unless they look like free text; conservative: always split. */
function isUnknownNotList(_name: string): boolean {
  return false;
}
