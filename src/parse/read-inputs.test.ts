import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusDir, corpusSkipReason, hasCorpus } from '../../test/helpers/corpus.js';
import { hasTool } from '../../test/helpers/tools.js';
import type { InputReport, MessageRecord } from '../model/index.js';
import type { ReadInputsOptions } from './read-inputs.js';
import { INPUT_UNREADABLE, readInputs } from './read-inputs.js';

/** A Konftel/Avaya B179 phone's syslog: PJSIP traces, as a device's `var/log/sip` holds them. */
const B179 = join(corpusDir, 'logs', 'ade_b179_syslog.txt');
const PJSIP_A = join(corpusDir, 'formats', 'pjsip_pjproject-3414_401_then_register.log');
const PJSIP_B = join(corpusDir, 'formats', 'pjsip_pjproject-3308_register_retransmit.log');
const PJSIP_C = join(corpusDir, 'formats', 'pjsip_pjproject-2342_tcp_401.log');
const PCAP = join(corpusDir, 'pcap', 'suricata-sip-tcp-method__sip-tcp.pcap');

interface Read {
  readonly records: MessageRecord[];
  readonly reports: InputReport[];
}

async function read(inputs: readonly string[], options: ReadInputsOptions = {}): Promise<Read> {
  const { records, reports } = readInputs(inputs, options);
  const out: MessageRecord[] = [];
  for await (const r of records) out.push(r);
  return { records: out, reports };
}

/** What identifies a message, to compare two readings of the same bytes. */
function keyOf(r: MessageRecord): string {
  const m = r.message;
  return `${m.callId ?? '-'} ${m.cseq?.seq ?? '-'} ${m.cseq?.method ?? '-'} ${m.kind === 'request' ? m.method : m.status} ${r.meta.time ?? r.meta.timeText ?? '-'}`;
}

/** How a person counts PJSIP messages in a trace: one `TX|RX nnn bytes` announcement each. */
async function countAnnounced(file: string): Promise<number> {
  const text = await readFile(file, 'latin1');
  return text.split('\n').filter((line) => {
    const words = line.split(' ');
    return words.some((w, i) => (w.endsWith('RX') || w.endsWith('TX')) && /^\d+$/.test(words[i + 1] ?? '') && words[i + 2] === 'bytes');
  }).length;
}

