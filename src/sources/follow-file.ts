import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

export interface FollowOptions {
  /** Stops following; the stream then ends. */
  readonly signal?: AbortSignal;
  /** How often to look for growth when no file-system event comes (network shares, some containers). Default 250 ms. */
  readonly pollIntervalMs?: number;
  /** Read what the file already holds first (default), or only what is written from now on. */
  readonly fromStart?: boolean;
  /** Called when the file is replaced (renamed away and created again) or truncated in place. */
  readonly onRotate?: (how: 'renamed' | 'truncated') => void;
  readonly chunkBytes?: number;
}

/**
 * Follows a growing log file, as `tail -F` does: yields its bytes as they are written, across rotation. A rename
 * (logrotate's default) is seen as a new inode at the path: the old file is read to its end, then the new one from
 * its start. A truncation in place (`copytruncate`) is seen as a size below the read position: reading restarts at 0
 * (as with `tail -F`, a file truncated and regrown past the position between two looks cannot be told from growth).
 * Wakes on fs.watch events on the folder, with polling as the fallback. A file that does not exist yet is waited for.
 */
export async function* followFile(path: string, options: FollowOptions = {}): AsyncGenerator<Uint8Array> {
  const signal = options.signal;
  const pollMs = options.pollIntervalMs ?? 250;
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  let wakeUp: (() => void) | undefined;
  const wake = (): void => {
    wakeUp?.();
  };
  let watcher: FSWatcher | undefined;
  try {
    const name = basename(path);
    watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
      if (changed === null || changed.toString() === name) wake();
    });
    watcher.on('error', () => undefined);
  } catch {
    watcher = undefined; // polling alone
  }
  signal?.addEventListener('abort', wake, { once: true });

  const sleep = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, pollMs);
      function done(): void {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  let handle: FileHandle | undefined;
  let inode = -1;
  let position = 0;
  let first = true;
  const buffer = new Uint8Array(chunkBytes);

  async function readToEnd(): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    if (handle === undefined) return out;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) return out;
      position += bytesRead;
      out.push(buffer.slice(0, bytesRead));
      if (out.length >= 4) return out; // yield in portions to keep memory flat
    }
  }

  try {
    while (signal?.aborted !== true) {
      if (handle === undefined) {
        try {
          handle = await open(path, 'r');
          const info = await handle.stat();
          inode = info.ino;
          position = first && options.fromStart === false ? info.size : 0;
          first = false;
        } catch {
          handle = undefined;
          await sleep();
          continue;
        }
      }
      const pieces = await readToEnd();
      for (const piece of pieces) yield piece;
      if (pieces.length > 0) continue;
      // At the end of what is there: has the file been replaced or truncated?
      let current: { ino: number; size: number } | undefined;
      try {
        current = await stat(path);
      } catch {
        current = undefined; // renamed away, not yet created again
      }
      if (current !== undefined && current.ino !== inode) {
        for (let more = await readToEnd(); more.length > 0; more = await readToEnd()) for (const piece of more) yield piece;
        await handle.close();
        handle = undefined;
        options.onRotate?.('renamed');
        continue;
      }
      if (current !== undefined && current.size < position) {
        position = 0;
        options.onRotate?.('truncated');
        continue;
      }
      await sleep();
    }
  } finally {
    watcher?.close();
    signal?.removeEventListener('abort', wake);
    await handle?.close();
  }
}
