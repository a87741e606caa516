import { appendFile, mkdtemp, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followFile } from './follow-file.js';

describe('followFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'siplens-follow-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('follows a growing log across a rename (logrotate) and a truncation (copytruncate)', async () => {
    const path = join(dir, 'sip');
    await writeFile(path, 'one\n');
    const controller = new AbortController();
    const rotations: string[] = [];
    const stream = followFile(path, { signal: controller.signal, pollIntervalMs: 20, onRotate: (how) => rotations.push(how) });
    const iterator = stream[Symbol.asyncIterator]();
    const decoder = new TextDecoder();
    let seen = '';
    /** Reads until `text` has arrived, or fails after 10 s. */
    async function until(text: string): Promise<void> {
      const deadline = Date.now() + 10_000;
      while (!seen.includes(text)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(text)}; got ${JSON.stringify(seen)}`);
        const next = await iterator.next();
        if (next.done === true) throw new Error(`the stream ended; got ${JSON.stringify(seen)}`);
        seen += decoder.decode(next.value);
      }
    }
    const guard = setTimeout(() => controller.abort(), 30_000);
    try {
      await until('one\n');
      await appendFile(path, 'two\n');
      await until('two\n');
      // logrotate: the live file is renamed (and gets a last line), a new one is created at the path.
      await rename(path, `${path}.1`);
      await appendFile(`${path}.1`, 'three\n');
      await writeFile(path, 'four\n');
      await until('four\n');
      // copytruncate: the file is emptied in place and written again from its start.
      // The reader must be waiting (as a live reader is) to see the size drop before the file regrows.
      await truncate(path, 0);
      const waiting = until('five\n');
      await new Promise((r) => setTimeout(r, 100));
      await appendFile(path, 'five\n');
      await waiting;
      expect(seen).toBe('one\ntwo\nthree\nfour\nfive\n');
      expect(rotations).toEqual(['renamed', 'truncated']);
    } finally {
      clearTimeout(guard);
      controller.abort();
      await iterator.return?.(undefined);
    }
  });
});
