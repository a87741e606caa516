import type { MessageFacts, ReasonFacts, WarningFacts } from '../../correlate/facts.js';
import type { Call, Correlation, Transaction } from '../../correlate/types.js';
import type { Finding, Generator, JsonValue } from '../../model/analysis.js';
import { explainQ850, explainStatus, explainWarning } from '../explain.js';
import type { CorrelationIndex } from './correlation-index.js';

/** A finding before it is numbered. */
export type FindingDraft = Omit<Finding, 'id'>;

/** A family of diagnosis rules: reads the correlated model, returns findings with their evidence. */
export interface Rule {
  /** The family name, the prefix of its rules' ids (`auth`, `register`, `call`, …). */
  readonly family: string;
  /**
   * `index` holds what the families of one run share (runRules makes one for all of them); a family run on its own
   * makes its own.
   */
  readonly run: (correlation: Correlation, index?: CorrelationIndex) => FindingDraft[];
}

/** Evidence lists are cut here: a finding about 10 000 retransmissions cites the first ones. */
export const MAX_EVIDENCE = 40;

/** Sorted, de-duplicated message indexes, at most MAX_EVIDENCE. */
export function collectEvidence(...groups: readonly (readonly (number | undefined)[] | number | undefined)[]): number[] {
  const set = new Set<number>();
  for (const g of groups) {
    if (g === undefined) continue;
    if (typeof g === 'number') set.add(g);
    else for (const i of g) if (i !== undefined) set.add(i);
  }
  return [...set].sort((a, b) => a - b).slice(0, MAX_EVIDENCE);
}

/** Every message of a transaction: the request copies, the responses and the ACK. */
export function transactionMessages(tx: Transaction): number[] {
  return [...tx.requestCopies, ...tx.responseCopies, ...(tx.ack === undefined ? [] : [tx.ack.index])];
}

/** `486 Busy Here`, the status as the message wrote it. */
export function formatStatus(f: MessageFacts): string {
  const reason = f.reason !== undefined && f.reason !== '' ? f.reason : explainStatus(f.status ?? 0).reason;
  return `${f.status ?? '?'} ${reason}`;
}

/** One Warning header decoded: the quote, then what the warn-code means (RFC 3261 §20.43). */
export function decodeWarning(w: WarningFacts): string {
  const info = explainWarning(w.code);
  const meaning = info === undefined ? 'an unregistered warn-code' : `${w.code} means "${info.text}"`;
  return `Warning: ${w.raw} (${meaning})`;
}

/** One Reason header decoded (RFC 3326): SIP causes are status codes, Q.850 causes are ISDN cause values. */
export function decodeReason(r: ReasonFacts): string {
  const proto = r.protocol.toUpperCase();
  let meaning = '';
  if (r.cause !== undefined) {
    if (proto === 'Q.850') {
      const q = explainQ850(r.cause);
      meaning = q === undefined ? `Q.850 cause ${r.cause}` : `Q.850 cause ${r.cause} is "${q.name}"`;
    } else if (proto === 'SIP' && r.cause >= 100 && r.cause <= 699) {
      meaning = `SIP cause ${r.cause} is "${explainStatus(r.cause).reason}"`;
    }
  }
  return meaning === '' ? `Reason: ${r.raw}` : `Reason: ${r.raw} (${meaning})`;
}

/** The `warnings` and `reasons` details of a finding. */
export function wordsDetails(...messages: readonly (MessageFacts | undefined)[]): { [key: string]: JsonValue } {
  const warnings: JsonValue[] = [];
  const reasons: JsonValue[] = [];
  const seen = new Set<string>();
  for (const m of messages) {
    if (m === undefined) continue;
    for (const w of m.warnings) {
      if (seen.has(`w${w.raw}`)) continue;
      seen.add(`w${w.raw}`);
      const info = explainWarning(w.code);
      warnings.push({ code: w.code, agent: w.agent, text: w.text, raw: w.raw, meaning: info?.text ?? null });
    }
    for (const r of m.reasons) {
      if (seen.has(`r${r.raw}`)) continue;
      seen.add(`r${r.raw}`);
      const q = r.protocol.toUpperCase() === 'Q.850' && r.cause !== undefined ? explainQ850(r.cause) : undefined;
      reasons.push({ protocol: r.protocol, cause: r.cause ?? null, text: r.text ?? null, raw: r.raw, meaning: q?.name ?? null });
    }
  }
  const out: { [key: string]: JsonValue } = {};
  if (warnings.length > 0) out['warnings'] = warnings;
  if (reasons.length > 0) out['reasons'] = reasons;
  return out;
}

/** Sentences quoting every Warning and Reason of the messages, for an explanation. */
export function quoteWords(...messages: readonly (MessageFacts | undefined)[]): string {
  const parts: string[] = [];
  for (const m of messages) {
    if (m === undefined) continue;
    for (const w of m.warnings) parts.push(decodeWarning(w));
    for (const r of m.reasons) parts.push(decodeReason(r));
  }
  return parts.length === 0 ? '' : ` The sender's own words: ${[...new Set(parts)].join('; ')}.`;
}

/** The transactions of a call that carry the same request as `tx` on another hop (a proxy's other side). */
export function otherLegs(call: Call, tx: Transaction): Transaction[] {
  return call.invites.filter((t) => t !== tx && t.cseq === tx.cseq && t.leg !== tx.leg && t.method === tx.method);
}

/**
 * Who made a final response, as far as the evidence shows. With both sides of a proxy in the data, a response that
 * also came from further on was forwarded (far end); one that did not was made by the proxy. Otherwise the catalog's
 * usual senders decide when they are unambiguous.
 */
export function judgeGenerator(final: MessageFacts, legs: readonly Transaction[], fallback: Generator = 'unknown'): Generator {
  if (legs.length > 0) {
    const forwarded = legs.some((l) => l.responses.some((r) => r.status === final.status));
    if (forwarded) {
      const isQ850 = legs.some((l) => l.final?.reasons.some((r) => r.protocol.toUpperCase() === 'Q.850') === true);
      return isQ850 ? 'gateway' : 'far-end';
    }
    return 'proxy';
  }
  if (final.reasons.some((r) => r.protocol.toUpperCase() === 'Q.850')) return 'gateway';
  const senders = explainStatus(final.status ?? 0, { method: final.cseqMethod }).senders;
  if (senders.length === 1) {
    const s = senders[0];
    if (s === 'uas') return 'far-end';
    if (s === 'proxy' || s === 'registrar' || s === 'gateway') return s;
  }
  return fallback;
}

/** "sip:1001@example.com", or a placeholder. */
export function nameOf(uri: string | undefined): string {
  return uri ?? '(unknown party)';
}

/** `32 s`, `4.1 s`, `6 ms`: an interval as a reader says it (under a second in ms, not "0.0 s"). */
export function secondsText(ms: number): string {
  if (ms < 0.5) return 'less than 1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return s >= 10 ? `${Math.round(s)} s` : `${s.toFixed(1)} s`;
}

/** The request that was sent (or what stands for it when only the response is in the data). */
export function requestOf(tx: Transaction): MessageFacts | undefined {
  return tx.request ?? tx.responses[0];
}

export function callIdsOf(...txs: readonly (Transaction | undefined)[]): string[] {
  return [...new Set(txs.filter((t): t is Transaction => t !== undefined).map((t) => t.callId))];
}
