import { viewCall } from '../../correlate/call-outcome.js';
import type { CallView } from '../../correlate/call-outcome.js';
import type { Call, Correlation, Transaction } from '../../correlate/types.js';
import { groupCalls } from './call-groups.js';
import type { TransactionGroup } from './call-groups.js';

/**
 * What several rule families (and the call summaries) read of one correlation, worked out once for all of them
 * instead of once per family: each call's outcome, and which calls have which final answers. Rules run on every
 * batch of calls let go while reading, so this is made again for each run; the correlation must not change meanwhile.
 */
export class CorrelationIndex {
  readonly #views = new Map<Call, CallView>();
  /** Final status → positions in `correlation.calls` of the calls with a transaction answered so, ascending. */
  #callsByFinal: Map<number, number[]> | undefined;

  constructor(readonly correlation: Correlation) {}

  /** viewCall(call), worked out once. */
  viewOf(call: Call): CallView {
    let view = this.#views.get(call);
    if (view === undefined) this.#views.set(call, (view = viewCall(call)));
    return view;
  }

  /**
   * The groups (groupCallTransactions) of the calls with a transaction answered with one of `codes`, in the order
   * groupCallTransactions gives them. Most calls have none of the few codes a family looks at, and are not grouped.
   */
  groupsAnsweredWith(codes: ReadonlySet<number>): TransactionGroup[] {
    const byFinal = (this.#callsByFinal ??= indexCallsByFinal(this.correlation.calls));
    const positions = new Set<number>();
    for (const code of codes) for (const i of byFinal.get(code) ?? []) positions.add(i);
    if (positions.size === 0) return [];
    const calls = this.correlation.calls;
    return groupCalls([...positions].sort((a, b) => a - b).map((i) => calls[i] as Call));
  }
}

function indexCallsByFinal(calls: readonly Call[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  const note = (txs: readonly Transaction[], i: number): void => {
    for (const tx of txs) {
      const s = tx.final?.status;
      if (s === undefined) continue;
      const list = out.get(s);
      if (list === undefined) out.set(s, [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    }
  };
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i] as Call;
    note(call.invites, i);
    note(call.reInvites, i);
    note(call.cancels, i);
    note(call.byes, i);
    note(call.prackOrUpdate, i);
    note(call.others, i);
  }
  return out;
}

/** The index the rule families of one run share. */
export function indexCorrelation(c: Correlation): CorrelationIndex {
  return new CorrelationIndex(c);
}
