import { lookupStatus } from '../diagnose/catalog/index.js';
import { formatTable } from './text-table.js';
import type { MessageView } from './message-view.js';
import { secondsOf } from './message-view.js';

export interface ResponseTimes {
  readonly method: string;
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export interface MessageStats {
  readonly messages: number;
  readonly requests: number;
  readonly responses: number;
  /** Requests by method, most first. */
  readonly byMethod: readonly { readonly method: string; readonly count: number }[];
  /** Responses by status code, ascending code. */
  readonly byCode: readonly { readonly code: number; readonly reason: string; readonly count: number }[];
  /** Requests by account (the From user@host of requests), most first. */
  readonly byAccount: readonly { readonly account: string; readonly requests: number; readonly failures: number }[];
  /** Request to first final response, in ms, per method (transactions with a clock only). */
  readonly responseTimes: readonly ResponseTimes[];
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? 0;
}

function accountOf(uri: string | null): string {
  if (uri === null) return '?';
  // Drop the scheme and any parameters: accounts are user@host.
  const noScheme = uri.replace(/^[a-z]+:/i, '');
  const end = noScheme.search(/[;>?]/);
  return end < 0 ? noScheme : noScheme.slice(0, end);
}

/** Open transactions (request seen, no final answer yet) held at most; the oldest are let go first. */
const MAX_OPEN_TRANSACTIONS = 200_000;
/** Answered transactions remembered, so that a retransmitted final answer is not counted twice. */
const MAX_ANSWERED_KEYS = 200_000;

/**
 * Counts by method, code and account, and the request → final response times, one message at a time: memory is
 * bounded by the open transactions and the response times kept (a number each), not by the messages. A transaction is
 * keyed by Call-ID, CSeq number and method (RFC 3261 §17.1.3 matches by branch; Call-ID + CSeq also holds for logs
 * that lose the Via).
 */
export class StatsCounter {
  readonly #byMethod = new Map<string, number>();
  readonly #byCode = new Map<number, { reason: string; count: number }>();
  readonly #byAccount = new Map<string, { requests: number; failures: number }>();
  readonly #started = new Map<string, { method: string; at: number | null; account: string }>();
  #answered = new Set<string>();
  #answeredBefore = new Set<string>();
  readonly #times = new Map<string, number[]>();
  #messages = 0;
  #requests = 0;
  #responses = 0;

  add(m: MessageView): void {
    this.#messages++;
    const key = `${m.callId ?? ''}\u0000${m.cseq ?? ''}\u0000${m.cseqMethod ?? ''}`;
    if (m.kind === 'request') {
      this.#requests++;
      const method = m.method ?? '?';
      this.#byMethod.set(method, (this.#byMethod.get(method) ?? 0) + 1);
      const account = accountOf(m.from);
      const a = this.#byAccount.get(account) ?? { requests: 0, failures: 0 };
      a.requests++;
      this.#byAccount.set(account, a);
      // A retransmission keeps the first send time; ACK gets no response (RFC 3261 §17.1.1.3).
      if (method !== 'ACK' && !this.#started.has(key) && !this.#wasAnswered(key)) {
        if (this.#started.size >= MAX_OPEN_TRANSACTIONS) this.#started.delete(this.#started.keys().next().value as string);
        this.#started.set(key, { method, at: secondsOf(m), account });
      }
      return;
    }
    this.#responses++;
    const code = m.status ?? 0;
    const e = this.#byCode.get(code) ?? { reason: m.reason ?? '', count: 0 };
    e.count++;
    this.#byCode.set(code, e);
    if (code < 200) return;
    const req = this.#started.get(key);
    if (req === undefined) return;
    this.#started.delete(key);
    this.#answer(key);
    if (code >= 300) {
      const a = this.#byAccount.get(req.account);
      if (a !== undefined && code !== 401 && code !== 407) a.failures++;
    }
    const at = secondsOf(m);
    if (req.at !== null && at !== null && at >= req.at) {
      const list = this.#times.get(req.method) ?? [];
      list.push((at - req.at) * 1000);
      this.#times.set(req.method, list);
    }
  }

  /** Two generations of answered keys: the older is dropped whole when the newer fills. */
  #answer(key: string): void {
    if (this.#answered.size >= MAX_ANSWERED_KEYS) {
      this.#answeredBefore = this.#answered;
      this.#answered = new Set();
    }
    this.#answered.add(key);
  }

