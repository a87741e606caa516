// One share of an analysis in a worker thread: the messages routed here are analysed as createAnalyzer would, and the
// partial result goes back with the messages its findings cite and those it hands over (Analyzer.handedOver: with
// keepMessages 'flows' every message it kept, with calls asked for their messages; bounded, see createAnalyzer).
import { parentPort, workerData } from 'node:worker_threads';
import { createAnalyzer } from '../analyze.js';
import { readRawBatch } from '../raw-batch.js';
import type { EvidenceMessage, FromWorker, ShareOptions, ToWorker } from './protocol.js';

const port = parentPort;
if (port === null) throw new Error('share-worker runs in a worker thread');
const options = workerData as ShareOptions;
const analyzer = createAnalyzer(options);

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

port.on('message', (message: ToWorker) => {
  try {
    if (message.type === 'batch') {
      readRawBatch(message.batch, (raw, index) => analyzer.pushRaw(raw, index));
      post({ type: 'ack' });
      return;
    }
    const partial = analyzer.partial(message.lastAt);
    const cited = new Set<number>(analyzer.handedOver());
    for (const d of partial.drafts) for (const i of d.evidence) cited.add(i);
    const evidence: EvidenceMessage[] = [];
    const transfer: ArrayBuffer[] = [];
    for (const index of cited) {
      const m = analyzer.stored(index);
      if (m === undefined) continue;
      const bytes = m.bytes.slice();
      transfer.push(bytes.buffer as ArrayBuffer);
      evidence.push({ index, bytes, meta: m.meta, issues: m.issues, asRead: m.asRead });
    }
    post({ type: 'done', partial, evidence }, transfer);
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    post({ type: 'error', message: e.message, ...(e.stack !== undefined && { stack: e.stack }) });
  }
});
