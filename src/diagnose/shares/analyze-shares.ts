// `analyze` on several cores: this thread reads and frames the inputs and routes every message by its call, account
// or keepalive pair (Router) to one of N shares, each analysed as one analyzer would: the first in this thread, the
// others in worker threads; the shares' results are then numbered and listed together (combinePartials). Reading and
// framing happen once; what is split is the cost per message of facts, correlation and rules.
import type { Worker } from 'node:worker_threads';
import { Router } from '../../correlate/route-key.js';
import type { MessageRecord } from '../../model/message-record.js';
import { readRawInputs } from '../../parse/read-inputs.js';
import type { Analysis, AnalyzeOptions } from '../analyzer.js';
import { createAnalyzer, handsOverStored, keepsChosenCalls, keptCallIdText } from '../analyzer.js';
import { combinePartials } from '../combine.js';
import type { PartialAnalysis } from '../combine.js';
import { reviveMessage } from '../message-store.js';
import { RawBatchWriter } from '../raw-batch.js';
import type { EvidenceMessage, FromWorker, ShareOptions, ToWorker } from './protocol.js';
import { shareResult } from './share-result.js';
import { spawnWorker } from './spawn-worker.js';

/** Bytes a batch gathers before it is sent; batches in flight per worker before reading waits. */
export const BATCH_BYTES = 512 << 10;
export const MAX_IN_FLIGHT = 4;

/**
 * Parts of the routing numbers the reading thread's share takes, against each worker's: it reads and frames every
 * message besides analysing its own, so an even split leaves the workers waiting on it. 3 to 5, measured on the 500 MB
 * capture and PJSIP log with two shares (docs/PERFORMANCE.md, "The reading thread's share").
 */
const LOCAL_PARTS = 3;
const WORKER_PARTS = 5;

/** The share (0: the reading thread's) of a message with routing number `key`, among `shares` shares. */
export function shareOf(key: number, shares: number): number {
  const k = key % (LOCAL_PARTS + WORKER_PARTS * (shares - 1));
  return k < LOCAL_PARTS ? 0 : 1 + Math.floor((k - LOCAL_PARTS) / WORKER_PARTS);
}

/** A failure of a worker thread, with the worker's own message. */
export class ShareError extends Error {
  readonly code = 'share-failed';
}

class Share {
  readonly worker: Worker;
  readonly writer = new RawBatchWriter();
  inFlight = 0;
  #wake: (() => void) | undefined;
  readonly done: Promise<{ partial: PartialAnalysis; evidence: readonly EvidenceMessage[] }>;
  #failed: Error | undefined;

  constructor(options: ShareOptions) {
    this.worker = spawnWorker('share-worker', options);
    this.done = new Promise((resolve, reject) => {
      this.worker.on('message', (m: FromWorker) => {
        if (m.type === 'ack') {
          this.inFlight--;
          this.#wake?.();
        } else if (m.type === 'done') resolve({ partial: m.partial, evidence: m.evidence });
        else this.#fail(new ShareError(`analysis thread failed: ${m.message}`, { cause: m.stack }), reject);
      });
      this.worker.on('error', (error) => this.#fail(new ShareError(`analysis thread failed: ${error.message}`, { cause: error }), reject));
      this.worker.on('exit', (code) => {
        if (code !== 0) this.#fail(new ShareError(`analysis thread stopped with exit code ${code}`), reject);
      });
    });
    // A failure is reported where it is awaited; keep Node from calling it unhandled meanwhile.
    this.done.catch(() => undefined);
  }

  #fail(error: Error, reject: (e: Error) => void): void {
    this.#failed ??= error;
    this.#wake?.();
    reject(error);
  }

