// The Monitoring window: per account the registration state now and the last answer with its meaning; per call the
// outcome; the most frequent failures.
import { viewCall } from '../correlate/call-outcome.js';
import type { CallView } from '../correlate/call-outcome.js';
import type { Call, Correlation, Registration, Transaction } from '../correlate/types.js';
import type { CallSummary, Finding, RegistrationState, RegistrationSummary } from '../model/analysis.js';
import { explainStatus } from './explain.js';
import { grantedExpires, requestedExpires } from './rules/register.js';

function isoOf(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return null;
  return new Date(ms).toISOString();
}

function findingsFor(callIds: readonly string[], byCallId: ReadonlyMap<string, string[]>): string[] {
  const out = new Set<string>();
  for (const id of callIds) for (const f of byCallId.get(id) ?? []) out.add(f);
  return [...out];
}

/** RFC 3261 §10.2: the state an account is in after the last REGISTER in the data. */
export function judgeRegistrationState(reg: Registration, dataLastAt: number | null = null): RegistrationState {
  const txs = reg.transactions;
  const last = txs[txs.length - 1];
  if (last === undefined) return 'unknown';
  const final = last.final;
  if (final?.status === undefined) {
    if (last.responses.length === 0 && last.retransmissions > 0) return 'failed';
    return 'pending';
  }
  const s = final.status;
  if (s >= 200 && s < 300) {
    const asked = requestedExpires(last.request);
    const star = last.request?.contacts.some((c) => c.star) === true;
    const granted = grantedExpires(last);
    if (asked === 0 || star || granted === 0) return 'unregistered';
    // RFC 3261 §10.2.1.1: unrefreshed, the binding ends when the granted interval runs out; the data went on past it.
    const endsAt = granted === undefined || final.at === null ? null : final.at + granted * 1000;
    if (endsAt !== null && dataLastAt !== null && dataLastAt > endsAt && dataLastAt - endsAt < 7 * 24 * 3600 * 1000) return 'unregistered';
    return 'registered';
  }
  if (s === 401 || s === 407) {
    const answered = last.request?.credentials.some((c) => c.hasResponse) === true;
    return answered ? 'failed' : 'pending';
  }
  return 'failed';
}

function lastFinal(txs: readonly Transaction[]): Transaction | undefined {
  for (let i = txs.length - 1; i >= 0; i--) if (txs[i]?.final !== undefined) return txs[i];
  return undefined;
}

export function summarizeRegistration(reg: Registration, byCallId: ReadonlyMap<string, string[]>, dataLastAt: number | null = null): RegistrationSummary {
  const lastTx = lastFinal(reg.transactions);
  const status = lastTx?.final?.status ?? null;
  const successes = reg.transactions.filter((t) => t.final?.status !== undefined && t.final.status >= 200 && t.final.status < 300);
  const lastOk = successes[successes.length - 1];
  const lastRequest = [...reg.transactions].reverse().find((t) => t.request !== undefined)?.request;
  return {
    aor: reg.aor,
    contact: reg.contact,
    state: judgeRegistrationState(reg, dataLastAt),
    lastStatus: status,
    lastReason: lastTx?.final?.reason ?? null,
    lastMeaning: status === null ? null : explainStatus(status, { method: 'REGISTER' }).meaning,
    callIds: [...reg.callIds],
    findings: findingsFor(reg.callIds, byCallId),
    messages: [...reg.messages],
    expiresRequested: requestedExpires(lastRequest) ?? null,
    expiresGranted: lastOk === undefined ? null : (grantedExpires(lastOk) ?? null),
    lastSuccess: isoOf(lastOk?.final?.time),
    attempts: reg.dropped + reg.transactions.filter((t) => t.request !== undefined).length,
    firstMessage: reg.firstMessage,
    finalStatuses: [...reg.finalCounts].map(([status, count]) => ({ status, count })).sort((a, b) => a.status - b.status),
  };
}

export function summarizeCall(call: Call, byCallId: ReadonlyMap<string, string[]>, view: CallView = viewCall(call)): CallSummary {
  const first = call.invites[0];
  return {
    callId: call.callId,
    from: call.from ?? null,
    to: call.to ?? null,
    outcome: view.outcome,
    finalStatus: view.final?.status ?? null,
    finalReason: view.final?.reason ?? null,
    findings: findingsFor([call.callId], byCallId),
    messages: [...call.messages],
    startTime: isoOf(first?.request?.time ?? first?.responses[0]?.time),
    postDialDelayMs: view.postDialDelayMs,
    setupMs: view.setupMs,
    durationMs: view.durationMs,
    endedBy: view.endedBy,
    linkedCallIds: [...call.linkedCallIds],
    legs: 1 + view.legs.length,
    cancelled: view.cancelled,
    reInvites: call.reInvites.length + call.prackOrUpdate.filter((t) => t.method === 'UPDATE').length,
    prack: call.prackOrUpdate.some((t) => t.method === 'PRACK'),
    retransmissions: [...call.invites, ...call.reInvites, ...call.cancels, ...call.byes, ...call.prackOrUpdate, ...call.others].reduce(
      (n, t) => n + t.retransmissions + t.responseRetransmissions,
      0,
    ),
  };
}

/** The most frequent failure rules (errors and warnings), most frequent first. */
export function rankCauses(
  findings: readonly Finding[],
  countsByRule?: Readonly<Record<string, number>>,
  limit = 10,
): { rule: string; title: string; count: number }[] {
  const counts = new Map<string, { rule: string; title: string; count: number }>();
  for (const f of findings) {
    if (f.severity === 'info') continue;
    const c = counts.get(f.rule);
    if (c === undefined) counts.set(f.rule, { rule: f.rule, title: f.title, count: 1 });
    else c.count++;
  }
  // Findings counted but not listed (past the limit per rule) count too.
  if (countsByRule !== undefined) for (const c of counts.values()) c.count = Math.max(c.count, countsByRule[c.rule] ?? 0);
  return [...counts.values()].sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule)).slice(0, limit);
}

export type { Correlation };
