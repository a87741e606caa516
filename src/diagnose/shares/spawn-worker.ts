// Starts a worker thread on a module of this folder. From source (tests, `node --import tsx`) Node 20 passes no
// --import hooks to workers, so the worker registers tsx itself before loading its entry.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** `entry`: a module of this folder, without extension. */
export function spawnWorker(entry: string, workerData: unknown): Worker {
  const fromSource = fileURLToPath(import.meta.url).endsWith('.ts');
  const url = new URL(`./${entry}.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSource) return new Worker(url, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { eval: true, workerData });
}
