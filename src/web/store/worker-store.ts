// A SipStore whose SQLite database lives in a worker thread (see store-worker.ts); same interface, same errors.
import { packStored, transferOf } from '../pack.js';
import type { PackedBatch } from '../pack.js';
import { spawnWorker } from '../spawn-worker.js';
import { StoreError } from './sqlite-store.js';
import type { StoreCall, StoreOpened, StoreReply } from './store-worker.js';
import type { SipStore } from './store.js';

function toError(e: { readonly message: string; readonly code?: string }): Error {
  if (e.code === 'store-open-failed' || e.code === 'store-too-new' || e.code === 'store-busy') return new StoreError(e.code, e.message);
  return new Error(e.message);
}

/** Opens the SQLite store at `file` in a worker; rejects with the StoreError openSqliteStore would throw. */
export async function openStoreInWorker(file: string): Promise<SipStore> {
  const worker = spawnWorker('store/store-worker', { file });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  let failure: Error | undefined;
  const opened = await new Promise<StoreOpened>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  if (!opened.opened) {
    await worker.terminate();
    throw toError(opened.error);
  }
  worker.on('message', (reply: StoreReply) => {
    const p = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.ok) p?.resolve(reply.value);
    else p?.reject(toError(reply.error));
  });
  const fail = (error: Error): void => {
    failure = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on('error', (error) => fail(new Error(`the history database worker stopped: ${error.message}`, { cause: error })));
  worker.on('exit', () => fail(failure ?? new Error('the history database is closed')));

  function call<T>(method: keyof SipStore, args: readonly unknown[], packed?: PackedBatch): Promise<T> {
    if (failure !== undefined) return Promise.reject(failure);
    return new Promise<T>((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (packed === undefined) worker.postMessage({ id, method, args } satisfies StoreCall);
      else worker.postMessage({ id, method, args: [], packed } satisfies StoreCall, transferOf(packed));
    });
  }

  let closed = false;
  return {
    append: (messages) => call('append', [], packStored(messages)),
    list: (options) => call('list', [options]),
    tail: (limit) => call('tail', [limit]),
    getMany: (ids) => call('getMany', [ids]),
    applyRetention: (policy, now, maxRows) => call('applyRetention', maxRows === undefined ? [policy, now] : [policy, now, maxRows]),
    stats: () => call('stats', []),
    createUpload: (name, bytes, time) => call('createUpload', [name, bytes, time]),
    finishUpload: (id, messages, result) => call('finishUpload', [id, messages, result]),
    listUploads: () => call('listUploads', []),
    uploadResult: (id) => call('uploadResult', [id]),
    loadView: () => call('loadView', []),
    saveView: (json, time) => call('saveView', [json, time]),
    close: async () => {
      if (closed) return;
      closed = true;
      await call('close', []).catch(() => undefined);
      await worker.terminate();
    },
  };
}
