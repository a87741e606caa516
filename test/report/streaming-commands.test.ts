import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTrafficPcap } from '../helpers/traffic.js';
import { readFile, writeFile } from 'node:fs/promises';
import { addresses, answer, invite, toRecords } from '../scenarios/flows.js';
import type { Wire } from '../scenarios/flows.js';
import { encodePcap } from '../../src/present/pcap-writer.js';
import { planPackets } from '../../src/present/pcap-export.js';
import { readInputs } from '../../src/parse/read-inputs.js';
import { viewMessage } from '../../src/present/message-view.js';
import { StatsCounter } from '../../src/present/stats.js';
import { runSiplens } from './cli-run.js';
import type { CliIo } from '../../src/cli/io.js';
import { matchingCalls } from '../../src/cli/commands/analyze.js';
import { analyze } from '../../src/diagnose/analyze.js';
import type { AnalysisResult } from '../../src/model/analysis.js';
import type { MessageRecord } from '../../src/model/message-record.js';
import { extractFacts } from '../../src/correlate/scan-facts.js';
import { parseFilter } from '../../src/present/filter.js';
import type { MessageFilter } from '../../src/present/filter.js';
import type { TrafficCounts } from '../../bench/traffic.js';
import { buildReport } from '../../src/present/report.js';

describe('stats and export read one message at a time, on generated proxy traffic', () => {
  it('times every call and every REGISTER transaction the generator made, one message at a time', async () => {
    await withTraffic('siplens-stats-', 5, 4_000_000, async ({ file, counts }) => {
      const counter = new StatsCounter();
      for await (const r of readInputs([file]).records) counter.add(viewMessage(r));
      const stats = counter.result();
      expect(stats.messages).toBe(counts.messages);
      // Each call's INVITE is timed once (retransmissions and the proxy's second leg share its transaction key);
      // every registration is challenged once and then answered.
      expect(stats.responseTimes.find((t) => t.method === 'INVITE')?.count).toBe(counts.calls);
      expect(stats.responseTimes.find((t) => t.method === 'REGISTER')?.count).toBe(2 * counts.registrations);
      const cli = await runSiplens(['stats', file, '--json']);
      expect(cli.code).toBe(0);
      expect(JSON.parse(cli.stdout)).toEqual(JSON.parse(JSON.stringify(stats)));
    });
  }, 60_000);

  it('export writes every message byte for byte, and a filter keeps the matching ones', async () => {
    await withTraffic('siplens-export-', 6, 3_000_000, async ({ file, dir, counts }) => {
      const out = join(dir, 'out.pcap');
      const r = await runSiplens(['export', file, '--pcap', out]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`wrote ${counts.messages} messages`);
      const original: Buffer[] = [];
      for await (const m of readInputs([file]).records) original.push(Buffer.from(m.message.raw));
      const again: Buffer[] = [];
      for await (const m of readInputs([out]).records) again.push(Buffer.from(m.message.raw));
      expect(again.length).toBe(original.length);
      for (let i = 0; i < again.length; i++) expect(again[i]!.equals(original[i]!)).toBe(true);
      const invites = join(dir, 'invites.pcap');
      expect((await runSiplens(['export', file, '--filter', 'method=INVITE', '--pcap', invites])).code).toBe(0);
      const kept: string[] = [];
      for await (const m of readInputs([invites]).records) kept.push(m.message.cseq?.method ?? '');
      expect(kept.length).toBeGreaterThan(0);
      expect(new Set(kept)).toEqual(new Set(['INVITE']));
      expect((await readFile(invites)).length).toBeLessThan((await readFile(out)).length);
    });
  }, 60_000);
});

