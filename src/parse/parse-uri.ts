import type { SipUri } from '../model/sip-uri.js';
import { percentDecode } from './decode.js';

const EMPTY_HEADERS: ReadonlyMap<string, string> = new Map();

/** The same object type with its fields writable, to build it field by field. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Parses a URI (RFC 3261 §19.1.1 for sip/sips, RFC 3966 for tel). Other schemes keep `scheme` and `raw`.
 * Returns the URI and, when something did not fit the grammar, a description of what was expected.
 */
export function parseUri(raw: string): { uri: SipUri; problem?: string } {
  const text = raw.trim();
  const colon = text.indexOf(':');
  if (colon <= 0 || !isScheme(text, colon)) {
    return {
      uri: { raw, scheme: '', params: new Map(), headers: EMPTY_HEADERS },
      problem: `expected a URI (scheme ':' …), found "${text.slice(0, 40)}"`,
    };
  }
  const scheme = text.slice(0, colon).toLowerCase();
  const rest = text.slice(colon + 1);
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(raw, scheme, rest);
  if (scheme === 'tel') return parseTelUri(raw, rest);
  return { uri: { raw, scheme, params: new Map(), headers: EMPTY_HEADERS } };
}

function isScheme(s: string, end: number): boolean {
  // RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i) | 0x20;
    const alpha = c >= 0x61 && c <= 0x7a;
    if (i === 0 ? !alpha : !(alpha || (s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) || '+-.'.includes(s[i]!))) {
      return false;
    }
  }
  return true;
}

function parseSipUri(raw: string, scheme: string, rest: string): { uri: SipUri; problem?: string } {
  let problem: string | undefined;
  // userinfo ends at the last '@' (RFC 3261 §19.1.1: the user part may hold '?' and ';', but '@' only escaped;
  // header values are escaped too).
  const at = rest.lastIndexOf('@');
  const afterUser = at < 0 ? rest : rest.slice(at + 1);
  const q = afterUser.indexOf('?');
  const headersText = q < 0 ? '' : afterUser.slice(q + 1);
  let user: string | undefined;
  let password: string | undefined;
  const hostPart = q < 0 ? afterUser : afterUser.slice(0, q);
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const pc = userinfo.indexOf(':');
    if (pc >= 0) {
      user = percentDecode(userinfo.slice(0, pc));
      password = percentDecode(userinfo.slice(pc + 1));
    } else {
      user = percentDecode(userinfo);
    }
    if (userinfo.length === 0) problem = "expected a user part before '@', found none";
  }
  // host [":" port] then ";params"
  let host: string;
  let hostKind: 'name' | 'ipv4' | 'ipv6';
  let i: number;
  if (hostPart.startsWith('[')) {
    const close = hostPart.indexOf(']');
    if (close < 0) {
      problem ??= "expected ']' closing the IPv6 address, found none";
      i = hostPart.search(/[:;]/u);
      if (i < 0) i = hostPart.length;
      host = hostPart.slice(1, i);
    } else {
      host = hostPart.slice(1, close);
      i = close + 1;
    }
    hostKind = 'ipv6';
    if (!isIpv6(host)) problem ??= `expected an IPv6 address inside '[]' (RFC 5118), found "${host}"`;
  } else if (countColons(hostPart) >= 2) {
    // RFC 5118 §4.2: an IPv6 address in a SIP URI must be in brackets; without them the port is ambiguous.
    i = hostPart.indexOf(';');
    if (i < 0) i = hostPart.length;
    host = hostPart.slice(0, i);
    hostKind = 'ipv6';
    problem ??= `expected an IPv6 address in '[]' (RFC 5118 §4.2, RFC 3261 §19.1.1), found "${host}" without brackets`;
  } else {
    i = 0;
    while (i < hostPart.length && hostPart[i] !== ':' && hostPart[i] !== ';') i++;
    host = hostPart.slice(0, i);
    if (isIpv4(host)) {
      hostKind = 'ipv4';
    } else if (host.includes(':')) {
      hostKind = 'ipv6';
    } else {
      hostKind = 'name';
      if (!isHostname(host)) problem ??= `expected a host name or IP address, found "${host}"`;
    }
  }
  let port: number | undefined;
  if (hostPart[i] === ':') {
    let j = i + 1;
    while (j < hostPart.length && hostPart[j] !== ';') j++;
    const portText = hostPart.slice(i + 1, j);
    const n = Number(portText);
    if (portText.length === 0 || !/^\d{1,5}$/u.test(portText) || n > 65535) {
      problem ??= `expected a port number (0-65535) after the host, found "${portText}"`;
    } else {
      port = n;
    }
    i = j;
  }
  const params = new Map<string, string | null>();
  if (i < hostPart.length) {
    for (const p of hostPart.slice(i + 1).split(';')) {
      if (p.length === 0) continue;
      const eq = p.indexOf('=');
      if (eq < 0) params.set(percentDecode(p).toLowerCase(), null);
      else params.set(percentDecode(p.slice(0, eq)).toLowerCase(), percentDecode(p.slice(eq + 1)));
    }
  }
  let headers: ReadonlyMap<string, string> = EMPTY_HEADERS;
  if (headersText.length > 0) {
    const h = new Map<string, string>();
    for (const p of headersText.split('&')) {
      if (p.length === 0) continue;
      const eq = p.indexOf('=');
      h.set(percentDecode(eq < 0 ? p : p.slice(0, eq)), eq < 0 ? '' : percentDecode(p.slice(eq + 1)));
    }
    headers = h;
  }
  if (host.length === 0) problem ??= 'expected a host after the scheme, found none';
  // Assigned field by field: object spread of optional fields was most of this function's time in V8.
  const uri: Mutable<SipUri> = { raw, scheme, host, hostKind, params, headers };
  if (user !== undefined) uri.user = user;
  if (password !== undefined) uri.password = password;
  if (port !== undefined) uri.port = port;
  return problem === undefined ? { uri } : { uri, problem };
}

