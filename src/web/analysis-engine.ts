// Starts the analysis off the server's thread: a worker for the live analysis, one per upload. `inline` runs the
// live analysis on the calling thread instead (tests, and a fallback where workers cannot start).
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AnalysisHost } from './analysis-host.js';
import type { AnalysisHostOptions, HostEvent } from './analysis-host.js';
import type { ToLiveWorker, WorkerData } from './analysis-worker.js';
import type { LiveMessage, LiveView } from './live-view.js';
import type { UploadedMessage } from './upload-job.js';

export interface ViewEvent {
  readonly view: LiveView;
  readonly analysed: number;
  readonly failures: number;
}

export interface AnalysisEngine {
  /** Hands messages to the analysis; `live` false for history replayed at start. */
  push(batch: readonly LiveMessage[], live: boolean): void;
  restore(view: LiveView): void;
  /** The whole history, to save. */
  history(): Promise<LiveView>;
  onView(listener: (event: ViewEvent) => void): void;
  /** Messages the analysis has taken so far (the server compares it with what it sent: the backlog). */
  readonly analysed: number;
  close(): Promise<void>;
}

/** Worker threads do not inherit `--import tsx` on Node 20: from source, the worker registers tsx itself first. */
function spawnWorker(data: WorkerData): Worker {
  const fromSource = fileURLToPath(import.meta.url).endsWith('.ts');
  const entry = new URL(`./analysis-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSource) return new Worker(entry, { workerData: data });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { eval: true, workerData: data });
}

function createEngine(
  send: (message: ToLiveWorker) => void,
  subscribe: (handler: (event: HostEvent) => void) => void,
  stop: () => Promise<void>,
): AnalysisEngine {
  const listeners: ((event: ViewEvent) => void)[] = [];
  const waiting = new Map<number, (view: LiveView) => void>();
  let analysed = 0;
  let request = 0;
  subscribe((event) => {
    if (event.type === 'progress') analysed = event.analysed;
    else if (event.type === 'view') {
      analysed = event.analysed;
      for (const l of listeners) l(event);
    } else {
      waiting.get(event.request)?.(event.view);
      waiting.delete(event.request);
    }
  });
  return {
    push: (batch, live) => send({ type: 'push', batch, live }),
    restore: (view) => send({ type: 'restore', view }),
    history: () =>
      new Promise((resolve) => {
        waiting.set(++request, resolve);
        send({ type: 'history', request });
      }),
    onView: (listener) => void listeners.push(listener),
    get analysed() {
      return analysed;
    },
    close: stop,
  };
}

/** Starts the live analysis in a worker thread (or inline). */
export async function startLiveAnalysis(options: AnalysisHostOptions & { readonly inline?: boolean } = {}): Promise<AnalysisEngine> {
  const { inline, ...hostOptions } = options;
  if (inline === true) {
    let handler: (event: HostEvent) => void = () => undefined;
    const host = new AnalysisHost(hostOptions, (event) => handler(event));
    return createEngine(
      (m) => {
        if (m.type === 'push') host.push(m.batch, m.live);
        else if (m.type === 'restore') host.restore(m.view);
        else host.history(m.request);
      },
      (h) => (handler = h),
      () => {
        host.close();
        return Promise.resolve();
      },
    );
  }
  const worker = spawnWorker({ role: 'live', options: hostOptions });
  await new Promise<void>((resolve, reject) => {
    worker.once('online', resolve);
    worker.once('error', reject);
  });
  let failed: Error | undefined;
  worker.on('error', (error) => (failed = error));
  return createEngine(
    (m) => {
      if (failed !== undefined) throw new Error(`the analysis worker stopped: ${failed.message}`, { cause: failed });
      worker.postMessage(m);
    },
    (h) => void worker.on('message', h),
    async () => {
      await worker.terminate();
    },
  );
}

/** Reads and analyses an uploaded file in a worker of its own; resolves to the result as JSON text. */
export function analyseUpload(file: string, name: string, onBatch: (batch: UploadedMessage[]) => void, signal?: AbortSignal): Promise<string> {
  const worker = spawnWorker({ role: 'upload', file, name });
  return new Promise<string>((resolve, reject) => {
    const abort = (): void => {
      void worker.terminate();
      reject(new Error('the server is stopping'));
    };
    signal?.addEventListener('abort', abort, { once: true });
    const done = (): void => {
      signal?.removeEventListener('abort', abort);
      void worker.terminate();
    };
    worker.on('message', (m: { type: 'messages'; batch: UploadedMessage[] } | { type: 'result'; json: string } | { type: 'error'; message: string }) => {
      if (m.type === 'messages') {
        try {
          onBatch(m.batch);
        } catch (error) {
          done();
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      } else if (m.type === 'result') {
        done();
        resolve(m.json);
      } else {
        done();
        reject(new Error(m.message));
      }
    });
    worker.once('error', (error) => {
      done();
      reject(error);
    });
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the upload worker stopped with code ${code}`));
    });
  });
}