  #wasAnswered(key: string): boolean {
    return this.#answered.has(key) || this.#answeredBefore.has(key);
  }

  result(): MessageStats {
    const responseTimes = [...this.#times.entries()]
      .map(([method, list]): ResponseTimes => {
        const sorted = [...list].sort((a, b) => a - b);
        return {
          method,
          count: sorted.length,
          p50: percentile(sorted, 50),
          p90: percentile(sorted, 90),
          p99: percentile(sorted, 99),
          max: sorted[sorted.length - 1] ?? 0,
        };
      })
      .sort((a, b) => b.count - a.count);
    return {
      messages: this.#messages,
      requests: this.#requests,
      responses: this.#responses,
      byMethod: [...this.#byMethod.entries()].map(([method, count]) => ({ method, count })).sort((a, b) => b.count - a.count || a.method.localeCompare(b.method)),
      byCode: [...this.#byCode.entries()].map(([code, v]) => ({ code, reason: v.reason, count: v.count })).sort((a, b) => a.code - b.code),
      byAccount: [...this.#byAccount.entries()].map(([account, v]) => ({ account, ...v })).sort((a, b) => b.requests - a.requests || a.account.localeCompare(b.account)),
      responseTimes,
    };
  }
}

/** computeStats over a list of messages (see StatsCounter). */
export function computeStats(messages: Iterable<MessageView>): MessageStats {
  const counter = new StatsCounter();
  for (const m of messages) counter.add(m);
  return counter.result();
}

/**
 * Stats for `--redact=all`: the accounts as `account-1`, `account-2`… (in the order listed), and every reason phrase
 * that is not the registry's own for its code replaced by it (a device's own phrase may name a user or a number).
 */
export function redactStats(stats: MessageStats): MessageStats {
  return {
    ...stats,
    byAccount: stats.byAccount.map((a, i) => ({ ...a, account: `account-${i + 1}` })),
    byCode: stats.byCode.map((c) => ({ ...c, reason: lookupStatus(c.code)?.reason ?? '(reason redacted)' })),
  };
}

/** Stats as terminal tables (boxed on a terminal) or plain aligned text. */
export function formatStatsText(stats: MessageStats, options: { readonly boxed: boolean }): string {
  const out: string[] = [];
  out.push(`${stats.messages} messages: ${stats.requests} requests, ${stats.responses} responses`, '');
  out.push('Requests by method');
  out.push(formatTable(['method', 'count'], stats.byMethod.map((m) => [m.method, String(m.count)]), options));
  out.push('Responses by code');
  out.push(formatTable(['code', 'reason', 'count'], stats.byCode.map((c) => [String(c.code), c.reason, String(c.count)]), options));
  out.push('Requests by account (From)');
  out.push(formatTable(['account', 'requests', 'failed transactions'], stats.byAccount.map((a) => [a.account, String(a.requests), String(a.failures)]), options));
  out.push('Response times (request to final response, ms)');
  if (stats.responseTimes.length === 0) out.push('  no timed transactions\n');
  else {
    const ms = (n: number): string => (n < 10 ? n.toFixed(2) : n.toFixed(0));
    out.push(
      formatTable(
        ['method', 'transactions', 'p50', 'p90', 'p99', 'max'],
        stats.responseTimes.map((r) => [r.method, String(r.count), ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max)]),
        options,
      ),
    );
  }
  return out.join('\n');
}
