import { createSocket } from 'node:dgram';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { asHep, registration } from '../../web/test-helpers/rfc3665.js';
import type { CliIo } from '../io.js';
import { runCli } from '../main.js';
import { defaultDatabase, parseDuration, parseHostPort, parseSize } from './serve.js';

interface Served {
  readonly code: Promise<number>;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly stop: () => void;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'siplens-serve-'));
  dirs.push(dir);
  return dir;
}

/** Runs `siplens serve …` in-process; `stop()` is Ctrl-C. */
function serve(args: readonly string[], env: Record<string, string> = {}): Served {
  let out = '';
  let err = '';
  const controller = new AbortController();
  const io: CliIo = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: { LANG: 'C.UTF-8', ...env },
    cwd: process.cwd(),
    signal: controller.signal,
  };
  return { code: runCli(['serve', ...args], io), stdout: () => out, stderr: () => err, stop: () => controller.abort() };
}

async function firstLine(s: Served): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200 && !s.stdout().includes('\n'); i++) await new Promise((r) => setTimeout(r, 25));
  return JSON.parse(s.stdout().split('\n')[0] ?? '') as Record<string, unknown>;
}

describe('siplens serve', () => {
  it('prints where it listens as one JSON line, stores HEP, and stops cleanly on Ctrl-C', async () => {
    const db = join(tempDir(), 'nested', 'siplens.db');
    const s = serve(['--hep', '0', '--listen', '127.0.0.1:0', '--db', db, '--json']);
    const line = await firstLine(s);
    expect(line).toMatchObject({ event: 'listening', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/), db, stored: 0, token: null });
    const hep = line['hep'] as { udp: number; tcp: number };
    expect(hep.udp).toBeGreaterThan(0);
    const socket = createSocket('udp4');
    for (const p of asHep(registration(), Date.now())) await new Promise((r) => socket.send(p, hep.udp, '127.0.0.1', r));
    socket.close();
    const url = String(line['url']);
    for (let i = 0; i < 100; i++) {
      const st = (await (await fetch(`${url}api/state`)).json()) as { store: { messages: number } };
      if (st.store.messages === 4) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    s.stop();
    expect(await s.code).toBe(0);
    expect(JSON.parse(s.stdout().trim().split('\n').at(-1) ?? '')).toEqual({ event: 'stopped', stored: 4 });
    expect(existsSync(db)).toBe(true);
    await expect(fetch(`${url}api/state`)).rejects.toThrow();
  });

  it('follows a growing log, and takes the arrival time where the log writes only the time of day', async () => {
    const log = join(tempDir(), 'phone.log');
    writeFileSync(log, '');
    const s = serve(['--follow', log, '--listen', '127.0.0.1:0', '--db', ':memory:', '--json']);
    const url = String((await firstLine(s))['url']);
    const before = Date.now();
    appendFileSync(log, registration().map((m) => `12:00:00.000 sent to ${m.dst}\n${m.text}`).join('\n'));
    interface Seen {
      store: { messages: number };
      feeds: { path: string; kind: string; messages: number }[];
      view: { accounts: { aor: string; state: string; lastSuccess: string | null }[] };
    }
    let st: Seen | undefined;
    for (let i = 0; i < 200; i++) {
      st = (await (await fetch(`${url}api/state`)).json()) as Seen;
      if (st.view.accounts.length > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    s.stop();
    expect(await s.code).toBe(0);
    expect(st?.feeds).toEqual([expect.objectContaining({ path: log, kind: 'follow', messages: 4 })]);
    expect(st?.store.messages).toBe(4);
    expect(st?.view.accounts[0]).toMatchObject({ aor: 'sip:bob@biloxi.example.com', state: 'registered' });
    expect(Date.parse(st?.view.accounts[0]?.lastSuccess ?? '')).toBeGreaterThanOrEqual(before - 1000);
  });

  it('prints a token once when listening beyond loopback, and the page needs it', async () => {
    const s = serve(['--listen', '0.0.0.0:0', '--db', ':memory:', '--json']);
    const line = await firstLine(s);
    const token = String(line['token']);
    expect(token.length).toBeGreaterThanOrEqual(32);
    const port = (line['listen'] as { port: number }).port;
    expect(line['url']).toBe(`http://0.0.0.0:${port}/?token=${token}`);
    expect((await fetch(`http://127.0.0.1:${port}/api/state`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/api/state`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    s.stop();
    expect(await s.code).toBe(0);
    // Printed on the listening line only.
    expect(s.stdout().trim().split('\n').filter((l) => l.includes(token))).toHaveLength(1);
  });

  it('says what is wrong with its options (exit 2), and what it could not open (exit 4)', async () => {
    const bad = async (args: string[]): Promise<[number, string]> => {
      const s = serve(args);
      return [await s.code, s.stderr()];
    };
    expect(await bad(['--listen', 'nowhere'])).toEqual([2, expect.stringContaining('--listen: expected HOST:PORT or PORT')]);
    expect(await bad(['--hep', '70000'])).toEqual([2, expect.stringContaining('--hep: expected PORT or HOST:PORT')]);
    expect(await bad(['--max-age', 'soon'])).toEqual([2, expect.stringContaining('--max-age: expected a duration')]);
    expect(await bad(['--max-size', '12'])).toEqual([2, expect.stringContaining('--max-size: expected a size of 1MiB or more')]);
    const dir = tempDir();
    expect(await bad(['--db', dir, '--listen', '127.0.0.1:0'])).toEqual([4, expect.stringContaining(`cannot start the history database: cannot open the history database ${dir}`)]);
    const first = serve(['--db', ':memory:', '--listen', '127.0.0.1:0', '--json']);
    const port = ((await firstLine(first))['listen'] as { port: number }).port;
    expect(await bad(['--db', ':memory:', '--listen', `127.0.0.1:${port}`])).toEqual([4, expect.stringContaining(`cannot start the page on 127.0.0.1:${port}`)]);
    first.stop();
    await first.code;
  });

  it('has help with examples', async () => {
    const s = serve(['--help']);
    expect(await s.code).toBe(0);
    expect(s.stdout()).toContain('Examples:');
    expect(s.stdout()).toContain('--max-age');
  });
});

describe('serve option readers', () => {
  it('reads addresses, durations and sizes', () => {
    expect(parseHostPort('9060', '127.0.0.1')).toEqual({ host: '127.0.0.1', port: 9060 });
    expect(parseHostPort('[::1]:80', '127.0.0.1')).toEqual({ host: '::1', port: 80 });
    expect(parseHostPort('::1:80', '127.0.0.1')).toBeUndefined();
    expect(parseHostPort('host:', '127.0.0.1')).toBeUndefined();
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('90m')).toBe(5_400_000);
    expect(parseDuration('d')).toBeUndefined();
    expect(parseSize('1GiB')).toBe(1024 ** 3);
    expect(parseSize('500MB')).toBe(5e8);
    expect(parseSize('1.5 MiB')).toBe(1.5 * 1024 ** 2);
    expect(parseSize('12 parsecs')).toBeUndefined();
  });

  it('keeps the history in the XDG data folder', () => {
    expect(defaultDatabase({ XDG_DATA_HOME: '/data', HOME: '/home/u' })).toBe('/data/siplens/siplens.db');
    expect(defaultDatabase({ XDG_DATA_HOME: 'relative', HOME: '/home/u' })).toBe('/home/u/.local/share/siplens/siplens.db');
    expect(defaultDatabase({})).toBeUndefined();
  });
});
