// Requests outside calls and registrations (SUBSCRIBE/NOTIFY, OPTIONS keepalives, MESSAGE, PUBLISH, …): refused ones,
// and any request left with provisional answers only.
import type { MessageFacts } from '../../correlate/facts.js';
import type { Correlation, Transaction } from '../../correlate/types.js';
import { explainStatus } from '../explain.js';
import { TRANSACTION_TIMEOUT_MS } from './reachability.js';
import { collectEvidence, formatStatus, quoteWords, secondsText, transactionMessages, wordsDetails } from './rule.js';
import type { FindingDraft, Rule } from './rule.js';

/** Codes the authentication and reachability families explain for every method. */
const ELSEWHERE = new Set([401, 407, 408, 477, 478, 502, 503, 504]);

/** RFC 3261 §16.6 step 11: a proxy's Timer C (more than 3 minutes) bounds how long an INVITE may stay unanswered. */
const TIMER_C_MS = 180_000;

function outsideCalls(c: Correlation): { tx: Transaction; kind: string }[] {
  const out: { tx: Transaction; kind: string }[] = [];
  for (const s of c.subscriptions) for (const tx of s.transactions) out.push({ tx, kind: `subscription (${s.event ?? 'no Event'})` });
  for (const k of c.keepalives) for (const tx of k.transactions) out.push({ tx, kind: 'keepalive' });
  for (const tx of c.others) if (tx.method !== 'ACK') out.push({ tx, kind: 'request' });
  return out;
}

function refused(c: Correlation): FindingDraft[] {
  const groups = new Map<string, { kind: string; txs: Transaction[] }>();
  for (const { tx, kind } of outsideCalls(c)) {
    const s = tx.final?.status;
    if (s === undefined || s < 300 || ELSEWHERE.has(s)) continue;
    const key = `${tx.method}|${s}|${tx.request?.requestUri ?? tx.final?.toUri ?? ''}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { kind, txs: [tx] });
    else g.txs.push(tx);
  }
  const out: FindingDraft[] = [];
  for (const { kind, txs } of groups.values()) {
    const tx = txs[0] as Transaction;
    const final = tx.final as MessageFacts;
    const info = explainStatus(final.status ?? 0, { method: tx.method });
    const target = tx.request?.requestUri ?? final.toUri ?? '?';
    const words = `${info.meaning}${quoteWords(final)}`;
    out.push({
      rule: 'request.rejected',
      severity: 'warning',
      title: `${tx.method} to ${target} answered ${formatStatus(final)}`,
      explanation: explainRejected(kind, tx.method, target, formatStatus(final), txs.length, words),
      status: final.status ?? null,
      callIds: [...new Set(txs.map((t) => t.callId))].sort().slice(0, 20),
      evidence: collectEvidence(...txs.map(transactionMessages)),
      causes: info.causes.length > 0 ? info.causes : ['See the reason phrase and any Warning header.'],
      nextSteps: info.checks,
      willNotHelp: info.willNotHelp,
      generatedBy: 'unknown',
      details: { method: tx.method, times: txs.length, kind, target, answer: formatStatus(final), words, ...wordsDetails(final) },
    });
  }
  return out;
}

/** What request.rejected says: built again when the same refusal is counted in more transactions. */
export function explainRejected(kind: string, method: string, target: string, answer: string, times: number, words: string): string {
  return `A ${kind} ${method} to ${target} was answered ${answer}${times > 1 ? ` (${times} times)` : ''}. ${words}`;
}

/** A request that got provisional answers and then nothing, while the data went on past its timer. */
function noFinal(c: Correlation): FindingDraft[] {
  const out: FindingDraft[] = [];
  for (const tx of c.transactions) {
    const req = tx.request;
    if (req === undefined || tx.final !== undefined || tx.responses.length === 0 || tx.method === 'ACK') continue;
    const limit = tx.method === 'INVITE' ? TIMER_C_MS : TRANSACTION_TIMEOUT_MS;
    const waited = c.lastAt !== null && req.at !== null ? c.lastAt - req.at : 0;
    if (waited < limit) continue;
    const last = tx.responses[tx.responses.length - 1] as MessageFacts;
    out.push({
      rule: 'reach.no-final-response',
      severity: 'warning',
      title: `${tx.method} got ${formatStatus(last)} and then no final answer`,
      explanation:
        `The ${tx.method} to ${req.requestUri ?? '?'} was answered only provisionally (${tx.responses.map(formatStatus).join(', ')}) ` +
        `and the data goes on ${secondsText(waited)} without a final response, longer than the ${tx.method === 'INVITE' ? "proxy's Timer C (3 min, RFC 3261 §16.6)" : 'client\'s Timer F (32 s, RFC 3261 §17.1.2.2)'} allows.`,
      status: null,
      callIds: [tx.callId],
      evidence: collectEvidence(transactionMessages(tx)),
      causes: ['The element that sent the provisional answer lost the request (crash, failover) or its final answer was lost on the way back.'],
      nextSteps: ['Look at the log of the element that sent the provisional answer.'],
      willNotHelp: ['Credential changes.'],
      generatedBy: 'unknown',
      details: { method: tx.method, waitedMs: waited, provisional: tx.responses.map((r) => r.status ?? null) },
    });
  }
  return out;
}

export const requestRules: Rule = {
  family: 'request',
  run(c) {
    return [...refused(c), ...noFinal(c)];
  },
};
