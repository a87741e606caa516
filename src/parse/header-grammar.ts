import type {
  Challenge,
  Contact,
  ContentType,
  Credentials,
  CSeq,
  EventHeader,
  FromTo,
  NameAddr,
  Params,
  RAck,
  Reason,
  RetryAfter,
  SecurityMechanism,
  SessionExpires,
  SubscriptionState,
  Via,
  Warning,
} from '../model/headers.js';
import { type Mutable, parseUri } from './parse-uri.js';

/** A parsed value, or the reason it could not be read (what was expected, what was found). */
export type Parsed<T> = { ok: true; value: T; problem?: string } | { ok: false; problem: string };

function ok<T>(value: T, problem?: string): Parsed<T> {
  return problem === undefined ? { ok: true, value } : { ok: true, value, problem };
}
function fail<T>(problem: string): Parsed<T> {
  return { ok: false, problem };
}

const isWs = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

/**
 * Splits a header value at commas that separate list items (RFC 3261 §7.3.1), never inside a quoted string,
 * `<…>` or a comment `(…)`. Empty items are dropped.
 */
export function splitList(value: string): string[] {
  if (!value.includes(',')) {
    const t = value.trim();
    return t.length === 0 ? [] : [t];
  }
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  let angle = 0;
  let paren = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') angle++;
    else if (c === '>') angle = Math.max(0, angle - 1);
    else if (c === '(') paren++;
    else if (c === ')') paren = Math.max(0, paren - 1);
    else if (c === ',' && angle === 0 && paren === 0) {
      const t = value.slice(start, i).trim();
      if (t.length > 0) out.push(t);
      start = i + 1;
    }
  }
  const t = value.slice(start).trim();
  if (t.length > 0) out.push(t);
  return out;
}

/** Reads a quoted-string at s[i] (which is '"'); returns the unescaped text and the index after it, or -1 if open. */
export function readQuoted(s: string, i: number): { text: string; end: number } {
  // Without escapes the text is one slice: adding character by character builds a chain of one string per
  // character, which long-lived values (nonces, realms) then keep (a 32-character nonce cost 1 KB).
  const close = s.indexOf('"', i + 1);
  const escape = s.indexOf('\\', i + 1);
  if (close >= 0 && (escape < 0 || escape > close)) return { text: s.slice(i + 1, close), end: close + 1 };
  const parts: string[] = [];
  let from = i + 1;
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x5c && j + 1 < s.length) {
      parts.push(s.slice(from, j), s[j + 1]!);
      j++;
      from = j + 1;
    } else if (c === 0x22) {
      parts.push(s.slice(from, j));
      return { text: parts.join(''), end: j + 1 };
    }
  }
  parts.push(s.slice(from));
  return { text: parts.join(''), end: -1 };
}

/**
 * Parses `;name=value;flag` parameters from s[i…] (RFC 3261 §7.3.1 generic-param), tolerating white space around
 * `;` and `=` (RFC 4475 §3.1.1.1). Names are lower-cased; quoted values are unquoted. Returns the map and a problem.
 */
export function parseParams(s: string, i: number, sep = ';'): { params: Map<string, string | null>; problem?: string } {
  const params = new Map<string, string | null>();
  let problem: string | undefined;
  while (i < s.length) {
    while (i < s.length && (isWs(s[i]) || s[i] === sep)) i++;
    if (i >= s.length) break;
    let j = i;
    while (j < s.length && s[j] !== '=' && s[j] !== sep && !isWs(s[j])) j++;
    const name = s.slice(i, j).toLowerCase();
    while (j < s.length && isWs(s[j])) j++;
    if (s[j] === '=') {
      j++;
      while (j < s.length && isWs(s[j])) j++;
      if (s[j] === '"') {
        const q = readQuoted(s, j);
        if (q.end < 0) {
          problem ??= `expected a closing '"' for the value of parameter "${name}", found the end of the value`;
          params.set(name, q.text);
          break;
        }
        params.set(name, q.text);
        j = q.end;
      } else {
        let k = j;
        while (k < s.length && s[k] !== sep && !isWs(s[k])) k++;
        params.set(name, s.slice(j, k));
        j = k;
      }
    } else {
      params.set(name, null);
    }
    if (name.length === 0) problem ??= `expected a parameter name after '${sep}', found "${s.slice(i, i + 20)}"`;
    while (j < s.length && isWs(s[j])) j++;
    if (j < s.length && s[j] !== sep) {
      problem ??= `expected '${sep}' between parameters, found "${s.slice(j, j + 20)}"`;
      while (j < s.length && s[j] !== sep) j++;
    }
    i = j;
  }
  return problem === undefined ? { params } : { params, problem };
}

