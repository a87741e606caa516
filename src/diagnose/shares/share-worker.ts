// One share of an analysis in a worker thread: the messages routed here are analysed as createAnalyzer would, and the
// partial result goes back with the messages its findings cite and those it hands over (Analyzer.handedOver: with
// keepMessages 'flows' every message it kept, with calls asked for their messages; bounded, see createAnalyzer).
import { parentPort, workerData } from 'node:worker_threads';
import { createAnalyzer } from '../analyzer.js';
import { readRawBatch } from '../raw-batch.js';
import type { FromWorker, ShareOptions, ToWorker } from './protocol.js';
import { shareResult } from './share-result.js';

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
    const { partial, evidence } = shareResult(analyzer, message.lastAt, true);
    const transfer = evidence.map((e) => e.bytes.buffer as ArrayBuffer);
    post({ type: 'done', partial, evidence }, transfer);
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    post({ type: 'error', message: e.message, ...(e.stack !== undefined && { stack: e.stack }) });
  }
});