function parseTelUri(raw: string, rest: string): { uri: SipUri; problem?: string } {
  // RFC 3966 §3: telephone-subscriber = global-number / local-number, then ;params
  const parts = rest.split(';');
  const number = percentDecode(parts[0] ?? '');
  const params = new Map<string, string | null>();
  for (const p of parts.slice(1)) {
    if (p.length === 0) continue;
    const eq = p.indexOf('=');
    if (eq < 0) params.set(p.toLowerCase(), null);
    else params.set(p.slice(0, eq).toLowerCase(), percentDecode(p.slice(eq + 1)));
  }
  const uri: SipUri = { raw, scheme: 'tel', user: number, params, headers: EMPTY_HEADERS };
  return number.length === 0 ? { uri, problem: 'expected a telephone number after tel:, found none' } : { uri };
}

function countColons(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length && s[i] !== ';'; i++) if (s[i] === ':') n++;
  return n;
}

export function isIpv4(s: string): boolean {
  // dotted quad, each part 0-255 with 1-3 digits; read by hand (called for every URI host)
  let parts = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || value > 255) return false;
      parts++;
      digits = 0;
      value = 0;
    } else if (c >= 0x30 && c <= 0x39 && digits < 3) {
      value = value * 10 + (c - 0x30);
      digits++;
    } else {
      return false;
    }
  }
  return parts === 4;
}

/** RFC 4291 §2.2 text forms, with an optional trailing dotted IPv4 part (RFC 5118 §4.1). */
export function isIpv6(s: string): boolean {
  if (s.length < 2 || s.length > 45) return false;
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return false;
  const groups = s.split(':');
  let count = 0;
  for (let k = 0; k < groups.length; k++) {
    const g = groups[k]!;
    if (g.length === 0) continue;
    if (k === groups.length - 1 && g.includes('.')) {
      if (!isIpv4(g)) return false;
      count += 2;
      continue;
    }
    if (g.length > 4) return false;
    for (let i = 0; i < g.length; i++) {
      const c = g.charCodeAt(i) | 0x20;
      if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
    }
    count++;
  }
  // Empty groups are only allowed as part of one '::'.
  if (dbl < 0) return count === 8 && !groups.some((g) => g.length === 0);
  if (s.startsWith(':') && !s.startsWith('::')) return false;
  if (s.endsWith(':') && !s.endsWith('::')) return false;
  return count < 8;
}

function isHostname(s: string): boolean {
  // RFC 3261 §25.1: hostname = *( domainlabel "." ) toplabel [ "." ]; lenient on '_' which devices use.
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c === 0x2d || c === 0x2e || c === 0x5f;
    if (!ok) return false;
  }
  return true;
}