describe('analyze --filter keeps only the matching calls and registrations, found in a first pass', () => {
  it('gives the report that keeping every message gave, while holding a fraction of them', async () => {
    await withTraffic('siplens-filter-', 7, 3_000_000, async ({ file, dir, counts }) => {
      // The reference is the former way: every message kept, the filters applied to all of them.
      const all = await analyze([file], { keepMessages: 'all', workers: 1 });
      expect(all.messages.size).toBe(counts.messages);
      const cases = [['code=486'], ['code=403'], ['user=1042'], ['method=REGISTER', 'code=2xx']];
      for (const texts of cases) {
        const filters = filtersOf(texts);
        const expected = JSON.parse(JSON.stringify(buildReport(all.result, all.messages, { filters, scope: 'evidence' }).result)) as AnalysisResult;
        expect(expected.summary.messages, texts.join(' ')).toBeGreaterThan(0);
        const args = texts.flatMap((t) => ['--filter', t]);
        for (const workers of ['1', '2']) {
          const cli = await runSiplens(['analyze', file, '--json', '--workers', workers, ...args]);
          expect(cli.code, `${texts.join(' ')} --workers ${workers}: ${cli.stderr}`).toBe(0);
          expect(JSON.parse(cli.stdout), `${texts.join(' ')} --workers ${workers}`).toEqual(expected);
        }
      }
      // What the second pass holds: the chosen calls' and accounts' messages, not the input.
      const io = { stdout: () => undefined, stderr: () => undefined, stdoutIsTTY: false, stderrIsTTY: false, env: {}, cwd: dir } as unknown as CliIo;
      const chosen = await matchingCalls([file], io, filtersOf(['code=403']));
      expect(chosen.accounts.length).toBeGreaterThan(0);
      const kept = await analyze([file], { keepMessages: 'evidence', keepCallIds: chosen.callIds, keepAccounts: chosen.accounts, workers: 1 });
      const ids = new Set(chosen.callIds);
      const accounts = new Set(chosen.accounts);
      const evidence = new Set(kept.result.findings.flatMap((f) => f.evidence));
      const isChosen = (m: MessageRecord): boolean => {
        const f = extractFacts(m);
        return ids.has(f.callId) || (f.cseqMethod === 'REGISTER' && accounts.has(f.toUri ?? ''));
      };
      for (const m of kept.messages.values()) expect(evidence.has(m.index) || isChosen(m), `message ${m.index}`).toBe(true);
      for (const m of all.messages.values()) if (isChosen(m)) expect(kept.messages.has(m.index), `message ${m.index}`).toBe(true);
      expect(kept.messages.size).toBeLessThan(all.messages.size);
      // An account whose REGISTERs had Call-IDs of their own: filtered by one of them, it keeps them all.
      const account = all.result.registrations.find((r) => r.callIds.length > 1);
      expect(account, 'a registration with several Call-IDs in the traffic').toBeDefined();
      const byCall = filtersOf([`call=${account!.callIds[0]!}`]);
      const one = await matchingCalls([file], io, byCall);
      expect(one.callIds).toEqual([account!.callIds[0]]);
      const oneKept = await analyze([file], { keepMessages: 'evidence', keepCallIds: one.callIds, keepAccounts: one.accounts, workers: 1 });
      const keptIds = new Set([...oneKept.messages.values()].map((m) => m.message.callId));
      for (const c of account!.callIds) expect(keptIds.has(c), c).toBe(true);
      const cli = await runSiplens(['analyze', file, '--json', '--filter', `call=${account!.callIds[0]!}`]);
      expect(JSON.parse(cli.stdout)).toEqual(JSON.parse(JSON.stringify(buildReport(all.result, all.messages, { filters: byCall, scope: 'evidence' }).result)));
    });
  }, 120_000);

  it('still keeps every message when the input is standard input, which cannot be read twice', async () => {
    await withTraffic('siplens-filter-stdin-', 8, 1_000_000, async ({ file }) => {
      const fromFile = await runSiplens(['analyze', file, '--json', '--filter', 'code=486']);
      const fromStdin = await runSiplens(['analyze', '-', '--json', '--filter', 'code=486'], { stdin: await readFile(file) });
      expect(fromStdin.code).toBe(0);
      const a = JSON.parse(fromFile.stdout) as AnalysisResult;
      const b = JSON.parse(fromStdin.stdout) as AnalysisResult;
      expect(b.summary.messages).toBe(a.summary.messages);
      expect(b.calls.map((c) => c.callId)).toEqual(a.calls.map((c) => c.callId));
    });
  }, 60_000);
});

