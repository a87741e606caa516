import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTool } from '../../test/helpers/tools.js';
import type { InputReport } from '../model/index.js';
import { collectStream, memorySource, streamSource } from './byte-source.js';
import { createWalkState, walkSource } from './walk.js';

const text = new TextEncoder();

/** Walks bytes as a file and as a stream; returns what came out. Must neither throw nor hang on any input. */
async function walkAll(bytes: Uint8Array): Promise<{ files: number; report: InputReport }> {
  const report: InputReport = { path: 'x', kind: 'x', format: null, messages: 0, skipped: 0, issues: [] };
  let files = 0;
  for (const source of [memorySource('x', bytes), streamSource('x', (async function* () { yield bytes; })())]) {
    const state = createWalkState(report, { maxBufferedBytes: 1 << 20, maxFileBytes: 8 << 20 });
    for await (const f of walkSource(source, state)) {
      await collectStream(f.chunks, 16 << 20);
      files++;
    }
  }
  return { files, report };
}

describe('walkSource on damaged archives', () => {
  let seeds: Uint8Array[] = [];
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'siplens-fuzz-'));
    const log = text.encode('REGISTER sip:a SIP/2.0\r\nCall-ID: 1\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n'.repeat(20));
    seeds = [zipSync({ 'a/sip': log, 'b.zip': zipSync({ 'c/sip.1': log }) }), gzipSync(log)];
    if (hasTool('tar')) {
      await writeFile(join(dir, 'sip'), log);
      execFileSync('tar', ['-czf', 'a.tgz', 'sip'], { cwd: dir });
      execFileSync('tar', ['-cf', 'a.tar', 'sip'], { cwd: dir });
      seeds.push(new Uint8Array(await readFile(join(dir, 'a.tgz'))), new Uint8Array(await readFile(join(dir, 'a.tar'))));
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('never throws on archives with bytes changed, cut or repeated', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.option(fc.nat()),
        async (which, changes, cutAt) => {
          const seed = seeds[which % seeds.length] as Uint8Array;
          let bytes = seed.slice();
          for (const [at, value] of changes) bytes[at % bytes.length] = value;
          if (cutAt !== null) bytes = bytes.subarray(0, cutAt % (bytes.length + 1));
          const { report } = await walkAll(bytes);
          for (const issue of report.issues) expect(issue.message.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 400 },
    );
  });
});
