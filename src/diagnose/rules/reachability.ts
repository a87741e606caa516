// Reachability: nothing came back at all, versus an element on the way that answered it could not go on.
import type { MessageFacts } from '../../correlate/facts.js';
import type { Correlation, Transaction } from '../../correlate/types.js';
import type { Generator } from '../../model/analysis.js';
import { explainStatus } from '../explain.js';
import { collectEvidence, formatStatus, quoteWords, secondsText, transactionMessages, wordsDetails } from './rule.js';
import type { FindingDraft, Rule } from './rule.js';

/** RFC 3261 §17.1.1.2, §17.1.2.2: Timer B and Timer F, 64*T1 with T1 = 500 ms. */
export const TRANSACTION_TIMEOUT_MS = 32_000;

const NAME_RESOLUTION = ['dns', 'resolv', 'resolution', 'no such host', 'unknown host', 'host not found', 'naptr', 'srv lookup'];

function mentionsNameResolution(f: MessageFacts): boolean {
  if (f.status === 478 || saysNameResolution(f.reason)) return true;
  for (const w of f.warnings) if (saysNameResolution(w.text)) return true;
  for (const r of f.reasons) if (saysNameResolution(r.text)) return true;
  return false;
}

/**
 * NAME_RESOLUTION as one test that needs no lower-case copy of every reason phrase. Unicode case folding makes it say
 * yes a little more often than toLowerCase (`ſ` is an `s` to it), never less, so a yes is checked the plain way.
 */
const MAY_NAME_RESOLUTION = new RegExp(NAME_RESOLUTION.join('|'), 'iu'); // the words are letters and spaces only

function saysNameResolution(text: string | undefined): boolean {
  if (text === undefined || !MAY_NAME_RESOLUTION.test(text)) return false;
  const t = text.toLowerCase();
  return NAME_RESOLUTION.some((k) => t.includes(k));
}

function targetOf(req: MessageFacts): string {
  return req.dst ?? req.requestUri ?? '(unknown destination)';
}

/** Groups transactions that are copies of one request on several hops: same Call-ID, CSeq and method. */
function groupKey(tx: Transaction): string {
  return `${tx.callId}|${tx.cseq}|${tx.method}`;
}

/**
 * A 408 the client made itself (RFC 3261 §8.1.3.1): only a device's own log can show one, received with nothing
 * before it, about Timer B/F (32 s) after the request, and bearing no mark of a server (no To tag, no received).
 */
function isLocalTimeout(tx: Transaction, final: MessageFacts): boolean {
  if (final.direction === undefined || tx.request === undefined) return false;
  if (tx.responses.some((r) => r !== final)) return false;
  if (final.toTag !== undefined || final.via[0]?.received !== undefined) return false;
  const waited = final.at !== null && tx.request.at !== null ? final.at - tx.request.at : null;
  return waited === null || waited >= TRANSACTION_TIMEOUT_MS - 2000;
}

/** The transactions of the correlation carrying the same request as `tx` (its group, `tx` too), in their order. */
type CopiesOf = (tx: Transaction) => Transaction[];

/**
 * Indexes by Call-ID the transactions of the Call-IDs of `asked` only: few transactions are asked about, and a Call-ID
 * holds few transactions, so the group is found by filtering them.
 */
function indexCopies(c: Correlation, asked: readonly ReadonlyMap<string, readonly Transaction[]>[]): CopiesOf {
  const byCallId = new Map<string, Transaction[]>();
  for (const groups of asked) for (const txs of groups.values()) for (const tx of txs) byCallId.set(tx.callId, []);
  if (byCallId.size > 0) for (const t of c.transactions) byCallId.get(t.callId)?.push(t);
  return (tx) => (byCallId.get(tx.callId) ?? []).filter((t) => t.cseq === tx.cseq && t.method === tx.method);
}

/** A request nothing answered at all, noted by method and target; `lastAt`: the data's last time. */
function noteNoResponse(tx: Transaction, lastAt: number | null, byTarget: Map<string, Transaction[]>): void {
  const req = tx.request;
  if (req === undefined || tx.method === 'ACK' || tx.responses.length > 0) return;
  // Direction 'in' in a device's log: a request the device received and did not answer is its own matter.
  const waited = tx.lastAt !== null && lastAt !== null && req.at !== null ? lastAt - req.at : 0;
  // Over UDP a client retransmits (RFC 3261 §17.1.1.2); one lone copy there means the capture missed the rest,
  // not silence. Over TCP there are no retransmissions, so time alone tells.
  const reliable = (req.transport ?? req.via[0]?.transport ?? 'UDP') !== 'UDP';
  if (tx.retransmissions === 0 && (!reliable || waited < TRANSACTION_TIMEOUT_MS)) return;
  const key = `${tx.method}|${targetOf(req)}`;
  const list = byTarget.get(key);
  if (list === undefined) byTarget.set(key, [tx]);
  else list.push(tx);
}

