// The worker side of openStoreInWorker: a SQLite store on a thread of its own, so that its writes (and the WAL
// checkpoints with their fsync) never hold up the thread that reads the HEP socket.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { unpackStored } from '../pack.js';
import { lowerThreadPriority } from '../spawn-worker.js';
import type { PackedBatch } from '../pack.js';
import { openSqliteStore, StoreError } from './sqlite-store.js';
import type { SipStore } from './store.js';

export interface StoreCall {
  readonly id: number;
  readonly method: keyof SipStore;
  readonly args: readonly unknown[];
  /** For `append`: the messages, packed (see pack.ts). */
  readonly packed?: PackedBatch;
}

export type StoreReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: { readonly message: string; readonly code?: string } };

export type StoreOpened = { readonly opened: true } | { readonly opened: false; readonly error: { readonly message: string; readonly code?: string } };

function errorOf(error: unknown): { message: string; code?: string } {
  if (error instanceof StoreError) return { message: error.message, code: error.code };
  return { message: error instanceof Error ? error.message : String(error) };
}

if (!isMainThread && parentPort !== null) {
  const port = parentPort;
  const { file } = workerData as { file: string };
  // Below the socket-reading thread, above the analysis: what is received must be stored first.
  lowerThreadPriority(5);
  let store: SipStore | undefined;
  try {
    store = openSqliteStore(file);
    port.postMessage({ opened: true } satisfies StoreOpened);
  } catch (error) {
    port.postMessage({ opened: false, error: errorOf(error) } satisfies StoreOpened);
  }
  port.on('message', (call: StoreCall) => {
    if (store === undefined) return;
    const run = store[call.method] as (...args: unknown[]) => Promise<unknown>;
    const args = call.packed === undefined ? [...call.args] : [unpackStored(call.packed)];
    run.apply(store, args).then(
      (value) => port.postMessage({ id: call.id, ok: true, value } satisfies StoreReply),
      (error: unknown) => port.postMessage({ id: call.id, ok: false, error: errorOf(error) } satisfies StoreReply),
    );
  });
}
