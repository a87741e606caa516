// The worker thread side of the analysis (see analysis-engine.ts): a live analysis fed by the server, or one upload.
// The server's thread only receives, stores and serves; a snapshot here never holds up a HEP socket there.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { AnalysisHost } from './analysis-host.js';
import type { AnalysisHostOptions } from './analysis-host.js';
import type { LiveMessage, LiveView } from './live-view.js';
import { runUploadJob } from './upload-job.js';

/** What the server sends the live worker. */
export type ToLiveWorker =
  | { readonly type: 'push'; readonly batch: readonly LiveMessage[]; readonly live: boolean }
  | { readonly type: 'restore'; readonly view: LiveView }
  | { readonly type: 'history'; readonly request: number };

export type WorkerData =
  | { readonly role: 'live'; readonly options: AnalysisHostOptions }
  | { readonly role: 'upload'; readonly file: string; readonly name: string };

function serveLive(port: MessagePort, options: AnalysisHostOptions): void {
  const host = new AnalysisHost(options, (event) => port.postMessage(event));
  port.on('message', (message: ToLiveWorker) => {
    if (message.type === 'push') host.push(message.batch, message.live);
    else if (message.type === 'restore') host.restore(message.view);
    else host.history(message.request);
  });
  port.on('close', () => host.close());
}

async function serveUpload(port: MessagePort, file: string, name: string): Promise<void> {
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