function reportNoResponse(byTarget: ReadonlyMap<string, Transaction[]>, copiesOf: CopiesOf): FindingDraft[] {
  const out: FindingDraft[] = [];
  for (const txs of byTarget.values()) {
    const first = txs[0] as Transaction;
    const req = first.request as MessageFacts;
    const copies = txs.reduce((n, t) => n + t.requestCopies.length, 0);
    const span = txs.reduce((ms, t) => Math.max(ms, (t.lastAt ?? 0) - (t.firstAt ?? 0)), 0);
    const forwarded = req.viaCount >= 2;
    // The other side of a proxy: what the proxy answered upstream for the same request.
    // The answers upstream of every request of the group (the evidence is then the same however calls are batched).
    const upstreamOf = (tx: Transaction): Transaction[] => copiesOf(tx).filter((t) => t !== tx && t.final !== undefined);
    const upstream = [...new Set(txs.flatMap(upstreamOf))];
    const upstreamFinal = upstreamOf(first)[0]?.final ?? upstream[0]?.final;
    const severity = first.method === 'REGISTER' || first.method === 'INVITE' ? 'error' : 'warning';
    const transport = req.transport ?? req.via[0]?.transport ?? 'UDP';
    const details = {
      method: first.method,
      target: targetOf(req),
      requestUri: req.requestUri ?? '',
      transport,
      copies,
      requests: txs.length,
      spanMs: span,
      forwarded,
      ...(upstreamFinal === undefined ? {} : { upstreamStatus: upstreamFinal.status ?? null, upstream: formatStatus(upstreamFinal) }),
    };
    out.push({
      rule: 'reach.no-response',
      severity,
      title: `No response at all to ${first.method} sent to ${targetOf(req)}`,
      explanation: explainNoResponse(details),
      status: null,
      callIds: [...new Set(txs.map((t) => t.callId))].sort().slice(0, 20),
      evidence: collectEvidence(...txs.map((t) => t.requestCopies), upstream.flatMap((t) => (t.final === undefined ? [] : [t.final.index]))),
      causes: forwarded
        ? [
            'The callee\'s registered contact is dead: the device is off, moved, or its NAT binding or firewall pinhole has closed.',
            'The callee registered a private or wrong address (NAT without rport/received handling).',
            'A firewall between the proxy and the callee drops the traffic.',
          ]
        : [
            `Wrong server address, port or transport (${transport}) configured on the device.`,
            'A firewall or security group drops the traffic (in either direction).',
            'The server is down or not listening on this address and port.',
            'NAT: the answers go back to an address that does not reach the device (missing rport, SIP ALG).',
          ],
      nextSteps: forwarded
        ? ['Check whether the callee is really online at its registered contact.', 'Enable NAT keepalives (OPTIONS, CRLF) on the callee.']
        : [
            'Check the server address, port and transport on the device against the provider\'s settings.',
            `Check that something answers on ${targetOf(req)} (sipsak/sipp OPTIONS from the same network).`,
            'Capture on the server side too: if the request arrives there, the answers are what is lost.',
          ],
      willNotHelp: ['Changing the password or the codecs: no SIP element answered at all.'],
      generatedBy: 'network',
      details,
    });
  }
  return out;
}

/** What reach.no-response says, from its details: built again when the same finding gathers more requests. */
export function explainNoResponse(d: {
  readonly method: string;
  readonly target: string;
  readonly requestUri: string;
  readonly transport: string;
  readonly copies: number;
  readonly requests: number;
  readonly spanMs: number;
  readonly forwarded: boolean;
  readonly upstream?: string;
}): string {
  return (
    `${d.requests > 1 ? `${d.requests} ${d.method} requests` : `The ${d.method}`} to ${d.target} ` +
    `(${d.requestUri}, over ${d.transport}) got no answer of any kind: ${d.copies} copies were sent` +
    `${d.spanMs > 0 ? ` over ${secondsText(d.spanMs)}` : ''} and not even 100 Trying came back. Nothing on the wire refused ` +
    `the request; it never reached a SIP element that answers, or the answers never came back (RFC 3261 ` +
    `§17.1.1.2: the client gives up after Timer B/F, 32 s, and reports a 408 of its own).` +
    (d.forwarded ? ' The request had already passed a proxy (it carries several Via headers): the next hop, usually the registered contact of the callee, is what is unreachable.' : '') +
    (d.upstream === undefined ? '' : ` Upstream, the caller was answered ${d.upstream} by the proxy.`)
  );
}

