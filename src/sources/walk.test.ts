import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTool } from '../../test/helpers/tools.js';
import type { InputReport } from '../model/index.js';
import { collectStream, fileSource, memorySource, streamSource } from './byte-source.js';
import type { SourceFile, SourceLimits } from './walk.js';
import { createWalkState, isUnsafeEntryName, reportSkippedBinaries, walkDirectory, walkSource } from './walk.js';

const text = new TextEncoder();
const decoder = new TextDecoder();

function newReport(path: string): InputReport {
  return { path, kind: 'unknown', format: null, messages: 0, skipped: 0, issues: [] };
}

interface Found {
  readonly path: string;
  readonly kind: SourceFile['kind'];
  readonly text: string;
  readonly containers: readonly string[];
}

async function walkFile(file: string, shown: string, limits: Partial<SourceLimits> = {}): Promise<{ found: Found[]; report: InputReport }> {
  const report = newReport(shown);
  const state = createWalkState(report, limits);
  const info = await stat(file);
  const found: Found[] = [];
  const walk = info.isDirectory() ? walkDirectory(file, shown, state) : walkSource(fileSource(file, shown, info.size), state);
  for await (const f of walk) {
    const { bytes } = await collectStream(f.chunks, 1 << 30);
    found.push({ path: f.path, kind: f.kind, text: decoder.decode(bytes), containers: f.containers });
  }
  reportSkippedBinaries(state);
  return { found, report };
}

/** A log of `n` distinct lines, so a test can tell which file's bytes came out where. */
function logText(tag: string, n = 20): string {
  let out = '';
  for (let i = 0; i < n; i++) out += `2024-01-01 00:00:${String(i).padStart(2, '0')} ${tag} line ${i}\n`;
  return out;
}

