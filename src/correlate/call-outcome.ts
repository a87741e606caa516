import type { CallOutcome } from '../model/analysis.js';
import type { MessageFacts } from './facts.js';
import type { Call, Transaction } from './types.js';

/** What happened to a call, worked out once for the summary and the rules. */
export interface CallView {
  /** The INVITE transaction that decides the outcome: the last attempt, on the first hop seen. */
  readonly main: Transaction | undefined;
  /** The same INVITE on other hops (a proxy's other side). */
  readonly legs: readonly Transaction[];
  readonly outcome: CallOutcome;
  readonly final: MessageFacts | undefined;
  readonly firstProvisional: MessageFacts | undefined;
  readonly ringing: boolean;
  readonly cancelled: boolean;
  readonly bye: Transaction | undefined;
  readonly endedBy: 'caller' | 'callee' | null;
  readonly postDialDelayMs: number | null;
  readonly setupMs: number | null;
  readonly durationMs: number | null;
}

function outcomeOf(status: number | undefined, cancelled: boolean, ringing: boolean): CallOutcome {
  if (status === undefined) return 'in-progress';
  if (status >= 200 && status < 300) return 'answered';
  if (status === 486 || status === 600) return 'busy';
  if (status === 603 || status === 607) return 'declined';
  if (status === 487) return cancelled || ringing ? 'cancelled' : 'failed';
  // RFC 3261 §21.4.9: a 408 after ringing is the callee not answering; without ringing, the next hop was silent.
  if (status === 408) return ringing ? 'no-answer' : 'failed';
  if (status === 480 && ringing) return 'no-answer';
  if (status >= 500 && status < 600) return 'failed';
  return 'rejected';
}

function viaDepth(tx: Transaction): number {
  return (tx.request ?? tx.responses[0])?.viaCount ?? Number.MAX_SAFE_INTEGER;
}

function isNearerCaller(a: Transaction, b: Transaction): boolean {
  const da = viaDepth(a);
  const db = viaDepth(b);
  if (da !== db) return da < db;
  return a.firstAt !== null && b.firstAt !== null && a.firstAt < b.firstAt;
}

function delta(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  return Math.max(0, b - a);
}

/** The decisive INVITE, its outcome and its times (RFC 3261 §13: INVITE, provisional, final, ACK, BYE). */
export function viewCall(call: Call): CallView {
  let main: Transaction | undefined;
  for (const tx of call.invites) {
    // The last CSeq is the last attempt (after an authentication challenge); of its copies on several hops, the one
    // with the fewest Via headers is nearest the caller (each proxy adds one, RFC 3261 §16.6 step 8), then the earliest.
    if (main === undefined || tx.cseq > main.cseq) main = tx;
    else if (tx.cseq === main.cseq && isNearerCaller(tx, main)) main = tx;
  }
  const legs = main === undefined ? [] : call.invites.filter((t) => t !== main && t.cseq === main.cseq);
  const first = call.invites[0];
  const final = main?.final;
  const provisional = main?.responses.find((r) => r.status !== undefined && r.status > 100 && r.status < 200);
  const ringing = [main, ...legs].some((t) => t?.responses.some((r) => r.status !== undefined && r.status > 100 && r.status < 200) === true);
  // RFC 3261 §9.1: a CANCEL carries the top Via of the request it cancels, so the caller's CANCEL is on the main hop;
  // one only on a further hop was the proxy's own (a no-answer timer, or another branch answered).
  const cancelled = main === undefined ? call.cancels.length > 0 : call.cancels.some((c) => c.leg === main.leg);
  let outcome = outcomeOf(final?.status, cancelled, ringing);
  if (final === undefined && main !== undefined) {
    if (main.responses.length === 0 && main.request !== undefined && main.retransmissions > 0) outcome = 'no-response';
  }
  if (main === undefined && call.byes.length > 0) outcome = 'answered';
  const bye = call.byes[0];
  let endedBy: 'caller' | 'callee' | null = null;
  const byeReq = bye?.request ?? bye?.responses[0];
  if (byeReq !== undefined && call.callerTag !== undefined) endedBy = byeReq.fromTag === call.callerTag ? 'caller' : 'callee';
  else if (cancelled && outcome === 'cancelled') endedBy = 'caller';
  const start = first?.request?.at ?? first?.firstAt ?? null;
  const answeredAt = final !== undefined && final.status !== undefined && final.status < 300 ? final.at : null;
  return {
    main,
    legs,
    outcome,
    final,
    firstProvisional: provisional,
    ringing,
    cancelled,
    bye,
    endedBy,
    postDialDelayMs: delta(start, provisional?.at),
    setupMs: delta(start, final?.at),
    durationMs: delta(answeredAt, byeReq?.at),
  };
}
