import type { Issue, Severity } from '../model/issue.js';
import type { SipMessage } from '../model/sip-message.js';
import { identifyName } from './header-names.js';
import { TOKEN_BYTES } from './parse-message.js';

/** Headers every request and response carries (RFC 3261 §8.1.1, §20 table 2). */
const MANDATORY = ['To', 'From', 'CSeq', 'Call-ID'] as const;

/** Headers with a single value (RFC 3261 §7.3.1: only list headers may repeat). */
const SINGLE = ['To', 'From', 'CSeq', 'Call-ID', 'Max-Forwards', 'Content-Type', 'Expires', 'Min-Expires', 'Date'] as const;
const SINGLE_IDS = SINGLE.map((name) => identifyName(name));

const MONTHS = new Set(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']);
const WKDAYS = new Set(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);

/**
 * Reports where a message breaks the RFC 3261 grammar and the rules around it, beyond what the tolerant parse
 * reports: mandatory and single-valued headers, CSeq method against the request method, Date format, headers in
 * the Request-URI, and every typed header's grammar (each accessor is read). Off the hot path. Returns the issues of
 * the message after the check (the parse issues included), without duplicates.
 */
export function checkStrict(message: SipMessage): Issue[] {
  const found: Issue[] = [];
  // Each header's name identified once (long or compact form, any case): counting and finding go by id.
  const headers = message.headers;
  const ids = headers.map((h) => identifyName(h.name));
  const span = (name: string): { start: number; end: number } | undefined => {
    const id = identifyName(name);
    const at = id === 0 ? -1 : ids.indexOf(id);
    const h = at < 0 ? undefined : headers[at];
    return h === undefined ? undefined : { start: h.start, end: h.end };
  };
  const add = (code: string, severity: Severity, text: string, where?: { start: number; end: number }): void => {
    found.push(where === undefined ? { code, severity, message: text } : { code, severity, message: text, span: where });
  };

  // Read every typed accessor: each adds its grammar problems to message.issues.
  touchAccessors(message);

  for (const name of MANDATORY) {
    if (message.header(name) === undefined) {
      add('missing-header', 'error', `expected a ${name} header (RFC 3261 §8.1.1), found none`);
    }
  }
  if (message.via.length === 0 && message.header('Via') === undefined) {
    add('missing-header', 'error', 'expected at least one Via header (RFC 3261 §8.1.1.7), found none');
  }
  if (message.kind === 'request' && message.header('Max-Forwards') === undefined) {
    // RFC 2543 requests lack it (RFC 4475 §3.4.1), so this is a warning.
    add('missing-header', 'warning', 'expected a Max-Forwards header in a request (RFC 3261 §8.1.1.6), found none');
  }
  for (let k = 0; k < SINGLE.length; k++) {
    const name = SINGLE[k]!;
    const id = SINGLE_IDS[k]!;
    let count = 0;
    for (const x of ids) if (x === id) count++;
    if (count > 1) {
      add('multiple-values', 'error', `expected one ${name} header (RFC 3261 §7.3.1), found ${count}`, span(name));
    }
  }
  for (const h of headers) {
    // RFC 3261 §7.3.1, §25.1: field-name = token
    for (let k = 0; k < h.name.length; k++) {
      const c = h.name.charCodeAt(k);
      if (c >= 0x80 || TOKEN_BYTES[c] !== 1) {
        add('bad-header-name', 'warning', `expected a header name made of token characters (RFC 3261 §25.1), found "${h.name}"`, {
          start: h.start,
          end: h.end,
        });
        break;
      }
    }
  }
  const cseq = message.cseq;
  if (message.kind === 'request' && cseq !== undefined && message.method !== undefined && cseq.method !== message.method) {
    // RFC 3261 §8.1.1.5: the CSeq method MUST match the request's method.
    add(
      'cseq-method-mismatch',
      'error',
      `expected the CSeq method to be ${message.method} (the request method, RFC 3261 §8.1.1.5), found ${cseq.method}`,
      span('CSeq'),
    );
  }
  if (message.kind === 'request') {
    const uri = message.parsedRequestUri;
    if (uri !== undefined && uri.headers.size > 0) {
      // RFC 3261 §19.1.1 table 1: headers are not allowed in a Request-URI.
      add('bad-request-uri', 'warning', 'expected no headers (?…) in the Request-URI (RFC 3261 §19.1.1), found some');
    }
  }
  const date = message.header('Date');
  if (date !== undefined && !isRfc1123Date(date)) {
    add(
      'bad-date',
      'warning',
      `expected an RFC 1123 date in GMT ("Sat, 13 Nov 2010 23:29:00 GMT", RFC 3261 §20.17), found "${date}"`,
      span('Date'),
    );
  }
  for (const via of message.via) {
    if (via.protocol.replace(/\s/gu, '').toUpperCase() !== 'SIP/2.0') {
      add('bad-via', 'warning', `expected the Via protocol SIP/2.0, found ${via.protocol}`, span('Via'));
    }
  }
  // Merge with the issues already on the message, without repeating any.
  const seen = new Set<string>();
  const out: Issue[] = [];
  for (const i of [...message.issues, ...found]) {
    const key = `${i.code}|${i.span?.start}|${i.span?.end}|${i.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(i);
  }
  return out;
}

/** Reads every typed accessor once (they cache), so that their grammar problems become issues. */
export function touchAccessors(m: SipMessage): void {
  void [
    m.parsedRequestUri,
    m.callId,
    m.cseq,
    m.via,
    m.from,
    m.to,
    m.contacts,
    m.maxForwards,
    m.expires,
    m.minExpires,
    m.retryAfter,
    m.warnings,
    m.reasons,
    m.wwwAuthenticate,
    m.proxyAuthenticate,
    m.authorization,
    m.proxyAuthorization,
    m.routes,
    m.recordRoutes,
    m.contentType,
    m.contentLength,
    m.supported,
    m.require,
    m.proxyRequire,
    m.unsupported,
    m.allow,
    m.accept,
    m.userAgent,
    m.server,
    m.sessionExpires,
    m.minSe,
    m.pAssertedIdentity,
    m.diversion,
    m.historyInfo,
    m.event,
    m.subscriptionState,
    m.securityServer,
    m.rseq,
    m.rack,
    m.parts,
    m.sdp,
  ];
}

/** RFC 3261 §25.1 rfc1123-date: wkday "," SP date1 SP time SP "GMT" (date1 = 2DIGIT SP month SP 4DIGIT). */
function isRfc1123Date(s: string): boolean {
  const f = s.trim().split(' ');
  if (f.length !== 6) return false;
  const [wk, day, mon, year, time, zone] = f as [string, string, string, string, string, string];
  return (
    wk.endsWith(',') &&
    WKDAYS.has(wk.slice(0, -1)) &&
    /^\d{2}$/u.test(day) &&
    MONTHS.has(mon) &&
    /^\d{4}$/u.test(year) &&
    /^\d{2}:\d{2}:\d{2}$/u.test(time) &&
    zone === 'GMT'
  );
}