interface StatusRuleSpec {
  readonly rule: string;
  readonly title: (f: MessageFacts) => string;
  readonly causes: readonly string[];
  readonly nextSteps: readonly string[];
  /** For a REGISTER the server on the far side is a registrar, not a route to a callee. */
  readonly registerCauses: readonly string[];
  readonly registerSteps: readonly string[];
  readonly fallback: Generator;
}

const wordsOfCause = new Map<string, ReadonlySet<string>>();

/** Words of four letters or more, for telling whether two cause lines say the same thing. */
function contentWords(text: string): ReadonlySet<string> {
  let words = wordsOfCause.get(text);
  if (words === undefined) {
    // The lines are the catalog's and the rules' own, the same few for every finding; bounded all the same.
    if (wordsOfCause.size >= 1024) wordsOfCause.clear();
    wordsOfCause.set(text, (words = new Set(text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length >= 4))));
  }
  return words;
}

/** The catalog's causes that add something to `own` (two shared content words count as the same cause). */
function addCauses(own: readonly string[], extra: readonly string[], max: number): string[] {
  const out = [...own];
  for (const x of extra) {
    if (out.length >= own.length + max) break;
    const words = contentWords(x);
    if (out.some((o) => [...contentWords(o)].filter((w) => words.has(w)).length >= 2)) continue;
    out.push(x);
  }
  return out;
}

const SERVER_CODES: ReadonlyMap<number, StatusRuleSpec> = new Map([
  [
    502,
    {
      rule: 'reach.bad-gateway',
      title: (f) => `${formatStatus(f)}: the next server gave an invalid answer or none`,
      causes: ['A server or gateway behind the proxy failed or answered badly.', 'A trunk to the carrier is down.'],
      nextSteps: ['Check the upstream server or trunk the proxy forwards to.'],
      registerCauses: ['The proxy or SBC in front of the registrar got an invalid answer from it, or none it could use.'],
      registerSteps: ['Check the registrar behind the proxy or SBC, and the path between them.'],
      fallback: 'proxy',
    },
  ],
  [
    503,
    {
      rule: 'reach.service-unavailable',
      title: (f) => `${formatStatus(f)}${f.retryAfter === undefined ? '' : ` (Retry-After: ${f.retryAfter} s)`}`,
      causes: [
        'The server is overloaded or in maintenance.',
        'The proxy has no working route or destination (all gateways down, the trunk not registered).',
        'Rate limiting or fraud protection blocked the request.',
      ],
      nextSteps: ['Honour Retry-After before trying again (RFC 3261 §21.5.4).', 'Check the server\'s or the trunk\'s state and its log.'],
      registerCauses: [
        'The registrar is overloaded, in maintenance or starting up.',
        'The registrar cannot reach its user database or authentication back-end.',
        'Rate limiting or fraud protection: too many REGISTERs from this address.',
      ],
      registerSteps: [
        'Wait as long as Retry-After says (if given), then register again; use the provider\'s backup registrar if there is one (DNS SRV, RFC 3263).',
        'Ask the provider whether the registrar is in maintenance or limits this address.',
      ],
      fallback: 'proxy',
    },
  ],
  [
    504,
    {
      rule: 'reach.server-timeout',
      title: (f) => `${formatStatus(f)}: a server further on did not answer in time`,
      causes: ['A server beyond the proxy (a gateway, DNS, a location service) did not answer in time.'],
      nextSteps: ['Check the servers the proxy depends on.'],
      registerCauses: ['The proxy or SBC in front of the registrar got no answer in time from the registrar or from its authentication back-end.'],
      registerSteps: ['Check the registrar behind the proxy or SBC and its database or authentication server.'],
      fallback: 'proxy',
    },
  ],
]);

/** A final answer of a server that could not go on (5xx, a timeout, a name it could not resolve), noted by request. */
function noteServerError(tx: Transaction, groups: Map<string, Transaction[]>): void {
  const final = tx.final;
  const s = final?.status;
  if (final === undefined || s === undefined) return;
  const timeout408 = s === 408 && !(tx.method === 'INVITE' && tx.responses.some((r) => (r.status ?? 0) > 100 && (r.status ?? 0) < 200));
  // The answer's words are read only when its code does not decide already.
  if (!SERVER_CODES.has(s) && s !== 477 && !timeout408 && !(s >= 400 && mentionsNameResolution(final))) return;
  const key = `${groupKey(tx)}|${s}`;
  const list = groups.get(key);
  if (list === undefined) groups.set(key, [tx]);
  else list.push(tx);
}

