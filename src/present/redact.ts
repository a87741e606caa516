import type { AnalysisResult, Credentials, Challenge, JsonValue, MessageRecord, SipUri } from '../model/index.js';
import type { MessageView } from './message-view.js';
import { TableReplacer } from './table-replacer.js';

/**
 * `secrets`: passwords, digest responses, nonces, cnonces, opaque values and SRTP keys (what `--redact` always hides).
 * `all`: also user parts, numbers, display names and IP addresses, replaced by pseudonyms (`user-3`, `10.0.0.2`) that
 * stay the same for the same input across every message and every output format, so a flow stays readable.
 */
export type RedactLevel = 'none' | 'secrets' | 'all';

export interface Redactor {
  readonly level: RedactLevel;
  /** Redacts one string; the same input always gives the same output. */
  redact(text: string): string;
}

export const REDACTED = '[redacted]';

/** Parameters of Authorization / WWW-Authenticate (RFC 3261 §22.4, RFC 7616 §3.3–3.5) that carry secrets. */
const AUTH_PARAMS = ['nonce', 'cnonce', 'response', 'nextnonce', 'rspauth', 'opaque'];
/** `password=…`, `secret: …` lines of configs and some logs. */
const PASSWORD_SETTINGS = ['password', 'passwd', 'secret', 'auth_pass'];

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * Replaces the value of `name = value` (or `name: value` when `colon`) for each listed name, matched
 * case-insensitively at a word start; a quoted value keeps its quotes. Hand-written: the regex form backtracks.
 */
