// analyze(): the whole pipeline, inputs → messages → correlation → findings → the `analyze --json` contract. The
// analyzer (analyzer.ts) does the work; this module reads the inputs and decides how many threads share it.
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { MessageRecord } from '../model/message-record.js';
import { readRawInputs } from '../parse/read-inputs.js';
import { sumDirectorySize } from '../sources/walk.js';
import { createAnalyzer } from './analyzer.js';
import type { Analysis, AnalyzeOptions } from './analyzer.js';
import { analyzeInShares } from './shares/analyze-shares.js';

/** Reads the inputs (files, folders, archives, captures, logs) or takes a stream of messages, and analyses them. */
export async function analyze(inputs: readonly string[] | AsyncIterable<MessageRecord>, options: AnalyzeOptions = {}): Promise<Analysis> {
  if (isStringList(inputs)) {
    const shares = await sharesFor(inputs, options);
    if (shares > 1) return analyzeInShares(inputs, options, shares);
    // Paths: the framed messages go straight to their facts, batch by batch, with no parsed message in between.
    const read = readRawInputs(inputs, options);
    const analyzer = createAnalyzer(options, read.reports);
    for await (const batch of read.batches) for (const raw of batch) analyzer.pushRaw(raw);
    return analyzer.analysis();
  }
  const analyzer = createAnalyzer(options, []);
  for await (const r of inputs) analyzer.push(r);
  return analyzer.analysis();
}

/**
 * Inputs this large are analysed on several cores. Below it the threads cost more than they save: each worker loads
 * and warms up its own copy of the code, and the main thread copies every message into a batch. Measured on the
 * 2-core machine of docs/PERFORMANCE.md (2026-12-02, generated pcap, whole `analyze --json`): 50 MB 4.53 s with two
 * workers against 3.58 s with one thread, 100 MB 7.04 against 6.25, 200 MB 10.12 against 10.87, 500 MB 18.7 against
 * 24.5; the two cross near 150 MB. Since this thread analyses a share itself (2026-12-03, another machine of the kind):
 * 100 MB 3.35 s in one thread against 3.70 s in two, 200 MB 5.84-5.92 against 5.57-5.86, 500 MB about 12.8 against
 * 10.6; they cross near 200 MB, and the threshold stays, both being within a few percent of each other there.
 */
const SHARED_FROM_BYTES = 160 << 20;

/** How many worker threads analyse the inputs: `options.workers`, else one per core (up to 4) for large inputs. */
async function sharesFor(inputs: readonly string[], options: AnalyzeOptions): Promise<number> {
  const k = options.keepMessages;
  // Every message kept, or rules given as code, stay in this thread: neither crosses to a worker.
  if (k === 'all' || k === true || options.rules !== undefined) return 1;
  if (options.workers !== undefined) return Math.max(1, Math.floor(options.workers));
  const cores = availableParallelism();
  if (cores < 2) return 1;
  let total = 0;
  for (const input of inputs) {
    if (input === '-') return Math.min(cores, 4); // a stream of unknown length: the long case is the one that matters
    try {
      const full = resolve(options.cwd ?? process.cwd(), input);
      const info = await stat(full);
      total += info.isDirectory() ? await sumDirectorySize(full) : info.size;
    } catch {
      // reported when read
    }
  }
  return total >= SHARED_FROM_BYTES ? Math.min(cores, 4) : 1;
}

function isStringList(x: readonly string[] | AsyncIterable<MessageRecord>): x is readonly string[] {
  return Array.isArray(x);
}