function paramNumber(params: Params, name: string): number | undefined {
  const v = params.get(name);
  if (v === undefined || v === null || !/^\d+$/u.test(v)) return undefined;
  return Number(v);
}

function paramString(params: Params, name: string): string | undefined {
  const v = params.get(name);
  return v === undefined || v === null ? undefined : v;
}

/**
 * name-addr / addr-spec followed by header parameters (RFC 3261 §20.10, §25.1). Without `<>`, everything after the
 * first ';' is a header parameter, not a URI parameter.
 */
export function parseNameAddr(raw: string): Parsed<NameAddr> {
  const s = raw.trim();
  let i = 0;
  let displayName: string | undefined;
  let uriText: string;
  let problem: string | undefined;
  if (s.startsWith('"')) {
    const q = readQuoted(s, 0);
    if (q.end < 0) return fail(`expected a closing '"' for the display name, found the end of the value`);
    displayName = q.text;
    i = q.end;
    while (isWs(s[i])) i++;
    if (s[i] !== '<') return fail(`expected '<' after the display name, found "${s.slice(i, i + 20)}"`);
  }
  const lt = s.indexOf('<', i);
  const semi = s.indexOf(';', i);
  if (lt >= 0 && (semi < 0 || lt < semi || displayName !== undefined)) {
    if (displayName === undefined) {
      const dn = s.slice(0, lt).trim();
      if (dn.length > 0) {
        displayName = dn;
        // RFC 3261 §25.1: an unquoted display name is *(token LWS).
        if (/[^\w\s\-.!%*+`'~]/u.test(dn)) {
          problem = `expected the display name to be tokens or a quoted string, found "${dn}"`;
        }
      }
    }
    const gt = s.indexOf('>', lt);
    if (gt < 0) return fail(`expected '>' closing the URI, found the end of the value`);
    uriText = s.slice(lt + 1, gt);
    i = gt + 1;
    if (uriText.trim() !== uriText) {
      // RFC 3261 §25.1: name-addr = [ display-name ] LAQUOT addr-spec RAQUOT; no white space inside (RFC 4475 §3.1.2.14).
      problem ??= `expected no white space inside '<>' around the URI, found "<${uriText}>"`;
    }
  } else {
    let j = i;
    while (j < s.length && s[j] !== ';') j++;
    uriText = s.slice(i, j).trim();
    i = j;
    if (/[\s,?]/u.test(uriText)) {
      // RFC 3261 §20.10: an addr-spec holding ',', '?' or ';' must be in '<>'.
      problem = `expected a URI holding ',', '?' or white space to be enclosed in '<>' (RFC 3261 §20.10), found "${uriText}"`;
    }
  }
  const u = parseUri(uriText);
  problem ??= u.problem;
  const p = parseParams(s, i);
  problem ??= p.problem;
  const value: Mutable<NameAddr> = { uri: u.uri, params: p.params, raw };
  if (displayName !== undefined) value.displayName = displayName;
  return ok(value, problem);
}

export function parseFromTo(raw: string): Parsed<FromTo> {
  const na = parseNameAddr(raw);
  if (!na.ok) return na;
  const tag = paramString(na.value.params, 'tag');
  // parseNameAddr's value is a fresh object: add the tag to it rather than copying it.
  const value = na.value as Mutable<FromTo>;
  if (tag !== undefined) value.tag = tag;
  return ok(value, na.problem);
}

export function parseContact(raw: string): Parsed<Contact> {
  if (raw.trim() === '*') {
    return ok({ star: true, uri: { raw: '*', scheme: '', params: new Map(), headers: new Map() }, params: new Map(), raw });
  }
  const na = parseNameAddr(raw);
  if (!na.ok) return na;
  const expires = paramNumber(na.value.params, 'expires');
  const qText = paramString(na.value.params, 'q');
  const q = qText !== undefined && /^[01](?:\.\d{0,3})?$/u.test(qText) ? Number(qText) : undefined;
  let problem = na.problem;
  if (qText !== undefined && q === undefined) problem ??= `expected q between 0 and 1 (RFC 3261 §20.10), found "${qText}"`;
  const value = na.value as Mutable<Contact>;
  value.star = false;
  if (expires !== undefined) value.expires = expires;
  if (q !== undefined) value.q = q;
  return ok(value, problem);
}

/** RFC 3261 §20.42: sent-protocol LWS sent-by *( SEMI via-params ), LWS allowed around '/' */
export function parseVia(raw: string): Parsed<Via> {
  const s = raw;
  let i = 0;
  const words: string[] = [];
  for (let k = 0; k < 3; k++) {
    while (isWs(s[i])) i++;
    let j = i;
    while (j < s.length && s[j] !== '/' && !isWs(s[j]) && s[j] !== ';') j++;
    words.push(s.slice(i, j));
    i = j;
    while (isWs(s[i])) i++;
    if (k < 2) {
      if (s[i] !== '/') return fail(`expected "SIP/2.0/transport sent-by", found "${s.trim().slice(0, 40)}"`);
      i++;
    }
  }
  const [name, version, transport] = words as [string, string, string];
  if (name.length === 0 || version.length === 0 || transport.length === 0) {
    return fail(`expected "SIP/2.0/transport sent-by", found "${s.trim().slice(0, 40)}"`);
  }
  while (isWs(s[i])) i++;
  // sent-by = host [ COLON port ]; the host may be a bracketed IPv6 reference.
  let host: string;
  let j = i;
  if (s[i] === '[') {
    const close = s.indexOf(']', i);
    if (close < 0) return fail(`expected ']' closing the IPv6 sent-by, found the end of the value`);
    host = s.slice(i + 1, close);
    j = close + 1;
  } else {
    while (j < s.length && s[j] !== ':' && s[j] !== ';' && !isWs(s[j])) j++;
    host = s.slice(i, j);
  }
  if (host.length === 0) return fail('expected a sent-by host in Via, found none');
  let port: number | undefined;
  let problem: string | undefined;
  while (isWs(s[j])) j++;
  if (s[j] === ':') {
    j++;
    while (isWs(s[j])) j++;
    let k = j;
    while (k < s.length && s[k]! >= '0' && s[k]! <= '9') k++;
    const n = Number(s.slice(j, k));
    if (k === j || n > 65535) problem = `expected a port after ':' in Via sent-by, found "${s.slice(j, j + 10)}"`;
    else port = n;
    j = k;
  }
  while (isWs(s[j])) j++;
  if (j < s.length && s[j] !== ';') problem ??= `expected ';' or the end after the Via sent-by, found "${s.slice(j, j + 20)}"`;
  const p = parseParams(s, j);
  problem ??= p.problem;
  const params = p.params;
  const rportValue = params.get('rport');
  const ttl = paramNumber(params, 'ttl');
  const branch = paramString(params, 'branch');
  const received = paramString(params, 'received');
  const maddr = paramString(params, 'maddr');
  const via: Mutable<Via> = { protocol: `${name}/${version}`, transport: transport.toUpperCase(), host, params, raw };
  if (port !== undefined) via.port = port;
  if (branch !== undefined) via.branch = branch;
  if (received !== undefined) via.received = received;
  if (rportValue !== undefined) via.rport = rportValue === null ? null : Number(rportValue);
  if (maddr !== undefined) via.maddr = maddr;
  if (ttl !== undefined) via.ttl = ttl;
  if (rportValue !== undefined && rportValue !== null && !/^\d{1,5}$/u.test(rportValue)) {
    problem ??= `expected a port number as the rport value, found "${rportValue}"`;
  }
  return ok(via, problem);
}

/** RFC 3261 §20.16: 1*DIGIT LWS Method; the number is below 2^31. */
export function parseCSeq(raw: string): Parsed<CSeq> {
  const s = raw.trim();
  let i = 0;
  while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++;
  if (i === 0) return fail(`expected a sequence number then a method, found "${s.slice(0, 30)}"`);
  const digits = s.slice(0, i);
  const seq = Number(digits);
  const method = s.slice(i).trim();
  if (method.length === 0) return fail(`expected a method after the CSeq number, found none`);
  if (/\s/u.test(method)) return fail(`expected one method after the CSeq number, found "${method}"`);
  if (i > 10 || seq > 0x7fffffff) {
    return ok({ seq, method }, `expected a CSeq number below 2^31 (RFC 3261 §8.1.1.5), found ${digits}`);
  }
  return ok({ seq, method });
}

/** delta-seconds (RFC 3261 §25.1): 1*DIGIT; overlarge values are capped at 2^32-1 (§20.19). */
export function parseDeltaSeconds(raw: string): Parsed<number> {
  const s = raw.trim();
  if (!/^\d+$/u.test(s)) return fail(`expected a number of seconds, found "${s.slice(0, 30)}"`);
  const n = Number(s);
  if (s.length > 10 || n > 0xffffffff) {
    return ok(0xffffffff, `expected at most 4294967295 seconds, found ${s}`);
  }
  return ok(n);
}

export function parseMaxForwards(raw: string): Parsed<number> {
  const s = raw.trim();
  if (!/^\d+$/u.test(s)) return fail(`expected Max-Forwards to be a number 0-255, found "${s.slice(0, 30)}"`);
  const n = Number(s);
  if (n > 255) return ok(n, `expected Max-Forwards 0-255 (RFC 3261 §20.22), found ${s}`);
  return ok(n);
}

/** RFC 3261 §20.33: delta-seconds [ comment ] *( SEMI retry-param ) */
export function parseRetryAfter(raw: string): Parsed<RetryAfter> {
  const s = raw.trim();
  let i = 0;
  while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++;
  if (i === 0) return fail(`expected a number of seconds in Retry-After, found "${s.slice(0, 30)}"`);
  const digits = s.slice(0, i);
  const seconds = Number(digits);
  const overlarge = digits.length > 10 || seconds > 0xffffffff;
  while (isWs(s[i])) i++;
  let comment: string | undefined;
  if (s[i] === '(') {
    let depth = 0;
    let j = i;
    for (; j < s.length; j++) {
      if (s[j] === '(') depth++;
      else if (s[j] === ')' && --depth === 0) break;
    }
    comment = s.slice(i + 1, j).trim();
    i = j + 1;
  }
  const p = parseParams(s, i);
  const duration = paramNumber(p.params, 'duration');
  return ok(
    { seconds: overlarge ? 0xffffffff : seconds, ...(duration !== undefined && { duration }), ...(comment !== undefined && { comment }) },
    overlarge ? `expected at most 4294967295 seconds (RFC 3261 §20.33), found ${digits}` : p.problem,
  );
}

/** RFC 3261 §20.43: warn-code SP warn-agent SP warn-text */
export function parseWarning(raw: string): Parsed<Warning> {
  const s = raw.trim();
  const m = /^(\d{3})\s+(\S+)\s+/u.exec(s);
  if (!m) return fail(`expected "warn-code warn-agent \\"text\\"", found "${s.slice(0, 40)}"`);
  const rest = s.slice(m[0].length);
  let text = rest;
  let problem: string | undefined;
  if (rest.startsWith('"')) {
    const q = readQuoted(rest, 0);
    text = q.text;
    if (q.end < 0) problem = 'expected a closing \'"\' for the warn-text, found the end of the value';
  } else {
    problem = 'expected the warn-text to be a quoted string';
  }
  return ok({ code: Number(m[1]), agent: m[2]!, text, raw }, problem);
}

/** RFC 3326: protocol *( SEMI reason-params ), cause and text among them. */
export function parseReason(raw: string): Parsed<Reason> {
  const s = raw.trim();
  let i = 0;
  while (i < s.length && s[i] !== ';' && !isWs(s[i])) i++;
  const protocol = s.slice(0, i);
  if (protocol.length === 0) return fail(`expected a protocol (SIP, Q.850) in Reason, found "${s.slice(0, 30)}"`);
  const p = parseParams(s, i);
  const cause = paramNumber(p.params, 'cause');
  const text = paramString(p.params, 'text');
  return ok(
    { protocol, ...(cause !== undefined && { cause }), ...(text !== undefined && { text }), params: p.params, raw },
    p.problem,
  );
}

/** auth-scheme LWS auth-param *(COMMA auth-param) (RFC 3261 §25.1). */
function parseAuthParams(raw: string): Parsed<{ scheme: string; params: Map<string, string | null> }> {
  const s = raw.trim();
  let i = 0;
  while (i < s.length && !isWs(s[i])) i++;
  const scheme = s.slice(0, i);
  if (scheme.length === 0) return fail('expected an authentication scheme (Digest), found none');
  const p = parseParams(s, i, ',');
  return ok({ scheme, params: p.params }, p.problem);
}

export function parseChallenge(raw: string): Parsed<Challenge> {
  const a = parseAuthParams(raw);
  if (!a.ok) return a;
  const { scheme, params } = a.value;
  const get = (n: string): string | undefined => paramString(params, n);
  const stale = get('stale');
  const qop = get('qop');
  const realm = get('realm');
  const nonce = get('nonce');
  const opaque = get('opaque');
  const algorithm = get('algorithm');
  const domain = get('domain');
  return ok(
    {
      scheme,
      ...(realm !== undefined && { realm }),
      ...(nonce !== undefined && { nonce }),
      ...(opaque !== undefined && { opaque }),
      ...(stale !== undefined && { stale: stale.toLowerCase() === 'true' }),
      ...(algorithm !== undefined && { algorithm }),
      ...(qop !== undefined && { qop: qop.split(',').map((q) => q.trim()).filter((q) => q.length > 0) }),
      ...(domain !== undefined && { domain }),
      params,
      raw,
    },
    a.problem,
  );
}

export function parseCredentials(raw: string): Parsed<Credentials> {
  const a = parseAuthParams(raw);
  if (!a.ok) return a;
  const { scheme, params } = a.value;
  const out: Record<string, string> = {};
  for (const n of ['username', 'realm', 'nonce', 'uri', 'response', 'algorithm', 'cnonce', 'opaque', 'qop', 'nc']) {
    const v = paramString(params, n);
    if (v !== undefined) out[n] = v;
  }
  return ok({ scheme, ...out, params, raw } as Credentials, a.problem);
}

/** RFC 3261 §20.15: m-type "/" m-subtype *(SEMI m-parameter) */
export function parseContentType(raw: string): Parsed<ContentType> {
  const s = raw.trim();
  const slash = s.indexOf('/');
  if (slash <= 0) return fail(`expected "type/subtype", found "${s.slice(0, 40)}"`);
  const semi = s.indexOf(';', slash);
  const type = s.slice(0, slash).trim().toLowerCase();
  const subtype = s.slice(slash + 1, semi < 0 ? s.length : semi).trim().toLowerCase();
  if (subtype.length === 0 || /\s/u.test(type) || /\s/u.test(subtype)) {
    return fail(`expected "type/subtype", found "${s.slice(0, 40)}"`);
  }
  const p = parseParams(s, semi < 0 ? s.length : semi);
  return ok({ type, subtype, params: p.params, raw }, p.problem);
}

/** RFC 4028 §4: delta-seconds *(SEMI se-params), refresher among them. */
export function parseSessionExpires(raw: string): Parsed<SessionExpires> {
  const s = raw.trim();
  let i = 0;
  while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++;
  if (i === 0) return fail(`expected a number of seconds in Session-Expires, found "${s.slice(0, 30)}"`);
  const p = parseParams(s, i);
  const refresher = paramString(p.params, 'refresher');
  return ok({ seconds: Number(s.slice(0, i)), ...(refresher !== undefined && { refresher }) }, p.problem);
}

/** RFC 6665 §8.2.1: event-type *( SEMI event-param ) */
export function parseEvent(raw: string): Parsed<EventHeader> {
  const s = raw.trim();
  let i = 0;
  while (i < s.length && s[i] !== ';' && !isWs(s[i])) i++;
  if (i === 0) return fail('expected an event package name, found none');
  const p = parseParams(s, i);
  const id = paramString(p.params, 'id');
  return ok({ package: s.slice(0, i), ...(id !== undefined && { id }), params: p.params }, p.problem);
}

/** RFC 6665 §8.2.3: substate-value *( SEMI subexp-params ) */
export function parseSubscriptionState(raw: string): Parsed<SubscriptionState> {
  const s = raw.trim();
  let i = 0;
  while (i < s.length && s[i] !== ';' && !isWs(s[i])) i++;
  if (i === 0) return fail('expected a subscription state (active, pending, terminated), found none');
  const p = parseParams(s, i);
  const expires = paramNumber(p.params, 'expires');
  const reason = paramString(p.params, 'reason');
  const retryAfter = paramNumber(p.params, 'retry-after');
  return ok(
    {
      state: s.slice(0, i).toLowerCase(),
      ...(expires !== undefined && { expires }),
      ...(reason !== undefined && { reason }),
      ...(retryAfter !== undefined && { retryAfter }),
    },
    p.problem,
  );
}

/** RFC 3329 §2.2: mechanism-name *(SEMI mech-parameters) */
export function parseSecurityMechanism(raw: string): Parsed<SecurityMechanism> {
  const s = raw.trim();
  let i = 0;
  while (i < s.length && s[i] !== ';' && !isWs(s[i])) i++;
  if (i === 0) return fail('expected a security mechanism name, found none');
  const p = parseParams(s, i);
  return ok({ mechanism: s.slice(0, i), params: p.params }, p.problem);
}

/** RFC 3262 §7.2: response-num LWS CSeq-num LWS Method */
export function parseRAck(raw: string): Parsed<RAck> {
  const m = /^(\d{1,10})\s+(\d{1,10})\s+(\S+)$/u.exec(raw.trim());
  if (!m) return fail(`expected "rseq cseq method" in RAck, found "${raw.trim().slice(0, 40)}"`);
  return ok({ rseq: Number(m[1]), cseq: Number(m[2]), method: m[3]! });
}

/** A comma-separated list of tokens (Supported, Require, Allow, …), each trimmed. */
export function parseTokenList(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values) for (const t of v.split(',')) {
    const x = t.trim();
    if (x.length > 0) out.push(x);
  }
  return out;
}
