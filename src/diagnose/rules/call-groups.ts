import type { Call, Correlation, Transaction } from '../../correlate/types.js';

/** The copies of one request on the hops of a call: same CSeq and method, different branches. */
export interface TransactionGroup {
  readonly call: Call;
  /** The copy nearest the caller first (the first seen). */
  readonly txs: readonly Transaction[];
}

/** Every transaction of every call, grouped across hops, in order of appearance. */
export function groupCallTransactions(c: Correlation): TransactionGroup[] {
  return groupCalls(c.calls);
}

/** The transactions of these calls grouped across hops, call by call, each call's groups in order of appearance. */
export function groupCalls(calls: readonly Call[]): TransactionGroup[] {
  const out: TransactionGroup[] = [];
  for (const call of calls) {
    const groups = new Map<string, Transaction[]>();
    const all = [...call.invites, ...call.reInvites, ...call.cancels, ...call.byes, ...call.prackOrUpdate, ...call.others];
    all.sort((a, b) => a.id - b.id);
    for (const tx of all) {
      const key = `${tx.cseq}|${tx.method}|${tx.request?.fromTag ?? tx.responses[0]?.fromTag ?? ''}`;
      const list = groups.get(key);
      if (list === undefined) groups.set(key, [tx]);
      else list.push(tx);
    }
    for (const txs of groups.values()) out.push({ call, txs });
  }
  return out;
}

/** The first copy answered with one of `codes`, and the copies on other hops. */
export function findFinal(group: TransactionGroup, codes: ReadonlySet<number>): { tx: Transaction; others: Transaction[] } | undefined {
  const tx = group.txs.find((t) => t.final?.status !== undefined && codes.has(t.final.status));
  if (tx === undefined) return undefined;
  return { tx, others: group.txs.filter((t) => t !== tx) };
}