function reportServerErrors(groups: ReadonlyMap<string, Transaction[]>, copiesOf: CopiesOf): FindingDraft[] {
  const out: FindingDraft[] = [];
  for (const txs of groups.values()) {
    const tx = txs[0] as Transaction;
    const final = tx.final as MessageFacts;
    const s = final.status as number;
    const info = explainStatus(s, { method: tx.method });
    // Every leg answered with this code says the same thing; the ones without it show where it was made.
    const sameCall = copiesOf(tx).filter((t) => !txs.includes(t));
    const unanswered = sameCall.filter((t) => t.responses.length === 0);
    let generatedBy: Generator;
    if (txs.length > 1) generatedBy = 'far-end';
    else if (sameCall.length > 0) generatedBy = 'proxy';
    else generatedBy = SERVER_CODES.get(s)?.fallback ?? (s === 408 ? 'proxy' : 'unknown');
    if (final.reasons.some((r) => r.protocol.toUpperCase() === 'Q.850') && generatedBy === 'far-end') generatedBy = 'gateway';
    if (mentionsNameResolution(final)) {
      out.push({
        rule: 'reach.name-resolution',
        severity: 'error',
        title: `${formatStatus(final)}: a name could not be resolved`,
        explanation:
          `The ${tx.method} failed with ${formatStatus(final)} and the answer points at name resolution: a server could ` +
          `not turn a host name into an address (DNS NAPTR/SRV/A lookups, RFC 3263).${quoteWords(final)}`,
        status: s,
        callIds: [tx.callId],
        evidence: collectEvidence(...txs.map(transactionMessages)),
        causes: ['The domain in the Request-URI or a Route has no DNS records (typo, expired domain).', 'The server\'s DNS resolver is failing.'],
        nextSteps: [`Look up the domain of ${tx.request?.requestUri ?? 'the Request-URI'} (dig NAPTR/SRV/A) from the server.`],
        willNotHelp: ['Changing credentials or codecs.'],
        generatedBy: generatedBy === 'far-end' ? 'proxy' : generatedBy,
        details: { reasonPhrase: final.reason ?? null, ...wordsDetails(final) },
      });
      continue;
    }
    if (s === 477) {
      // Not in the IANA registry: Kamailio and OpenSIPS answer 477 when they cannot send to the next hop at all
      // (a refused TCP/TLS connection, an unreachable address), so no SIP request reached it.
      out.push({
        rule: 'reach.next-hop-unreachable',
        severity: 'error',
        title: `${formatStatus(final)}: the proxy could not send the ${tx.method} to the next hop`,
        explanation:
          `The ${tx.method} was answered ${formatStatus(final)}. 477 is not a registered SIP code; SIP proxies such as ` +
          `Kamailio and OpenSIPS send it when forwarding failed before any answer could come: the connection to the ` +
          `next hop (often the callee's registered contact over TCP or TLS) was refused or could not be opened.` +
          `${quoteWords(final)}`,
        status: 477,
        callIds: [tx.callId],
        evidence: collectEvidence(...txs.map(transactionMessages)),
        causes: [
          'The callee\'s registered contact is gone: the device is off or its TCP/TLS connection closed, and nothing listens at that address.',
          'A firewall refuses the proxy\'s connection to the next hop.',
        ],
        nextSteps: ['Check the callee\'s registration (contact address, transport) and whether it still listens there.'],
        willNotHelp: ['Reconfiguring the caller: its request reached the proxy.'],
        generatedBy: 'proxy',
        details: { method: tx.method, ...wordsDetails(final) },
      });
      continue;
    }
    if (s === 408 && isLocalTimeout(tx, final)) {
      const req = tx.request;
      out.push({
        rule: 'reach.no-response',
        severity: 'error',
        title: `No response at all to ${tx.method}: the 408 was made by the device itself`,
        explanation:
          `The device's log shows ${formatStatus(final)} ${secondsText((final.at ?? 0) - (req?.at ?? 0))} after the ` +
          `${tx.method}, with nothing received before it: no 100 Trying, no To tag, no received parameter. That 408 ` +
          `never crossed the wire; the device's own transaction timer (RFC 3261 §8.1.3.1, §17.1.1.2 Timer B/F) gave up ` +
          `because nothing answered at all.`,
        status: null,
        callIds: [tx.callId],
        evidence: collectEvidence(transactionMessages(tx)),
        causes: [
          'Wrong server address, port or transport configured on the device.',
          'A firewall drops the traffic (in either direction).',
          'The server is down or not listening on this address and port.',
        ],
        nextSteps: ['Check the server address, port and transport against the provider\'s settings; capture on the network to see whether the request leaves and anything comes back.'],
        willNotHelp: ['Changing the password or the codecs: no SIP element answered at all.'],
        generatedBy: 'local',
        details: { method: tx.method, localStatus: 408, target: req?.dst ?? req?.requestUri ?? null },
      });
      continue;
    }
    if (s === 408) {
      const upstreamOnly = unanswered.length > 0;
      out.push({
        rule: 'reach.request-timeout',
        severity: 'error',
        title: `408 Request Timeout to ${tx.method}${upstreamOnly ? ': the proxy got no answer from the next hop' : ''}`,
        explanation:
          `The ${tx.method} was answered ${formatStatus(final)}. Unlike silence, this is an answer: an element on the ` +
          `way (${generatedBy === 'proxy' ? 'the proxy' : 'a server'}) forwarded the request and gave up waiting for ` +
          `the next hop (RFC 3261 §16.8, §21.4.9). ` +
          (upstreamOnly ? `The data shows the forwarded copy going unanswered to ${unanswered[0]?.request?.dst ?? unanswered[0]?.request?.requestUri ?? 'the next hop'}. ` : '') +
          `${info.meaning}${quoteWords(final)}`,
        status: 408,
        callIds: [tx.callId],
        evidence: collectEvidence(...txs.map(transactionMessages), ...unanswered.map((t) => t.requestCopies)),
        causes: [
          'The next hop (the callee\'s registered contact, a gateway, another server) did not answer: it is off, unreachable or its NAT binding expired.',
          ...info.causes.slice(0, 2),
        ],
        nextSteps: ['Find out which next hop the proxy used (its log, or a capture on its other side) and why it is silent.'],
        willNotHelp: ['Reconfiguring the caller: its request reached the proxy and was answered.'],
        generatedBy,
        details: { method: tx.method, ...wordsDetails(final) },
      });
      continue;
    }
    const spec = SERVER_CODES.get(s) as StatusRuleSpec;
    out.push({
      rule: spec.rule,
      severity: 'error',
      title: spec.title(final),
      explanation:
        `The ${tx.method}${tx.method === 'REGISTER' ? '' : ` to ${tx.request?.requestUri ?? final.toUri ?? ''}`} was answered ` +
        `${formatStatus(final)}. ${info.meaning}` +
        (final.retryAfter === undefined
          ? ' No Retry-After was given.'
          : final.retryAfter === 0
            ? ` Retry-After: ${final.retryAfterText ?? '0'}: the server sets no waiting time, the request may be retried at once (RFC 3261 §20.33).`
            : ` The server asked to wait ${final.retryAfter} s before retrying (Retry-After: ${final.retryAfterText ?? final.retryAfter}; RFC 3261 §20.33).`) +
        quoteWords(final),
      status: s,
      callIds: [tx.callId],
      evidence: collectEvidence(...txs.map(transactionMessages)),
      // The catalog's causes for these codes speak of trunks and routes to a callee; a REGISTER keeps its own list.
      causes: tx.method === 'REGISTER' ? [...spec.registerCauses] : addCauses(spec.causes, info.causes, 2),
      nextSteps: tx.method === 'REGISTER' ? [...spec.registerSteps] : addCauses(spec.nextSteps, info.checks, 2),
      willNotHelp: info.willNotHelp.length > 0 ? info.willNotHelp : ['Changing the device\'s credentials: the server could not serve the request.'],
      generatedBy,
      details: { method: tx.method, retryAfter: final.retryAfter ?? null, ...wordsDetails(final) },
    });
  }
  return out;
}

export const reachabilityRules: Rule = {
  family: 'reach',
  run(c) {
    const unanswered = new Map<string, Transaction[]>();
    const failed = new Map<string, Transaction[]>();
    // Both checks in one pass: reading each transaction costs more than the checks do.
    for (const tx of c.transactions) {
      noteNoResponse(tx, c.lastAt, unanswered);
      noteServerError(tx, failed);
    }
    const copiesOf = indexCopies(c, [unanswered, failed]);
    return [...reportNoResponse(unanswered, copiesOf), ...reportServerErrors(failed, copiesOf)];
  },
};