  async send(): Promise<void> {
    if (this.writer.count === 0) return;
    while (this.inFlight >= MAX_IN_FLIGHT && this.#failed === undefined) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
    if (this.#failed !== undefined) throw this.#failed;
    const batch = this.writer.take();
    this.inFlight++;
    const message: ToWorker = { type: 'batch', batch };
    this.worker.postMessage(message, [batch.bytes, batch.nums]);
  }

  end(lastAt: number | null): void {
    const message: ToWorker = { type: 'end', lastAt };
    this.worker.postMessage(message);
  }
}

/**
 * Analyses the inputs in `shares` shares, the first in this thread beside the reading and the others in a worker
 * thread each; the result is the one `analyze` gives (see combinePartials). The reading thread takes a share because
 * reading and framing cost it little (about a tenth of the analysis): a worker of its own for every share left a
 * core's worth of threads fighting over two cores, copied every message into a batch, and warmed up one more copy of
 * the code (docs/PERFORMANCE.md, "The reading thread analyses a share").
 */
export async function analyzeInShares(inputs: readonly string[], options: AnalyzeOptions, shares: number): Promise<Analysis> {
  const k = options.keepMessages ?? 'evidence';
  const keepText = keptCallIdText(options);
  const shareOptions: ShareOptions = {
    keepMessages: k === false || k === 'none' ? 'none' : k === 'flows' ? 'flows' : 'evidence',
    ...(keepText !== undefined && { keepCallIdsContaining: keepText }),
    ...(options.keepCallIds !== undefined && options.keepCallIds.length > 0 && { keepCallIds: options.keepCallIds }),
    ...(options.keepAccounts !== undefined && options.keepAccounts.length > 0 && { keepAccounts: options.keepAccounts }),
    ...(options.eviction !== undefined && { eviction: options.eviction }),
    ...(options.maxCalls !== undefined && { maxCalls: options.maxCalls }),
    ...(options.maxFindingsPerRule !== undefined && { maxFindingsPerRule: options.maxFindingsPerRule }),
    ...(options.parse !== undefined && { parse: options.parse }),
  };
  const local = createAnalyzer(shareOptions);
  const workers = Array.from({ length: shares - 1 }, () => new Share(shareOptions));
  try {
    const read = readRawInputs(inputs, options);
    const router = new Router();
    let index = 0;
    let lastAt: number | null = null;
    for await (const batch of read.batches) {
      for (const raw of batch) {
        const m = raw.meta;
        const at = m.time ?? (m.clock !== undefined ? m.clock * 1000 : null);
        if (at !== null && (lastAt === null || at > lastAt)) lastAt = at;
        const k = shareOf(router.key(raw.bytes), shares);
        if (k === 0) {
          local.pushRaw(raw, index++);
          continue;
        }
        const share = workers[k - 1]!;
        share.writer.add(raw, index++);
        if (share.writer.byteLength >= BATCH_BYTES) await share.send();
      }
    }
    for (const w of workers) await w.send();
    for (const w of workers) w.end(lastAt);
    const results = [shareResult(local, lastAt, false), ...(await Promise.all(workers.map((w) => w.done)))];
    const result = combinePartials(
      results.map((r) => r.partial),
      read.reports,
      { ...(options.maxCalls !== undefined && { maxCalls: options.maxCalls }), ...(options.maxFindingsPerRule !== undefined && { maxFindingsPerRule: options.maxFindingsPerRule }) },
    );
    const byIndex = new Map<number, EvidenceMessage>();
    for (const r of results) for (const e of r.evidence) byIndex.set(e.index, e);
    const messages = new Map<number, MessageRecord>();
    if (handsOverStored(shareOptions.keepMessages, keepsChosenCalls(shareOptions))) {
      // Each share kept its own first messages and flows, or the messages of the calls asked for: all of them are
      // handed on (the report picks among them).
      for (const i of [...byIndex.keys()].sort((a, b) => a - b)) {
        const e = byIndex.get(i)!;
        messages.set(i, reviveMessage(e, options.parse, e.asRead));
      }
    } else if (shareOptions.keepMessages === 'evidence') {
      const wanted = new Set<number>();
      for (const f of result.findings) for (const i of f.evidence) wanted.add(i);
      for (const i of [...wanted].sort((a, b) => a - b)) {
        const e = byIndex.get(i);
        if (e !== undefined) messages.set(i, reviveMessage(e, options.parse, e.asRead));
      }
    }
    return { result, messages };
  } finally {
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}