describe('walkSource', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'siplens-walk-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(!hasTool('zip'))('opens a zip inside a zip (made by Info-ZIP) and names each file by its nested path', async () => {
    const inner = join(dir, 'inner');
    await mkdir(join(inner, 'var', 'log'), { recursive: true });
    await writeFile(join(inner, 'var', 'log', 'sip'), logText('inner-sip'));
    await writeFile(join(inner, 'var', 'log', 'firmware.bin'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256)));
    execFileSync('zip', ['-qr', join(dir, 'sitara1.zip'), 'var'], { cwd: inner });
    const outer = join(dir, 'outer');
    await mkdir(join(outer, 'tmp'), { recursive: true });
    await writeFile(join(outer, 'tmp', 'sitara1.zip'), await readFile(join(dir, 'sitara1.zip')));
    await writeFile(join(outer, 'readme.txt'), 'snapshot\n');
    execFileSync('zip', ['-qr', join(dir, 'snapshot.zip'), 'tmp', 'readme.txt'], { cwd: outer });

    const { found, report } = await walkFile(join(dir, 'snapshot.zip'), 'snapshot.zip');
    expect(found.map((f) => f.path)).toEqual(['snapshot.zip!readme.txt', 'snapshot.zip!tmp/sitara1.zip!var/log/sip']);
    const sip = found[1] as Found;
    expect(sip.text).toBe(logText('inner-sip'));
    expect(sip.containers).toEqual(['zip', 'zip']);
    expect(report.skipped).toBe(1); // firmware.bin
    expect(report.issues.map((i) => i.code)).toEqual(['binary-skipped']);
    expect(report.issues[0]?.message).toContain('snapshot.zip!tmp/sitara1.zip!var/log/firmware.bin');
  });

  it.skipIf(!hasTool('tar') || !hasTool('gzip'))('reads a tar.gz (GNU tar) with rotated logs oldest first', async () => {
    const root = join(dir, 'rot');
    await mkdir(join(root, 'var', 'log'), { recursive: true });
    // Written in an order unlike time order, and archived in that order.
    await writeFile(join(root, 'var', 'log', 'sip'), logText('gen0'));
    await writeFile(join(root, 'var', 'log', 'sip.1'), logText('gen1'));
    await writeFile(join(root, 'var', 'log', 'sip.2.gz'), gzipSync(logText('gen2')));
    await writeFile(join(root, 'var', 'log', 'sip.10.gz'), gzipSync(logText('gen10')));
    execFileSync('tar', ['-czf', join(dir, 'logs.tgz'), 'var/log/sip', 'var/log/sip.1', 'var/log/sip.10.gz', 'var/log/sip.2.gz'], { cwd: root });
    const { found, report } = await walkFile(join(dir, 'logs.tgz'), 'logs.tgz');
    expect(found.map((f) => f.path)).toEqual([
      'logs.tgz!var/log/sip.10.gz',
      'logs.tgz!var/log/sip.2.gz',
      'logs.tgz!var/log/sip.1',
      'logs.tgz!var/log/sip',
    ]);
    expect(found.map((f) => f.text)).toEqual([logText('gen10'), logText('gen2'), logText('gen1'), logText('gen0')]);
    expect(found[0]?.containers).toEqual(['gzip', 'tar', 'gzip']);
    expect(report.issues).toEqual([]);

    // The same files as a folder: the same order.
    const folder = await walkFile(join(root, 'var'), 'var');
    expect(folder.found.map((f) => f.path)).toEqual(['var/log/sip.10.gz', 'var/log/sip.2.gz', 'var/log/sip.1', 'var/log/sip']);
  });

  it('refuses a zip bomb by its declared sizes and by what inflating shows, and reads the rest', async () => {
    // Text, so that the walk would read it through rather than pass it over as binary.
    const zeros = new Uint8Array(40 * 2 ** 20).fill(0x61);
    const good = text.encode(logText('good'));
    const honest = zipSync({ 'a-bomb.log': zeros, 'b-good.log': good }, { level: 9 });
    const h = await walkBytes('honest.zip', honest);
    expect(h.found.map((f) => f.path)).toEqual(['honest.zip!b-good.log']);
    const bomb = h.report.issues.find((i) => i.code === 'zip-bomb');
    expect(bomb?.message).toMatch(/honest\.zip!a-bomb\.log: refused as a likely zip bomb/);

    // A bomb that lies about its size in the central directory: caught while inflating.
    const liar = zipSync({ 'a-bomb.log': zeros, 'b-good.log': good }, { level: 9 });
    patchDeclaredSizes(liar, 'a-bomb.log');
    const l = await walkBytes('liar.zip', liar);
    // Its first bytes look like a log, so it is handed on, and cut off once the ratio shows.
    expect(l.found.map((f) => f.path)).toEqual(['liar.zip!a-bomb.log', 'liar.zip!b-good.log']);
    expect(l.found[0]?.text.length).toBeLessThan(zeros.length / 2);
    expect(l.found[1]?.text).toBe(logText('good'));
    const caught = l.report.issues.find((i) => i.code === 'zip-bomb');
    expect(caught?.message).toContain('liar.zip!a-bomb.log: refused as a likely zip bomb');
    expect(caught?.message).toContain('expanded to more than');
  });

  it('reads members named with ../ or an absolute path in memory and says so', async () => {
    const zip = zipSync({ '../../etc/evil.log': text.encode(logText('evil')), 'ok.log': text.encode(logText('ok')) });
    const { found, report } = await walkBytes('x.zip', zip);
    expect(found.map((f) => f.path)).toEqual(['x.zip!../../etc/evil.log', 'x.zip!ok.log']);
    expect(report.issues.map((i) => i.code)).toEqual(['unsafe-entry-name']);
    expect(report.issues[0]?.message).toContain('never writes members out under their names');
    expect(isUnsafeEntryName('/etc/passwd')).toBe(true);
    expect(isUnsafeEntryName('C:\\x')).toBe(true);
    expect(isUnsafeEntryName('a/..b/c')).toBe(false);
  });

  it('recovers the members of a truncated zip from their local headers', async () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 1; i <= 4; i++) files[`log${i}.txt`] = text.encode(logText(`file${i}`, 400));
    const zip = zipSync(files, { level: 6 });
    const cut = zip.subarray(0, Math.floor(zip.length * 0.6));
    const { found, report } = await walkBytes('cut.zip', cut);
    const codes = report.issues.map((i) => i.code);
    expect(codes).toContain('zip-truncated');
    expect(report.issues.find((i) => i.code === 'zip-truncated')?.message).toMatch(/truncated or damaged/);
    // The whole members before the cut come out whole, the one cut short comes out as far as it goes.
    expect(found.length).toBeGreaterThanOrEqual(2);
    expect(found[0]?.text).toBe(logText('file1', 400));
    const last = found[found.length - 1] as Found;
    expect(logText(`file${found.length}`, 400).startsWith(last.text)).toBe(true);
    expect(last.text.length).toBeLessThan(logText('file1', 400).length);
    expect(codes).toContain('zip-truncated');
  });

  it.skipIf(!hasTool('tar'))('keeps what a truncated tar.gz held before the cut', async () => {
    const root = join(dir, 'trunc');
    await mkdir(root, { recursive: true });
    for (let i = 1; i <= 3; i++) await writeFile(join(root, `part${i}.log`), logText(`part${i}`, 2000));
    execFileSync('tar', ['-czf', join(dir, 't.tgz'), 'part1.log', 'part2.log', 'part3.log'], { cwd: root });
    const whole = await readFile(join(dir, 't.tgz'));
    const { found, report } = await walkBytes('t.tgz', whole.subarray(0, Math.floor(whole.length * 0.7)), true);
    expect(found[0]?.text).toBe(logText('part1', 2000));
    expect(report.issues.some((i) => i.code === 'gzip-truncated' || i.code === 'tar-truncated')).toBe(true);
  });

  it.skipIf(!hasTool('zip'))('reads a streamed zip (Info-ZIP from a pipe: Zip64 extra fields, data descriptors)', async () => {
    const file = join(dir, 'piped.zip');
    // Written to a pipe, zip cannot seek back: sizes go in a data descriptor after the data, with Zip64 fields.
    execFileSync('sh', ['-c', `zip -q - - | cat > ${JSON.stringify(file)}`], { input: logText('piped', 500) });
    const { found, report } = await walkFile(file, 'piped.zip');
    expect(found.map((f) => [f.path, f.text])).toEqual([['piped.zip!-', logText('piped', 500)]]);
    expect(report.issues).toEqual([]);
    // Cut before its central directory, it is recovered through the local header and the data descriptor.
    const whole = await readFile(file);
    const cut = await walkBytes('cut.zip', whole.subarray(0, whole.length - 30));
    expect(cut.found.map((f) => f.text)).toEqual([logText('piped', 500)]);
    expect(cut.report.issues.map((i) => i.code)).toEqual(['zip-truncated']);
  });

  it.skipIf(!hasTool('tar'))('reads long member names of GNU (L records) and pax (path records) tars', async () => {
    const root = join(dir, 'long');
    const deep = join('a'.repeat(60), 'b'.repeat(60), 'c'.repeat(60));
    await mkdir(join(root, deep), { recursive: true });
    await writeFile(join(root, deep, 'sip.log'), logText('long'));
    for (const format of ['gnu', 'pax']) {
      const file = join(dir, `long-${format}.tar`);
      execFileSync('tar', [`--format=${format}`, '-cf', file, deep], { cwd: root });
      const { found } = await walkFile(file, 'long.tar');
      expect(found.map((f) => [f.path, f.text])).toEqual([[`long.tar!${deep}/sip.log`, logText('long')]]);
    }
  });

  it('copies a nested zip over maxBufferedBytes to a private temporary file, and removes it', async () => {
    const inner = zipSync({ 'var/log/sip': text.encode(logText('spilled', 300)) });
    const outer = zipSync({ 'tmp/sitara1.zip': inner, 'b.log': text.encode(logText('after')) });
    const spills = async (): Promise<string[]> => (await readdir(tmpdir())).filter((n) => n.startsWith('siplens-zip-'));
    const before = await spills();
    const { found, report } = await walkStream('snap.zip', outer, { maxBufferedBytes: 1000 });
    expect(found.map((f) => [f.path, f.text])).toEqual([
      ['snap.zip!b.log', logText('after')],
      ['snap.zip!tmp/sitara1.zip!var/log/sip', logText('spilled', 300)],
    ]);
    expect(report.issues).toEqual([]);
    expect(await spills()).toEqual(before);
  });

  it('stops at maxArchiveDepth and maxEntries, saying so', async () => {
    let nested: Uint8Array = zipSync({ 'deep.log': text.encode(logText('deep')) });
    for (let i = 0; i < 3; i++) nested = zipSync({ [`level${i}.zip`]: nested });
    const deep = await walkBytes('d.zip', nested, false, { maxArchiveDepth: 2 });
    expect(deep.found).toEqual([]);
    expect(deep.report.issues.map((i) => i.code)).toEqual(['archive-too-deep']);

    const many: Record<string, Uint8Array> = {};
    for (let i = 0; i < 10; i++) many[`f${i}.log`] = text.encode(logText(`f${i}`, 2));
    const m = await walkBytes('m.zip', zipSync(many), false, { maxEntries: 4 });
    expect(m.found).toHaveLength(4);
    expect(m.report.issues.map((i) => i.code)).toEqual(['too-many-entries']);
  });

  it('reads a gzip on a stream (stdin) and a zip on a stream, held in memory', async () => {
    const gz = gzipSync(logText('stdin'));
    const g = await walkStream('stdin', gz);
    expect(g.found.map((f) => f.text)).toEqual([logText('stdin')]);
    const z = await walkStream('stdin', zipSync({ 'a.log': text.encode(logText('z')) }));
    expect(z.found.map((f) => f.path)).toEqual(['stdin!a.log']);
  });
});

