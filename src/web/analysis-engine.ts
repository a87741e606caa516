// Starts the analysis off the server's thread: a worker for the live analysis, one per upload. `inline` runs the
// live analysis on the calling thread instead (tests, and a fallback where workers cannot start).
import { AnalysisHost } from './analysis-host.js';
import type { AnalysisHostOptions, HostEvent } from './analysis-host.js';
import type { ToLiveWorker, WorkerData } from './analysis-worker.js';
import type { LiveMessage } from './live-view.js';
import { packLive, transferOf } from './pack.js';
import { spawnWorker } from './spawn-worker.js';
import type { UploadedMessage } from './upload-job.js';

export interface ViewEvent {
  /** The LiveView as JSON text. */
  readonly json: string;
  readonly analysed: number;
  readonly failures: number;
}

export interface AnalysisEngine {
  /** Hands messages to the analysis; `live` false for history replayed at start. */
  push(batch: readonly LiveMessage[], live: boolean): void;
  /** Starts from a saved view (JSON text). */
  restore(json: string): void;
  /** The whole history as JSON text, to save. */
  history(): Promise<string>;
  onView(listener: (event: ViewEvent) => void): void;
  /** Messages the analysis has taken so far (the server compares it with what it sent: the backlog). */
  readonly analysed: number;
  /** The analysis thread's JavaScript heap, as it last said. */
  readonly heapBytes: number;
  close(): Promise<void>;
}

/** What the engine asks of the host, wherever it runs. */
type ToHost =
  | { readonly type: 'push'; readonly batch: readonly LiveMessage[]; readonly live: boolean }
  | { readonly type: 'restore'; readonly json: string }
  | { readonly type: 'history'; readonly request: number };

function createEngine(
  send: (message: ToHost) => void,
  subscribe: (handler: (event: HostEvent) => void) => void,
  stop: () => Promise<void>,
): AnalysisEngine {
  const listeners: ((event: ViewEvent) => void)[] = [];
  const waiting = new Map<number, (json: string) => void>();
  let analysed = 0;
  let heapBytes = 0;
  let request = 0;
  subscribe((event) => {
    if (event.type === 'progress') {
      analysed = event.analysed;
      heapBytes = event.heapBytes;
    }
    else if (event.type === 'view') {
      analysed = event.analysed;
      for (const l of listeners) l(event);
    } else {
      waiting.get(event.request)?.(event.json);
      waiting.delete(event.request);
    }
  });
  return {
    push: (batch, live) => send({ type: 'push', batch, live }),
    restore: (json) => send({ type: 'restore', json }),
    history: () =>
      new Promise((resolve) => {
        waiting.set(++request, resolve);
        send({ type: 'history', request });
      }),
    onView: (listener) => void listeners.push(listener),
    get analysed() {
      return analysed;
    },
    get heapBytes() {
      return heapBytes;
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
        // Copies, as the worker's unpacking does: a message's bytes may be a view into a feed's large buffer.
        if (m.type === 'push') host.push(m.batch.map((x) => ({ ...x, bytes: x.bytes.slice() })), m.live);
        else if (m.type === 'restore') host.restore(m.json);
        else host.history(m.request);
      },
      (h) => (handler = h),
      () => {
        host.close();
        return Promise.resolve();
      },
    );
  }
  const worker = spawnWorker('analysis-worker', { role: 'live', options: hostOptions } satisfies WorkerData);
  await new Promise<void>((resolve, reject) => {
    worker.once('online', resolve);
    worker.once('error', reject);
  });
  let failed: Error | undefined;
  worker.on('error', (error) => (failed = error));
  return createEngine(
    (m) => {
      if (failed !== undefined) throw new Error(`the analysis worker stopped: ${failed.message}`, { cause: failed });
      if (m.type === 'push') {
        const packed = packLive(m.batch);
        worker.postMessage({ type: 'push', packed, live: m.live } satisfies ToLiveWorker, transferOf(packed));
      } else worker.postMessage(m satisfies ToLiveWorker);
    },
    (h) => void worker.on('message', h),
    async () => {
      await worker.terminate();
    },
  );
}

/** Reads and analyses an uploaded file in a worker of its own; resolves to the result as JSON text. */
export function analyseUpload(file: string, name: string, onBatch: (batch: UploadedMessage[]) => void, signal?: AbortSignal): Promise<string> {
  const worker = spawnWorker('analysis-worker', { role: 'upload', file, name } satisfies WorkerData);
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