describe.skipIf(!hasCorpus)('readInputs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'siplens-read-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  if (!hasCorpus) it.skip(corpusSkipReason, () => undefined);

  it.skipIf(!hasTool('zip'))('reads var/log/sip inside tmp/sitara1.zip inside a snapshot zip, every message once, with the nested path', async () => {
    const inner = join(dir, 'sitara');
    await mkdir(join(inner, 'var', 'log'), { recursive: true });
    await copyFile(B179, join(inner, 'var', 'log', 'sip'));
    await writeFile(join(inner, 'var', 'log', 'messages'), 'kernel: eth0 link up\nudhcpc: lease obtained\n');
    execFileSync('zip', ['-qr', '../sitara1.zip', 'var'], { cwd: inner });
    const outer = join(dir, 'snap');
    await mkdir(join(outer, 'tmp'), { recursive: true });
    await copyFile(join(dir, 'sitara1.zip'), join(outer, 'tmp', 'sitara1.zip'));
    await writeFile(join(outer, 'version.txt'), 'firmware 1.2.3\n');
    execFileSync('zip', ['-qr', '../snapshot.zip', 'tmp', 'version.txt'], { cwd: outer });

    const plain = await read([B179]);
    const nested = await read([join(dir, 'snapshot.zip')], { cwd: dir });
    expect(plain.records.length).toBe(await countAnnounced(B179));
    expect(nested.records.map(keyOf)).toEqual(plain.records.map(keyOf));
    expect(nested.records.map((r) => r.index)).toEqual(plain.records.map((_, i) => i));
    const origin = nested.records[0]?.meta.origin;
    expect(origin?.path).toBe(`${join(dir, 'snapshot.zip')}!tmp/sitara1.zip!var/log/sip`);
    expect(origin?.line).toBe(plain.records[0]?.meta.origin.line);

    const [root, leaf] = nested.reports;
    expect(root).toMatchObject({ kind: 'zip', messages: plain.records.length, skipped: 2 });
    expect(root?.issues.map((i) => i.code)).toEqual(['no-sip-in-file']);
    expect(leaf).toMatchObject({ path: origin?.path, kind: 'log', messages: plain.records.length, parent: join(dir, 'snapshot.zip') });
    expect(leaf?.format).toBe(plain.reports[0]?.format);
  });

  it.skipIf(!hasTool('tar'))('reads rotated logs in a tar.gz oldest first, and a capture inside it', async () => {
    const root = join(dir, 'rotated');
    await mkdir(join(root, 'var', 'log'), { recursive: true });
    // sip.2.gz is the oldest, then sip.1, then the live sip; archived in another order.
    await writeFile(join(root, 'var', 'log', 'sip.2.gz'), gzipSync(await readFile(PJSIP_A)));
    await copyFile(PJSIP_B, join(root, 'var', 'log', 'sip.1'));
    await copyFile(PJSIP_C, join(root, 'var', 'log', 'sip'));
    await copyFile(PCAP, join(root, 'trace.pcap'));
    execFileSync('tar', ['-czf', '../logs.tar.gz', 'var/log/sip', 'trace.pcap', 'var/log/sip.1', 'var/log/sip.2.gz'], { cwd: root });

    const expected = await read([PCAP, PJSIP_A, PJSIP_B, PJSIP_C]);
    const got = await read(['logs.tar.gz'], { cwd: dir });
    expect(got.records.map(keyOf)).toEqual(expected.records.map(keyOf));
    expect(got.records.map((r) => r.meta.origin.path)).toEqual(
      expected.records.map((r) => {
        const p = r.meta.origin.path;
        return p === PCAP ? 'logs.tar.gz!trace.pcap' : p === PJSIP_A ? 'logs.tar.gz!var/log/sip.2.gz' : p === PJSIP_B ? 'logs.tar.gz!var/log/sip.1' : 'logs.tar.gz!var/log/sip';
      }),
    );
    const counts = [PJSIP_A, PJSIP_B, PJSIP_C].map(countAnnounced);
    const announced = (await Promise.all(counts)).reduce((a, b) => a + b, 0);
    expect(got.records.filter((r) => r.meta.origin.path.includes('var/log')).length).toBe(announced);
    expect(got.reports[0]).toMatchObject({ path: 'logs.tar.gz', kind: 'gzip', messages: expected.records.length });
  });

  it('still reads the rest of a snapshot with a zip bomb, a ../ member and a truncated inner zip', async () => {
    const b179 = await readFile(B179);
    const logs: Record<string, Uint8Array> = {};
    for (let i = 1; i <= 3; i++) logs[`log${i}.txt`] = await readFile(i === 1 ? PJSIP_A : i === 2 ? PJSIP_B : PJSIP_C);
    const whole = zipSync(logs);
    const cutInner = whole.subarray(0, Math.floor(whole.length * 0.75));
    const bomb = new Uint8Array(24 * 2 ** 20).fill(0x20);
    const snapshot = zipSync({
      'a/bomb.log': bomb,
      '../../escape/sip': b179,
      'b/cut.zip': cutInner,
    });
    const file = join(dir, 'hostile.zip');
    await writeFile(file, snapshot);
    const got = await read([file]);
    const codes = got.reports[0]?.issues.map((i) => i.code) ?? [];
    expect(codes).toEqual(expect.arrayContaining(['zip-bomb', 'unsafe-entry-name', 'zip-truncated']));
    const b179Alone = await read([B179]);
    const fromEscape = got.records.filter((r) => r.meta.origin.path.endsWith('!../../escape/sip'));
    expect(fromEscape.map(keyOf)).toEqual(b179Alone.records.map(keyOf));
    const fromCut = got.records.filter((r) => r.meta.origin.path.includes('!b/cut.zip!'));
    const firstLog = await read([PJSIP_A]);
    expect(fromCut.slice(0, firstLog.records.length).map(keyOf)).toEqual(firstLog.records.map(keyOf));
  });

  it('walks a folder: rotated logs oldest first, binaries skipped and named', async () => {
    const folder = join(dir, 'phone');
    await mkdir(join(folder, 'log'), { recursive: true });
    await copyFile(PJSIP_A, join(folder, 'log', 'sip'));
    await copyFile(PJSIP_B, join(folder, 'log', 'sip.1'));
    await writeFile(join(folder, 'core'), Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 31) % 256)));
    const got = await read(['phone'], { cwd: dir });
    const expected = await read([PJSIP_B, PJSIP_A]);
    expect(got.records.map(keyOf)).toEqual(expected.records.map(keyOf));
    expect(got.reports.map((r) => [r.path, r.kind, r.messages])).toEqual([
      ['phone', 'directory', expected.records.length],
      ['phone/log/sip.1', 'log', expected.reports[0]?.messages],
      ['phone/log/sip', 'log', expected.reports[1]?.messages],
    ]);
    expect(got.reports[0]?.skipped).toBe(1);
    expect(got.reports[0]?.issues.map((i) => [i.code, i.message])).toEqual([['binary-skipped', '1 file holding neither text nor a capture was skipped: phone/core.']]);
  });

  it('stops inside a file when the signal aborts', async () => {
    const controller = new AbortController();
    const { records } = readInputs([B179, PJSIP_A], { signal: controller.signal });
    let n = 0;
    for await (const _ of records) {
      n++;
      if (n === 3) controller.abort();
    }
    expect(n).toBe(3);
  });

  it('reads stdin (-) beside a missing file, and reports progress to the total', async () => {
    const gz = gzipSync(await readFile(PJSIP_A));
    const progress: [number, number | null][] = [];
    const got = await read(['missing.log', '-', PJSIP_B], {
      cwd: dir,
      stdin: Readable.from([gz.subarray(0, 100), gz.subarray(100)]),
      onProgress: (a, b) => progress.push([a, b]),
    });
    const expected = await read([PJSIP_A, PJSIP_B]);
    expect(got.records.map(keyOf)).toEqual(expected.records.map(keyOf));
    expect(got.reports.map((r) => [r.path, r.kind])).toEqual([
      ['missing.log', 'missing'],
      ['-', 'gzip'],
      [PJSIP_B, 'log'],
    ]);
    expect(got.reports[0]?.issues[0]).toMatchObject({ code: INPUT_UNREADABLE, message: 'cannot read missing.log: no such file or folder' });
    expect(got.records[0]?.meta.origin.path).toBe('stdin');
    // stdin has no size known in advance: the total is unknown, the count still grows to every byte read.
    expect(progress.at(-1)?.[1]).toBeNull();
    expect(progress.at(-1)?.[0]).toBeGreaterThanOrEqual(gz.length + (await readFile(PJSIP_B)).length);

    const sized: [number, number | null][] = [];
    await read([PJSIP_A, PJSIP_B], { onProgress: (a, b) => sized.push([a, b]) });
    const total = (await readFile(PJSIP_A)).length + (await readFile(PJSIP_B)).length;
    expect(sized.at(-1)).toEqual([total, total]);
  });
});