async function walkBytes(
  name: string,
  bytes: Uint8Array,
  asStream = false,
  limits: Partial<SourceLimits> = {},
): Promise<{ found: Found[]; report: InputReport }> {
  if (asStream) return walkStream(name, bytes, limits);
  const report = newReport(name);
  const state = createWalkState(report, limits);
  const found: Found[] = [];
  for await (const f of walkSource(memorySource(name, bytes), state)) {
    const { bytes: content } = await collectStream(f.chunks, 1 << 30);
    found.push({ path: f.path, kind: f.kind, text: decoder.decode(content), containers: f.containers });
  }
  reportSkippedBinaries(state);
  return { found, report };
}

async function walkStream(name: string, bytes: Uint8Array, limits: Partial<SourceLimits> = {}): Promise<{ found: Found[]; report: InputReport }> {
  const report = newReport(name);
  const state = createWalkState(report, limits);
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < bytes.length; i += 1000) yield bytes.subarray(i, i + 1000);
  }
  const found: Found[] = [];
  for await (const f of walkSource(streamSource(name, chunks()), state)) {
    const { bytes: content } = await collectStream(f.chunks, 1 << 30);
    found.push({ path: f.path, kind: f.kind, text: decoder.decode(content), containers: f.containers });
  }
  return { found, report };
}

/** Rewrites a member's sizes in the central directory to 1000 bytes, as a lying zip bomb does. */
function patchDeclaredSizes(zip: Uint8Array, name: string): void {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const nameBytes = text.encode(name);
  for (let at = 0; at + 46 < zip.length; at++) {
    if (view.getUint32(at, true) !== 0x02014b50) continue;
    const n = view.getUint16(at + 28, true);
    const candidate = zip.subarray(at + 46, at + 46 + n);
    if (n === nameBytes.length && candidate.every((b, i) => b === nameBytes[i])) {
      view.setUint32(at + 24, 1000, true);
    }
  }
}