function redactNamedValues(text: string, names: readonly string[], colon: boolean): string {
  const lower = text.toLowerCase();
  let out = '';
  let last = 0;
  let i = 0;
  while (i < text.length) {
    let hit: string | undefined;
    if (i === 0 || !isTokenChar(text.charCodeAt(i - 1))) {
      for (const n of names) if (lower.startsWith(n, i) && !isTokenChar(text.charCodeAt(i + n.length))) hit = n;
    }
    if (hit === undefined) {
      i++;
      continue;
    }
    let j = i + hit.length;
    while (j < text.length && isSpace(text.charCodeAt(j))) j++;
    const sep = text[j];
    if (sep !== '=' && !(colon && sep === ':')) {
      i = j;
      continue;
    }
    j++;
    while (j < text.length && isSpace(text.charCodeAt(j))) j++;
    let end = j;
    let quoted = false;
    if (text[j] === '"') {
      quoted = true;
      end = j + 1;
      while (end < text.length && text[end] !== '"' && text[end] !== '\n') end++;
      if (text[end] === '"') end++;
    } else {
      while (end < text.length) {
        const c = text.charCodeAt(end);
        if (c <= 0x20 || c === 0x2c || c === 0x3b || c === 0x22) break;
        end++;
      }
    }
    if (end > j) {
      out += text.slice(last, j) + (quoted ? `"${REDACTED}"` : REDACTED);
      last = end;
    }
    i = end > j ? end : j;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Hides the password of `sip:user:secret@host` (RFC 3261 §19.1.1 userinfo; the RFC advises against using it). */
function redactUriPasswords(text: string): string {
  const lower = text.toLowerCase();
  let out = '';
  let last = 0;
  let i = lower.indexOf('sip', 0);
  while (i >= 0) {
    let j = i + 3;
    if (lower[j] === 's') j++;
    if (lower[j] === ':' && (i === 0 || !isTokenChar(text.charCodeAt(i - 1)))) {
      j++;
      let colonAt = -1;
      let k = j;
      while (k < text.length) {
        const c = text.charCodeAt(k);
        if (c <= 0x20 || c === 0x40 || c === 0x3b || c === 0x3e || c === 0x2c || c === 0x22) break;
        if (c === 0x3a && colonAt < 0) colonAt = k;
        k++;
      }
      if (text[k] === '@' && colonAt > j && k > colonAt + 1) {
        out += text.slice(last, colonAt + 1) + REDACTED;
        last = k;
      }
      i = lower.indexOf('sip', k);
    } else {
      i = lower.indexOf('sip', i + 3);
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

/** SDES keys in SDP: `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY|2^20` (RFC 4568 §6.1). */
function redactSdesKeys(text: string): string {
  let out = '';
  let last = 0;
  const lower = text.toLowerCase();
  let i = lower.indexOf('inline:');
  while (i >= 0) {
    const start = i + 7;
    let end = start;
    while (end < text.length && text.charCodeAt(end) > 0x20 && text[end] !== '|') end++;
    if (end > start) {
      out += text.slice(last, start) + REDACTED;
      last = end;
    }
    i = lower.indexOf('inline:', end);
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Any `sip:`/`sips:`/`tel:` scheme right before a token marks that token as a user part. */
const SCHEMES = ['sip:', 'sips:', 'tel:'];

function isTokenChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x5f || // _
    c === 0x2b || // +
    c === 0x2e || // .
    c === 0x25 || // %
    c === 0x2d || // -
    c === 0x7e || // ~
    c === 0x21 || // !
    c === 0x2a // *
  );
}

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** `a.b.c.d` with each part 0..255. */
function isIpv4(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  return parts.every((p) => p.length > 0 && p.length <= 3 && isDigits(p) && Number(p) <= 255);
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** A plausible IPv6 literal: hex groups of 1..4 with `::` or 7 colons, optionally an IPv4 tail. */
function isIpv6(s: string): boolean {
  const colons = s.split(':').length - 1;
  if (colons < 2) return false;
  if (!s.includes('::') && colons !== 7 && !(colons === 6 && s.includes('.'))) return false;
  const groups = s.split(':');
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i] ?? '';
    if (g.length === 0) continue;
    if (i === groups.length - 1 && g.includes('.')) {
      if (!isIpv4(g)) return false;
      continue;
    }
    if (g.length > 4) return false;
    for (let j = 0; j < g.length; j++) if (!isHex(g.charCodeAt(j))) return false;
  }
  return true;
}

/** Builds a redactor, learning the secrets and identities from the messages first so pseudonyms follow their order. */
export function createRedactor(level: RedactLevel, records: Iterable<MessageRecord> = []): Redactor {
  const learner = createRedactionLearner(level);
  for (const r of records) learner.learn(r);
  return learner.redactor();
}

/**
 * Learns the secrets and identities of messages one at a time, then gives the redactor that hides them: what
 * createRedactor does, for a pass over inputs too large to hold (`messages --redact` and `export --redact` read their
 * files twice: once to learn, once to write).
 */
export interface RedactionLearner {
  learn(record: MessageRecord): void;
  /** The redactor of everything learnt; call it once, after the last `learn`. */
  redactor(): Redactor;
}

export function createRedactionLearner(level: RedactLevel): RedactionLearner {
  if (level === 'none') return { learn: () => undefined, redactor: () => ({ level, redact: (t) => t }) };
  const secrets = new Map<string, string>();
  const users = new Map<string, string>();
  const names = new Map<string, string>();
  const ips = new Map<string, string>();
  const addSecret = (s: string | undefined): void => {
    if (s !== undefined && s.length >= 4) secrets.set(s, REDACTED);
  };
  const addUser = (u: string | undefined): void => {
    if (u !== undefined && u.length > 0 && !users.has(u)) users.set(u, `user-${users.size + 1}`);
  };
  const addName = (n: string | undefined): void => {
    const t = n?.trim();
    if (t !== undefined && t.length >= 2 && !names.has(t)) names.set(t, `name-${names.size + 1}`);
  };
  const addIp = (ip: string): string => {
    let p = ips.get(ip);
    if (p === undefined) {
      const n = ips.size + 1;
      p = ip.includes(':') ? `fd00::${n.toString(16)}` : `10.0.${n >> 8}.${n & 255}`;
      ips.set(ip, p);
    }
    return p;
  };
  const creds = (list: readonly (Credentials | Challenge)[]): void => {
    for (const c of list) {
      addSecret(c.nonce);
      addSecret(c.opaque);
      if ('response' in c) {
        addSecret(c.response);
        addSecret(c.cnonce);
        if (level === 'all') addUser(c.username);
      }
    }
  };
  const uri = (u: SipUri | undefined): void => {
    if (u === undefined) return;
    addSecret(u.password);
    if (level === 'all') addUser(u.user);
  };
  const learn = ({ message: m }: MessageRecord): void => {
    creds(m.authorization);
    creds(m.proxyAuthorization);
    creds(m.wwwAuthenticate);
    creds(m.proxyAuthenticate);
    uri(m.parsedRequestUri);
    for (const na of [m.from, m.to, ...m.contacts, ...m.pAssertedIdentity, ...m.diversion]) {
      if (na === undefined) continue;
      uri(na.uri);
      if (level === 'all') addName(na.displayName);
    }
  };
  const redactSecrets = (text: string, secretReplacer: TableReplacer): string => {
    let out = redactNamedValues(text, AUTH_PARAMS, false);
    out = redactNamedValues(out, PASSWORD_SETTINGS, true);
    out = redactUriPasswords(out);
    out = redactSdesKeys(out);
    out = secretReplacer.replace(out);
    return out;
  };

  /** One scan over tokens: IP addresses and user parts become their pseudonyms. */
  const redactIdentities = (text: string, nameReplacer: TableReplacer): string => {
    let out = nameReplacer.replace(text);
    out = replaceIpv6(out, addIp);
    let result = '';
    let i = 0;
    while (i < out.length) {
      if (!isTokenChar(out.charCodeAt(i))) {
        const start = i;
        while (i < out.length && !isTokenChar(out.charCodeAt(i))) i++;
        result += out.slice(start, i);
        continue;
      }
      const start = i;
      while (i < out.length && isTokenChar(out.charCodeAt(i))) i++;
      const token = out.slice(start, i);
      result += mapToken(token, out, start);
    }
    return result;
  };

  const mapToken = (token: string, text: string, start: number): string => {
    if (isIpv4(token)) return addIp(token);
    const afterScheme = SCHEMES.some((s) => start >= s.length && text.slice(start - s.length, start).toLowerCase() === s);
    // A user part right after the scheme is one, known or not; elsewhere only known users are, and short numbers are
    // left alone there because they are far more often ports, codes or counters.
    if (afterScheme && (text[start + token.length] === '@' || text.slice(start - 4, start).toLowerCase() === 'tel:')) {
      addUser(token);
      return users.get(token) ?? token;
    }
    // A port after a host (`10.0.0.1:5060`, `[2001:db8::1]:5060`, `pbx.example:5080`) stays, even when an extension
    // of the same number is a known user: pseudonymising it broke every address in `--redact=all` output.
    if (!afterScheme && start > 0 && text[start - 1] === ':' && isDigits(token) && token.length <= 5 && text[start + token.length] !== '@') return token;
    const known = users.get(token);
    if (known !== undefined && !(isDigits(token) && token.length < 4)) return known;
    // Phone numbers anywhere (7 digits or more, optionally with +): the `=all` level hides every number.
    const bare = token.startsWith('+') ? token.slice(1) : token;
    if (isDigits(bare) && bare.length >= 7 && !afterScheme) {
      const isTimeOrCounter = !token.startsWith('+') && looksLikeCounter(text, start);
      if (!isTimeOrCounter) {
        addUser(token);
        return users.get(token) ?? token;
      }
    }
    // A known user inside a longer token (a Call-ID `reg-dave-1-4941`, a tag, a file name) is the same identity.
    if (token.includes('-') || token.includes('.') || token.includes('_')) {
      let changed = false;
      const parts = token.split(/([-._])/).map((part) => {
        const pseudonym = part.length >= 3 && !isDigits(part) ? users.get(part) : undefined;
        if (pseudonym === undefined) return part;
        changed = true;
        return pseudonym;
      });
      if (changed) return parts.join('');
    }
    return token;
  };

  return {
    learn,
    redactor() {
      // Learning is over: the secrets and display names are fixed from here, so their index is built once.
      const secretReplacer = new TableReplacer(secrets);
      const nameReplacer = new TableReplacer(names);
      return {
        level,
        redact(text: string): string {
          const s = redactSecrets(text, secretReplacer);
          return level === 'all' ? redactIdentities(s, nameReplacer) : s;
        },
      };
    },
  };
}

/** Numbers in `o=`, CSeq, Content-Length and similar lines are counters, not telephone numbers. */
function looksLikeCounter(text: string, start: number): boolean {
  const lineStart = text.lastIndexOf('\n', start) + 1;
  const head = text.slice(lineStart, Math.min(start, lineStart + 20)).toLowerCase();
  return (
    head.startsWith('o=') ||
    head.startsWith('cseq') ||
    head.startsWith('content-length') ||
    head.startsWith('l:') ||
    head.startsWith('rseq') ||
    head.startsWith('rack') ||
    head.startsWith('t=')
  );
}

/** Replaces IPv6 literals (bare or in brackets) found by scanning runs of hex digits, colons and dots. */
function replaceIpv6(text: string, map: (ip: string) => string): string {
  let out = '';
  let last = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isHex(c) || c === 0x3a) {
      const start = i;
      while (i < text.length) {
        const d = text.charCodeAt(i);
        if (!(isHex(d) || d === 0x3a || d === 0x2e)) break;
        i++;
      }
      let candidate = text.slice(start, i);
      const prev = start > 0 ? text.charCodeAt(start - 1) : 0;
      const next = i < text.length ? text.charCodeAt(i) : 0;
      // A bracketed literal ends at `]`; a bare one must not be glued to other word characters.
      const glued = (prev !== 0x5b && isTokenChar(prev)) || (next !== 0x5d && isTokenChar(next) && next !== 0x2e);
      if (candidate.endsWith('.')) candidate = candidate.slice(0, -1);
      if (!glued && isIpv6(candidate)) {
        out += text.slice(last, start) + map(candidate);
        last = start + candidate.length;
      }
      continue;
    }
    i++;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Applies a redactor to every string of a message view. */
export function redactView(view: MessageView, r: Redactor): MessageView {
  if (r.level === 'none') return view;
  const s = (v: string | null): string | null => (v === null ? null : r.redact(v));
  return {
    ...view,
    method: s(view.method),
    reason: s(view.reason),
    callId: s(view.callId),
    from: s(view.from),
    to: s(view.to),
    fromUser: s(view.fromUser),
    toUser: s(view.toUser),
    fromDisplay: s(view.fromDisplay),
    timeLabel: view.timeLabel,
    src: r.redact(view.src),
    dst: r.redact(view.dst),
    origin: r.redact(view.origin),
    startLine: r.redact(view.startLine),
    keyLines: view.keyLines.map((l) => r.redact(l)),
    text: r.redact(view.text),
  };
}

/** Every string of a JSON value, redacted: for any plain JSON output (the `messages --json` objects, the analysis). */
export function redactJson(value: JsonValue, r: Redactor): JsonValue {
  if (typeof value === 'string') return r.redact(value);
  if (Array.isArray(value)) return value.map((v: JsonValue) => redactJson(v, r));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactJson(v, r);
    return out;
  }
  return value;
}

/** Applies a redactor to every string of an analysis result (keys and numbers stay). */
export function redactResult(result: AnalysisResult, r: Redactor): AnalysisResult {
  if (r.level === 'none') return result;
  // The result is plain JSON data by contract, so a structural walk over it is exact.
  return redactJson(result as unknown as JsonValue, r) as unknown as AnalysisResult;
}
