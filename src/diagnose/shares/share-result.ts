// What one share of a shared analysis hands back when its input is read: the partial result, with the messages its
// findings cite and those it hands over (Analyzer.handedOver). The same in a worker thread and in the reading thread.
import type { Analyzer } from '../analyzer.js';
import type { PartialAnalysis } from '../combine.js';
import type { EvidenceMessage } from './protocol.js';

export interface ShareResult {
  readonly partial: PartialAnalysis;
  readonly evidence: readonly EvidenceMessage[];
}

/**
 * The share's result at the end of the input (`lastAt`: the data's last time over every share). `copy` gives each
 * message's bytes a buffer of its own, to be transferred to another thread; without it they are views into the
 * analyzer's store.
 */
export function shareResult(analyzer: Analyzer, lastAt: number | null, copy: boolean): ShareResult {
  const partial = analyzer.partial(lastAt);
  const cited = new Set<number>(analyzer.handedOver());
  for (const d of partial.drafts) for (const i of d.evidence) cited.add(i);
  const evidence: EvidenceMessage[] = [];
  for (const index of cited) {
    const m = analyzer.stored(index);
    if (m === undefined) continue;
    evidence.push({ index, bytes: copy ? m.bytes.slice() : m.bytes, meta: m.meta, issues: m.issues, asRead: m.asRead });
  }
  return { partial, evidence };
}
