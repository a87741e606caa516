// siplens messages as sipgrep: --filter, --grep (and --invert), --raw and --redact, with their exit codes.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSiplens } from '../../../test/report/cli-run.js';
import { loadRecords } from '../../../test/report/fixtures.js';

const snapshot = resolve(import.meta.dirname, '..', '..', '..', 'examples', 'clearcom-snapshot', 'diagnostics-snapshot.zip');

function indexes(stdout: string): number[] {
  return [...stdout.matchAll(/^#(\d+) /gm)].map((m) => Number(m[1]));
}

describe('siplens messages: choosing messages like sipgrep', () => {
  it('--filter keeps the messages that match every key (the same key twice: either)', async () => {
    const { records } = await loadRecords([snapshot]);
    const want = records.filter((r) => r.message.cseq?.method === 'REGISTER' && (r.message.status ?? 0) >= 400 && r.message.status !== 401).map((r) => r.index);
    expect(want.length).toBeGreaterThan(1);
    const r = await runSiplens(['messages', snapshot, '--filter', 'method=REGISTER', '--filter', 'code=403', '--filter', 'code=423']);
    expect(r.code).toBe(0);
    expect(indexes(r.stdout)).toEqual(want);
  });

  it('--grep matches the whole text case-insensitively, --invert the others, and --raw prints each message whole', async () => {
    const { records } = await loadRecords([snapshot]);
    const text = (i: number): string => new TextDecoder().decode(records[i]?.message.raw);
    const warned = records.filter((r) => /^warning: 3\d\d /im.test(new TextDecoder().decode(r.message.raw))).map((r) => r.index);
    expect(warned.length).toBe(2);
    const r = await runSiplens(['messages', snapshot, '--grep', '^WARNING: 3\\d\\d ', '--raw']);
    expect(r.code).toBe(0);
    expect(indexes(r.stdout)).toEqual(warned);
    for (const i of warned) expect(r.stdout).toContain(text(i).replace(/\r\n/g, '\n').trimEnd());
    const others = await runSiplens(['messages', snapshot, '--grep', '^warning: 3\\d\\d ', '--invert']);
    expect(indexes(others.stdout)).toHaveLength(records.length - warned.length);
    expect(indexes(others.stdout)).not.toContain(warned[0]);
  });

  it('--json and --ndjson hold only the chosen messages', async () => {
    const doc = JSON.parse((await runSiplens(['messages', snapshot, '--json', '--filter', 'code=488'])).stdout) as { messages: { status: number }[] };
    expect(doc.messages.map((m) => m.status)).toEqual([488]);
    const nd = (await runSiplens(['messages', snapshot, '--ndjson', '--grep', 'Retry-After: 120'])).stdout.trim().split('\n');
    expect(nd.map((l) => (JSON.parse(l) as { status: number }).status)).toEqual([503]);
  });

  it('--redact hides digest responses and nonces in the text, the raw messages and the JSON; =all also users and addresses', async () => {
    const { records } = await loadRecords([snapshot]);
    const secrets = records.flatMap((r) => [...r.message.authorization, ...r.message.proxyAuthorization].flatMap((c) => [c.response, c.nonce])).filter((s): s is string => s !== undefined);
    expect(secrets.length).toBeGreaterThan(4);
    const plain = await runSiplens(['messages', snapshot, '--raw']);
    expect(secrets.some((s) => plain.stdout.includes(s))).toBe(true);
    for (const args of [['--raw', '--redact'], ['--json', '--redact'], ['--ndjson', '--redact=all'], ['--raw', '--redact=all']]) {
      const r = await runSiplens(['messages', snapshot, ...args]);
      expect(r.code, args.join(' ')).toBe(0);
      for (const s of secrets) expect(r.stdout.includes(s), `${args.join(' ')} holds ${s}`).toBe(false);
      if (args[1] === '--redact=all') {
        for (const s of ['127.0.0.1', 'alice', 'dave']) expect(r.stdout.includes(s), `${args.join(' ')} holds ${s}`).toBe(false);
      }
    }
  });

  it('exits 2 on a bad expression or a bad combination, 3 when nothing is chosen', async () => {
    const bad = await runSiplens(['messages', snapshot, '--grep', '(']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--grep: not a regular expression');
    expect((await runSiplens(['messages', snapshot, '--raw', '--json'])).code).toBe(2);
    expect((await runSiplens(['messages', snapshot, '--invert'])).code).toBe(2);
    expect((await runSiplens(['messages', snapshot, '--filter', 'colour=red'])).code).toBe(2);
    expect((await runSiplens(['messages', snapshot, '--grep', 'no such text anywhere'])).code).toBe(3);
  });
});