describe('analyze --filter on B2BUA legs tied by X-CID', () => {
  it('keeps every leg of a matching call, whichever leg matched', async () => {
    await inTempDir('siplens-filter-legs-', async (dir) => {
      const { alice, bob, proxy } = addresses;
      const leg1 = '2xTb9vxSit55XU7p8@atlanta.example.com';
      const flow: Wire[] = [
        { t: 0, src: alice, dst: proxy, text: invite({ cseq: 1, branch: 'z9hG4bKl1' }) },
        { t: 0.02, src: proxy, dst: bob, text: invite({ cseq: 1, branch: 'z9hG4bKb1', callId: 'b2bua-leg-2', extra: `X-CID: ${leg1}\n` }) },
        { t: 0.5, src: bob, dst: proxy, text: answer({ status: 486, reason: 'Busy Here', cseq: 1, branch: 'z9hG4bKb1', method: 'INVITE', toTag: 'b2', callId: 'b2bua-leg-2' }) },
        { t: 0.52, src: proxy, dst: alice, text: answer({ status: 486, reason: 'Busy Here', cseq: 1, branch: 'z9hG4bKl1', method: 'INVITE', toTag: 'b1' }) },
        // Another call, not tied to these.
        { t: 1, src: alice, dst: proxy, text: invite({ cseq: 1, branch: 'z9hG4bKo1', callId: 'other-call' }) },
      ];
      const records = toRecords(flow);
      const file = join(dir, 'b2bua.pcap');
      const raw = new Map(records.map((r) => [r.index, r.message.raw]));
      await writeFile(file, Buffer.concat([...encodePcap(planPackets(records.map(viewMessage), { raw }).packets)]));
      const io = { stdout: () => undefined, stderr: () => undefined, stdoutIsTTY: false, stderrIsTTY: false, env: {}, cwd: dir } as unknown as CliIo;
      for (const [matched, texts] of [['leg 2', ['call=b2bua-leg-2']], ['leg 1', [`call=${leg1}`]], ['a code', ['code=486']]] as const) {
        const filters = filtersOf(texts);
        const chosen = await matchingCalls([file], io, filters);
        expect(new Set(chosen.callIds), matched).toEqual(new Set([leg1, 'b2bua-leg-2']));
        const kept = await analyze([file], { keepMessages: 'evidence', keepCallIds: chosen.callIds, workers: 1 });
        expect([...kept.messages.keys()].sort((a, b) => a - b), matched).toEqual([0, 1, 2, 3]);
      }
    });
  });
});

