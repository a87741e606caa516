// The facts of a message read through the typed accessors of SipMessage: the straightforward reading, kept as the
// oracle that the fast path (scan-facts.ts) is checked against on every corpus message (scan-facts.test.ts).
import type { MessageRecord } from '../model/message-record.js';
import type { MessageFacts } from './facts.js';
import { MESSAGE_DEFECTS, readCorrelation, scanNameAddr, sdpFactsOf, splitTokens, toChallenge, toCredentials } from './facts.js';

const MAX_VIAS = 8;
const EMPTY: readonly never[] = [];

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
export function extractFactsByAccessors(record: MessageRecord): MessageFacts {
  const m = record.message;
  const meta = record.meta;
  // Every accessor a defect can come from is read first, so its issue is there (the body is framed on creation).
  void m.via;
  void m.cseq;
  const snapped = m.issues.some((i) => i.code === 'packet-truncated');
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
    src: meta.src,
    dst: meta.dst,
    transport: meta.transport,
    direction: meta.direction,
    source: meta.origin.path,
    // A response's own top Via is all a rule reads (received/rport); requests keep the path for loops and transports.
    via: vias.slice(0, isResponse ? 1 : MAX_VIAS).map((v) => ({
      transport: v.transport.toUpperCase(),
      host: v.host,
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
        ? sdpFactsOf(m)
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
    defects: [...new Set(m.issues.filter((i) => i.severity === 'error' && MESSAGE_DEFECTS.has(i.code) && !(i.code === 'truncated-body' && snapped)).map((i) => i.code))].sort(),
  };
}

