import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusDir, hasCorpus } from '../../../test/helpers/corpus.js';
import { compileSchema } from '../../../test/report/schema-validator.js';
import type { CliIo } from '../io.js';
import { runCli } from '../main.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(argv: readonly string[], extra: Partial<CliIo> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    cwd: process.cwd(),
    ...extra,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

const { validate, errorsText } = compileSchema('messages');

interface MessagesDoc {
  schemaVersion: number;
  inputs: { path: string; kind: string; format: string | null; messages: number; skipped: number; issues: { code: string }[]; parent?: string }[];
  messages: {
    index: number;
    time: string | null;
    callId: string | null;
    cseq: { seq: number; method: string } | null;
    method?: string;
    status?: number;
    reason?: string;
    src: string | null;
    dst: string | null;
    origin: { path: string; line?: number; packet?: number; offset: number };
  }[];
}

const PCAP = join(corpusDir, 'pcap', 'pcapplusplus-sip_resp.pcap');
const B179 = join(corpusDir, 'logs', 'ade_b179_syslog.txt');

describe.skipIf(!hasCorpus)('siplens messages', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'siplens-messages-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('--json prints one document valid against schema/messages.schema.json, messages in input order', async () => {
    const snapshot = join(dir, 'snapshot.zip');
    await writeFile(snapshot, zipSync({ 'tmp/sitara1.zip': zipSync({ 'var/log/sip': await readFile(B179) }) }));
    const r = await run(['messages', PCAP, snapshot, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as MessagesDoc;
    expect(validate(doc), errorsText(validate)).toBe(true);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.messages.map((m) => m.index)).toEqual(doc.messages.map((_, i) => i));
    const roots = doc.inputs.filter((i) => i.parent === undefined);
    expect(roots.map((i) => [i.path, i.kind])).toEqual([
      [PCAP, 'pcap'],
      [snapshot, 'zip'],
    ]);
    const fromPcap = doc.messages.filter((m) => m.origin.path === PCAP);
    const fromLog = doc.messages.filter((m) => m.origin.path === `${snapshot}!tmp/sitara1.zip!var/log/sip`);
    expect(fromPcap.length + fromLog.length).toBe(doc.messages.length);
    expect(fromPcap.length).toBe(roots[0]?.messages);
    expect(fromLog.length).toBe(roots[1]?.messages);
    // Input order: every capture message comes before every log message.
    expect(doc.messages.indexOf(fromLog[0] as MessagesDoc['messages'][number])).toBe(fromPcap.length);
    for (const m of fromPcap) {
      expect(m.origin.packet).toBeGreaterThan(0);
      expect(m.time).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(m.src?.slice(m.src.lastIndexOf(':') + 1)).toMatch(/^\d+$/);
    }
    for (const m of fromLog) expect(m.origin.line).toBeGreaterThan(0);
    // Responses carry status and reason, requests the method, never both.
    expect(fromPcap.some((m) => m.status === 503 && m.reason === 'Service Unavailable')).toBe(true);
  });

  it('--ndjson streams the same messages one per line; plain text gives one line each', async () => {
    const json = JSON.parse((await run(['messages', PCAP, '--json'])).stdout) as MessagesDoc;
    const nd = await run(['messages', PCAP, '--ndjson']);
    expect(nd.code).toBe(0);
    const lines = nd.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as MessagesDoc['messages'][number]);
    expect(lines).toEqual(json.messages);
    const text = await run(['messages', PCAP]);
    const textLines = text.stdout.trimEnd().split('\n');
    expect(textLines).toHaveLength(json.messages.length);
    const first = json.messages[0] as MessagesDoc['messages'][number];
    expect(textLines[0]).toContain(`${first.src} → ${first.dst}`);
    expect(textLines[0]).toContain(first.callId ?? '-');
    expect(text.stdout).not.toContain('\u001b[');
  });

  it('reads - from stdin', async () => {
    const gz = gzipSync(await readFile(B179));
    const viaStdin = await run(['messages', '-', '--json'], { stdin: Readable.from([gz]) });
    const direct = await run(['messages', B179, '--json']);
    const a = JSON.parse(viaStdin.stdout) as MessagesDoc;
    const b = JSON.parse(direct.stdout) as MessagesDoc;
    expect(a.messages.map((m) => [m.callId, m.cseq, m.time])).toEqual(b.messages.map((m) => [m.callId, m.cseq, m.time]));
    expect(a.inputs[0]).toMatchObject({ path: '-', kind: 'gzip' });
  });

  it('exits 3 without SIP, 4 for a missing input (the others still read), 2 for --json with --ndjson', async () => {
    const noSip = join(dir, 'notes.txt');
    await writeFile(noSip, 'nothing to see here\n');
    const none = await run(['messages', noSip]);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('no SIP message found');
    expect((await run(['messages', join(corpusDir, 'pcap', 'http_on_sip_port.pcap')])).code).toBe(3);

    const missing = join(dir, 'no-such.pcap');
    const partly = await run(['messages', missing, PCAP, '--json']);
    expect(partly.code).toBe(4);
    expect(partly.stderr).toContain(`cannot read ${missing}: no such file or folder`);
    const doc = JSON.parse(partly.stdout) as MessagesDoc;
    expect(validate(doc), errorsText(validate)).toBe(true);
    expect(doc.messages.length).toBeGreaterThan(0);
    expect(doc.inputs[0]).toMatchObject({ path: missing, kind: 'missing', messages: 0 });
    expect(doc.inputs[0]?.issues[0]?.code).toBe('input-unreadable');

    expect((await run(['messages', PCAP, '--json', '--ndjson'])).code).toBe(2);
    expect((await run(['messages'])).code).toBe(2);
  });

  it('--follow and --hep watch live until the signal (Ctrl-C), in the same formats', async () => {
    const log = join(dir, 'live-sip');
    await writeFile(log, await readFile(B179));
    const expected = (await run(['messages', B179, '--ndjson'])).stdout.trimEnd().split('\n');
    const controller = new AbortController();
    const guard = setTimeout(() => controller.abort(), 20_000);
    let lines = 0;
    let stdout = '';
    let stderr = '';
    const code = await runCli(['messages', '--follow', log, '--hep', '127.0.0.1:0', '--ndjson'], {
      stdout: (t) => {
        stdout += t;
        lines += t.split('\n').length - 1;
        // The log's last message ends only with the file; stop once all others are out.
        if (lines === expected.length - 1) controller.abort();
      },
      stderr: (t) => void (stderr += t),
      stdoutIsTTY: false,
      stderrIsTTY: false,
      env: {},
      cwd: dir,
      signal: controller.signal,
    });
    clearTimeout(guard);
    expect(code).toBe(0);
    expect(stderr).toContain('listening for HEP on 127.0.0.1 udp ');
    expect(stderr).not.toContain('udp -');
    const got = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as MessagesDoc['messages'][number]);
    const want = expected.map((l) => JSON.parse(l) as MessagesDoc['messages'][number]);
    expect(got.map((m) => [m.callId, m.cseq, m.time])).toEqual(want.map((m) => [m.callId, m.cseq, m.time]));
    expect((await run(['messages', B179, '--follow', log])).code).toBe(2);
    expect((await run(['messages', '--hep', 'x'])).code).toBe(2);
    expect((await run(['messages', '--hep', '127.0.0.1:70000'])).code).toBe(2);
  });

  it('draws a progress bar on stderr only when stderr is a terminal, and clears it', async () => {
    const quiet = await run(['messages', B179, '--ndjson']);
    expect(quiet.stderr).toBe('');
    const tty = await run(['messages', B179, '--ndjson'], { stderrIsTTY: true });
    expect(tty.stderr).toMatch(/^\rreading \[[#-]+\] +\d+% /);
    expect(tty.stderr.endsWith('\r\u001b[2K')).toBe(true);
    expect(tty.stdout).toBe(quiet.stdout);
  });
});
