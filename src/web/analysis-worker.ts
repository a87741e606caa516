// The worker thread side of the analysis (see analysis-engine.ts): a live analysis fed by the server, or one upload.
// The server's thread only receives, stores and serves; a snapshot here never holds up a HEP socket there.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { AnalysisHost } from './analysis-host.js';
import type { AnalysisHostOptions } from './analysis-host.js';
import { unpackLive } from './pack.js';
import type { PackedBatch } from './pack.js';
import { lowerThreadPriority } from './spawn-worker.js';
import { runUploadJob } from './upload-job.js';

/** What the server sends the live worker. */
export type ToLiveWorker =
  | { readonly type: 'push'; readonly packed: PackedBatch; readonly live: boolean }
  | { readonly type: 'restore'; readonly json: string }
  | { readonly type: 'history'; readonly request: number };

export type WorkerData =
  | { readonly role: 'live'; readonly options: AnalysisHostOptions }
  | { readonly role: 'upload'; readonly file: string; readonly name: string };

function serveLive(port: MessagePort, options: AnalysisHostOptions): void {
  lowerThreadPriority(10);
  const host = new AnalysisHost(options, (event) => port.postMessage(event));
  // Taken in slices, so that the timer that makes views runs even while messages keep coming.
  const queue: ToLiveWorker[] = [];
  let draining = false;
  const drain = (): void => {
    const until = performance.now() + 50;
    while (queue.length > 0 && performance.now() < until) {
      const message = queue.shift() as ToLiveWorker;
      if (message.type === 'push') host.push(unpackLive(message.packed), message.live);
      else if (message.type === 'restore') host.restore(message.json);
      else host.history(message.request);
    }
    draining = queue.length > 0;
    if (draining) setImmediate(drain);
  };
  port.on('message', (message: ToLiveWorker) => {
    queue.push(message);
    if (!draining) {
      draining = true;
      setImmediate(drain);
    }
  });
  port.on('close', () => host.close());
}

async function serveUpload(port: MessagePort, file: string, name: string): Promise<void> {
  lowerThreadPriority(10);
  try {
    const result = await runUploadJob(file, name, (batch) => {
      port.postMessage({ type: 'messages', batch }, batch.map((m) => m.bytes.buffer as ArrayBuffer));
    });
    port.postMessage({ type: 'result', json: JSON.stringify(result) });
  } catch (error) {
    port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
}

if (!isMainThread && parentPort !== null) {
  const data = workerData as WorkerData;
  if (data.role === 'live') serveLive(parentPort, data.options);
  else void serveUpload(parentPort, data.file, data.name);
}
