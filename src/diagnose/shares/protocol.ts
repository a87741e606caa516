// What the threads of a shared analysis say to each other.
import type { Issue } from '../../model/issue.js';
import type { MessageMeta } from '../../model/message-meta.js';
import type { AnalyzeOptions } from '../analyzer.js';
import type { PartialAnalysis } from '../combine.js';
import type { RawBatch } from '../raw-batch.js';

/**
 * The options a worker analyses its share with: those of AnalyzeOptions that are plain data (no rules given as code,
 * no reading options), with the choice of messages to keep made.
 */
export type ShareOptions = Pick<AnalyzeOptions, 'keepCallIdsContaining' | 'keepCallIds' | 'keepAccounts' | 'eviction' | 'maxCalls' | 'maxFindingsPerRule' | 'parse'> & {
  readonly keepMessages: 'evidence' | 'flows' | 'none';
};

export type ToWorker =
  | { readonly type: 'batch'; readonly batch: RawBatch }
  /** The input is read: `lastAt` is the data's last time over every share. */
  | { readonly type: 'end'; readonly lastAt: number | null };

/** A message a finding cites, handed back with the share's result. */
export interface EvidenceMessage {
  readonly index: number;
  readonly bytes: Uint8Array;
  readonly meta: MessageMeta;
  readonly issues: readonly Issue[];
  readonly asRead: boolean;
}

export type FromWorker =
  | { readonly type: 'ack' }
  | { readonly type: 'done'; readonly partial: PartialAnalysis; readonly evidence: readonly EvidenceMessage[] }
  | { readonly type: 'error'; readonly message: string; readonly stack?: string };
