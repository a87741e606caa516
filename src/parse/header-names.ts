/**
 * Header names: canonical spellings, compact forms, and a numeric id per known header so the eager header index never
 * builds a string. Ids are positions in CANONICAL (0 = not a known header).
 */
export const CANONICAL = [
  '',
  'Via',
  'From',
  'To',
  'Call-ID',
  'CSeq',
  'Contact',
  'Max-Forwards',
  'Content-Length',
  'Content-Type',
  'Expires',
  'Min-Expires',
  'Retry-After',
  'Warning',
  'Reason',
  'WWW-Authenticate',
  'Proxy-Authenticate',
  'Authorization',
  'Proxy-Authorization',
  'Route',
  'Record-Route',
  'Supported',
  'Require',
  'Proxy-Require',
  'Unsupported',
  'Allow',
  'Accept',
  'User-Agent',
  'Server',
  'Session-Expires',
  'Min-SE',
  'P-Asserted-Identity',
  'Diversion',
  'History-Info',
  'Event',
  'Subscription-State',
  'Security-Server',
  'RSeq',
  'RAck',
  'Content-Encoding',
  'Subject',
  'Refer-To',
  'Referred-By',
  'Allow-Events',
  'Accept-Contact',
  'Reject-Contact',
  'Request-Disposition',
  'Identity',
  'Identity-Info',
  'Date',
  'Accept-Encoding',
  'Accept-Language',
  'Alert-Info',
  'Call-Info',
  'Content-Disposition',
  'Content-Language',
  'Error-Info',
  'In-Reply-To',
  'MIME-Version',
  'Organization',
  'Priority',
  'Reply-To',
  'Timestamp',
  'Authentication-Info',
  'Security-Client',
  'Security-Verify',
  'P-Preferred-Identity',
  'Path',
  'Service-Route',
  'Privacy',
  'Replaces',
  'Join',
  'Refer-Sub',
  'Target-Dialog',
  'SIP-ETag',
  'SIP-If-Match',
  'P-Charging-Vector',
  'P-Access-Network-Info',
  'P-Called-Party-ID',
  'Remote-Party-ID',
  'Geolocation',
  'Feature-Caps',
  'Recv-Info',
  'Info-Package',
  'Session-ID',
  'Max-Breadth',
] as const;

export const H = {
  via: 1,
  from: 2,
  to: 3,
  callId: 4,
  cseq: 5,
  contact: 6,
  maxForwards: 7,
  contentLength: 8,
  contentType: 9,
  expires: 10,
  minExpires: 11,
  retryAfter: 12,
  warning: 13,
  reason: 14,
  wwwAuthenticate: 15,
  proxyAuthenticate: 16,
  authorization: 17,
  proxyAuthorization: 18,
  route: 19,
  recordRoute: 20,
  supported: 21,
  require: 22,
  proxyRequire: 23,
  unsupported: 24,
  allow: 25,
  accept: 26,
  userAgent: 27,
  server: 28,
  sessionExpires: 29,
  minSe: 30,
  pAssertedIdentity: 31,
  diversion: 32,
  historyInfo: 33,
  event: 34,
  subscriptionState: 35,
  securityServer: 36,
  rseq: 37,
  rack: 38,
  date: 49,
} as const;

/**
 * Compact forms: RFC 3261 §7.3.3 (c, e, f, i, k, l, m, s, t, v) and those registered later in the IANA "Header
 * Fields" registry: a Accept-Contact, d Request-Disposition, j Reject-Contact (RFC 3841); b Referred-By (RFC 3892);
 * n Identity-Info, y Identity (RFC 4474); o Event, u Allow-Events (RFC 6665); r Refer-To (RFC 3515);
 * x Session-Expires (RFC 4028).
 */
const COMPACT: Record<string, string> = {
  a: 'Accept-Contact',
  b: 'Referred-By',
  c: 'Content-Type',
  d: 'Request-Disposition',
  e: 'Content-Encoding',
  f: 'From',
  i: 'Call-ID',
  j: 'Reject-Contact',
  k: 'Supported',
  l: 'Content-Length',
  m: 'Contact',
  n: 'Identity-Info',
  o: 'Event',
  r: 'Refer-To',
  s: 'Subject',
  t: 'To',
  u: 'Allow-Events',
  v: 'Via',
  x: 'Session-Expires',
  y: 'Identity',
};

/** Lower-case name (long or compact) to id. */
const ID_BY_NAME = new Map<string, number>();
for (let id = 1; id < CANONICAL.length; id++) ID_BY_NAME.set(CANONICAL[id]!.toLowerCase(), id);
for (const [short, long] of Object.entries(COMPACT)) ID_BY_NAME.set(short, ID_BY_NAME.get(long.toLowerCase())!);

