// Starts one of the web app's worker threads. From source (tests, `node --import tsx`), Node 20 does not pass the
// --import hooks to workers, so the worker registers tsx itself before loading its entry.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** `entry` is a path relative to this folder without extension (`analysis-worker`, `store/store-worker`). */
export function spawnWorker(entry: string, workerData: unknown): Worker {
  const fromSource = fileURLToPath(import.meta.url).endsWith('.ts');
  const url = new URL(`./${entry}.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSource) return new Worker(url, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

/**
 * Runs the calling thread at a higher nice value (Linux: a thread's nice value is its own), so that when the CPUs are
 * short, the thread that reads the HEP socket gets them first: the analysis and the store can catch up, a datagram
 * the kernel dropped is gone.
 */
export function lowerThreadPriority(nice: number): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isSafeInteger(tid)) setPriority(tid, nice);
  } catch {
    // Not Linux, or not allowed: the thread runs at the priority it has.
  }
}