describe('messages --redact and export --redact on files: learn in a first pass, write one message at a time', () => {
  it('messages writes what reading every message first wrote (standard input still does that)', async () => {
    await withTraffic('siplens-redact-', 9, 1_500_000, async ({ file }) => {
      const bytes = await readFile(file);
      const withoutOrigin = (out: string): unknown[] =>
        out.trim().split('\n').map((l) => {
          const { origin: _origin, ...rest } = JSON.parse(l) as { origin: unknown };
          return rest;
        });
      for (const level of ['--redact', '--redact=all']) {
        for (const extra of [[], ['--filter', 'method=REGISTER']]) {
          const twice = await runSiplens(['messages', file, '--ndjson', '--no-strict', level, ...extra]);
          const held = await runSiplens(['messages', '-', '--ndjson', '--no-strict', level, ...extra], { stdin: bytes });
          expect(twice.code).toBe(0);
          expect(withoutOrigin(twice.stdout), `${level} ${extra.join(' ')}`).toEqual(withoutOrigin(held.stdout));
        }
      }
      const plain = await runSiplens(['messages', file, '--raw']);
      const nonces = quotedValues(plain.stdout, 'nonce="');
      expect(nonces.length).toBeGreaterThan(10);
      const hidden = await runSiplens(['messages', file, '--raw', '--redact']);
      for (const n of nonces.slice(0, 50)) expect(hidden.stdout.includes(n), n).toBe(false);
    });
  }, 60_000);

  it('export writes the same redacted pcap as reading every message first, and filters see the messages as read', async () => {
    await withTraffic('siplens-redact-export-', 10, 1_500_000, async ({ file, dir }) => {
      const twice = join(dir, 'twice.pcap');
      const held = join(dir, 'held.pcap');
      expect((await runSiplens(['export', file, '--redact=all', '--pcap', twice])).code).toBe(0);
      expect((await runSiplens(['export', '-', '--redact=all', '--pcap', held], { stdin: await readFile(file) })).code).toBe(0);
      expect((await readFile(twice)).equals(await readFile(held))).toBe(true);
      const text = (await readFile(twice)).toString('latin1');
      const plain = (await readFile(file)).toString('latin1');
      const nonces = quotedValues(plain, 'nonce="');
      expect(nonces.length).toBeGreaterThan(10);
      for (const n of nonces.slice(0, 50)) expect(text.includes(n), n).toBe(false);
      // A user filter matches the messages as read, although --redact=all renames the user in what is written.
      // The user of the first REGISTER's To header.
      const register = plain.indexOf('REGISTER sip:');
      const to = plain.indexOf('To: <sip:', register) + 'To: <sip:'.length;
      const name = register < 0 ? '' : plain.slice(to, plain.indexOf('@', to));
      expect(name).not.toBe('');
      const user = join(dir, 'user.pcap');
      const r = await runSiplens(['export', file, '--redact=all', '--filter', `user=${name}`, '--pcap', user]);
      const unredacted = await runSiplens(['export', file, '--filter', `user=${name}`, '--pcap', join(dir, 'plain-user.pcap')]);
      expect(r.code, r.stderr).toBe(0);
      expect(wrote(r.stderr)).toBeGreaterThan(0);
      expect(wrote(r.stderr)).toBe(wrote(unredacted.stderr));
      expect((await readFile(user)).toString('latin1')).not.toContain(`sip:${name}@`);
    });
  }, 60_000);
});

/** The values after each `prefix` up to the next double quote. */
function quotedValues(text: string, prefix: string): string[] {
  return text.split(prefix).slice(1).map((part) => part.slice(0, part.indexOf('"')));
}

/** The count in export's `wrote N messages` line. */
function wrote(stderr: string): number {
  const at = stderr.indexOf('wrote ');
  return at < 0 ? -1 : Number.parseInt(stderr.slice(at + 6), 10);
}

/** Runs `body` in a private temporary folder, removed afterwards. */
async function inTempDir(prefix: string, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs `body` on generated proxy traffic written as `traffic.pcap` in a private temporary folder. */
async function withTraffic(
  prefix: string,
  seed: number,
  bytes: number,
  body: (t: { readonly dir: string; readonly file: string; readonly counts: TrafficCounts }) => Promise<void>,
): Promise<void> {
  await inTempDir(prefix, async (dir) => {
    const file = join(dir, 'traffic.pcap');
    const counts = await writeTrafficPcap(file, seed, bytes);
    await body({ dir, file, counts });
  });
}

/** `--filter` texts as the CLI reads them. */
function filtersOf(texts: readonly string[]): MessageFilter[] {
  return texts.map((t) => {
    const p = parseFilter(t);
    if (!('filter' in p)) throw new Error(p.error);
    return p.filter;
  });
}