/** Id for a one-byte (compact) name, indexed by the lower-case byte. */
const ID_BY_BYTE = new Int32Array(128);
for (const [short, long] of Object.entries(COMPACT)) {
  ID_BY_BYTE[short.charCodeAt(0)] = ID_BY_NAME.get(long.toLowerCase())!;
}

/** Known long names bucketed by (length, first lower-case byte) for a cheap byte comparison. */
const BUCKETS = new Map<number, { id: number; bytes: Uint8Array }[]>();
for (let id = 1; id < CANONICAL.length; id++) {
  const lower = CANONICAL[id]!.toLowerCase();
  const bytes = new Uint8Array(lower.length);
  for (let k = 0; k < lower.length; k++) bytes[k] = lower.charCodeAt(k);
  const key = (lower.length << 8) | bytes[0]!;
  const list = BUCKETS.get(key) ?? [];
  list.push({ id, bytes });
  BUCKETS.set(key, list);
}
// Dense (filled) so that V8 keeps it a fast elements array rather than a dictionary.
const BUCKET_ARRAY: ({ id: number; bytes: Uint8Array }[] | undefined)[] = new Array<undefined>(32 << 8).fill(undefined);
for (const [key, list] of BUCKETS) BUCKET_ARRAY[key] = list;

/** Id of a name the eager scan has not looked up yet (see SipMessageImpl). */
export const UNIDENTIFIED = -1;

const CONTENT_LENGTH_LOWER = Uint8Array.from('content-length', (c) => c.charCodeAt(0));

/** Whether bytes[s, e) is `Content-Length` or `l` in any case: the one name framing needs. */
export function isContentLengthName(b: Uint8Array, s: number, e: number): boolean {
  const n = e - s;
  if (n === 1) return (b[s]! | 0x20) === 0x6c;
  if (n !== 14) return false;
  for (let k = 0; k < 14; k++) {
    let c = b[s + k]!;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== CONTENT_LENGTH_LOWER[k]) return false;
  }
  return true;
}

/** Id of the header name in bytes[s, e) (any case, long or compact), 0 when unknown. */
export function identifyHeaderName(b: Uint8Array, s: number, e: number): number {
  const n = e - s;
  if (n <= 0) return 0;
  const c0 = b[s]! | 0x20;
  if (n === 1) return c0 < 128 ? ID_BY_BYTE[c0]! : 0;
  if (n > 31) return 0;
  const list = BUCKET_ARRAY[(n << 8) | c0];
  if (list === undefined) return 0;
  outer: for (let k = 0; k < list.length; k++) {
    const cand = list[k]!;
    const cb = cand.bytes;
    for (let j = 1; j < n; j++) {
      let c = b[s + j]!;
      if (c >= 0x41 && c <= 0x5a) c |= 0x20;
      if (c !== cb[j]) continue outer;
    }
    return cand.id;
  }
  return 0;
}

/** Id of a header name given as a string (long or compact, any case), 0 when unknown. */
export function identifyName(name: string): number {
  return ID_BY_NAME.get(name.toLowerCase()) ?? 0;
}

/** The canonical long name of a header written as `name` (compact forms expanded); unknown names as written. */
export function canonicalHeaderName(name: string): string {
  const id = identifyName(name);
  return id === 0 ? name : CANONICAL[id]!;
}

/** The compact form of a canonical name, if it has one. */
export function compactHeaderName(canonical: string): string | undefined {
  for (const [short, long] of Object.entries(COMPACT)) if (long.toLowerCase() === canonical.toLowerCase()) return short;
  return undefined;
}

/**
 * Headers whose value is one item that may itself hold commas (dates, free text, credentials), so `headerValues`
 * never splits them. RFC 3261 §7.3.1: only headers whose grammar is a comma-separated list may be combined.
 */
export const NOT_LISTS: ReadonlySet<number> = new Set<number>(
  [
    'Call-ID', 'CSeq', 'WWW-Authenticate', 'Proxy-Authenticate', 'Authorization', 'Proxy-Authorization',
    'User-Agent', 'Server', 'Retry-After', 'Date', 'Content-Type', 'Content-Length', 'Max-Forwards', 'Expires',
    'Min-Expires', 'From', 'To', 'Session-Expires', 'Min-SE', 'Event', 'Subscription-State', 'RSeq', 'RAck',
    'Subject', 'Refer-To', 'Referred-By', 'MIME-Version', 'Organization', 'Timestamp', 'Authentication-Info',
    'Replaces', 'Join', 'Target-Dialog', 'P-Charging-Vector', 'P-Access-Network-Info', 'Identity', 'Identity-Info',
  ].map((name) => identifyName(name)),
);
