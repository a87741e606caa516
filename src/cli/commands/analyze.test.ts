import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusDir, hasCorpus } from '../../../test/helpers/corpus.js';
import { hasTool } from '../../../test/helpers/tools.js';
import { runSiplens } from '../../../test/report/cli-run.js';
import { hostileValues, makeHostileCapture } from '../../../test/report/hostile-capture.js';
import { loadRecords } from '../../../test/report/fixtures.js';
import { compileSchema } from '../../../test/report/schema-validator.js';
import { analyze, buildReport } from '../../index.js';

const corpus = (p: string): string => join(corpusDir, p);

describe.skipIf(!hasCorpus)('siplens analyze on corpus files', () => {
  it('names each failure with its cause and exits 0', async () => {
    const r = await runSiplens(['analyze', corpus('pcap/pcapplusplus-sip_resp.pcap')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Inputs read');
    expect(r.stdout).toContain('Accounts (registration state)');
    expect(r.stdout).toContain('503 Service Unavailable');
    expect(r.stdout).toContain('504');
    expect(r.stdout).toContain('Top causes');
    // Plain text off a terminal: no colour codes, no box drawing.
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stdout).not.toContain('│');
  });

  it('draws tables and colours on a terminal, and no colour under NO_COLOR', async () => {
    const tty = await runSiplens(['analyze', corpus('pcap/pcapplusplus-sip_resp.pcap')], { tty: true, env: { LANG: 'en_US.UTF-8' } });
    expect(tty.stdout).toContain('\u001b[');
    expect(tty.stdout).toContain('┌');
    const plain = await runSiplens(['analyze', corpus('pcap/pcapplusplus-sip_resp.pcap')], { tty: true, env: { LANG: 'en_US.UTF-8', NO_COLOR: '1' } });
    expect(plain.stdout).not.toContain('\u001b[');
    expect(plain.stdout).toContain('┌');
  });

  it('--fail-on error exits 1 when there are errors; --fail-on warning also on warnings', async () => {
    expect((await runSiplens(['analyze', corpus('pcap/pcapplusplus-sip_resp.pcap'), '--fail-on', 'error'])).code).toBe(1);
    for (const f of ['pcap/sip_hello.pcapng', 'logs/ade_b179_syslog.txt', 'pcap/pcapplusplus-sip_reqs.pcap', 'pcap/suricata-sip-sdp__sdp.pcap']) {
      const json = JSON.parse((await runSiplens(['analyze', corpus(f), '--json'])).stdout) as { summary: { findings: { error: number; warning: number } } };
      const { error, warning } = json.summary.findings;
      expect((await runSiplens(['analyze', corpus(f), '--fail-on', 'error'])).code, f).toBe(error > 0 ? 1 : 0);
      expect((await runSiplens(['analyze', corpus(f), '--fail-on', 'warning'])).code, f).toBe(error + warning > 0 ? 1 : 0);
      expect((await runSiplens(['analyze', corpus(f)])).code, f).toBe(0);
    }
    expect((await runSiplens(['analyze', corpus('pcap/pcapplusplus-sip_resp.pcap'), '--fail-on', 'fatal'])).code).toBe(2);
  });

  it('exits 3 when the inputs hold no SIP, 4 when an input cannot be read, 2 on a usage error', async () => {
    expect((await runSiplens(['analyze', corpus('pcap/http_on_sip_port.pcap')])).code).toBe(3);
    const missing = await runSiplens(['analyze', join(tmpdir(), 'siplens-no-such-file.pcap')]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('no such file');
    expect((await runSiplens(['analyze'])).code).toBe(2);
    expect((await runSiplens(['analyze', corpus('pcap/sip_hello.pcapng'), '--json', '--md'])).code).toBe(2);
    expect((await runSiplens(['analyze', corpus('pcap/sip_hello.pcapng'), '--filter', 'colour=red'])).code).toBe(2);
    expect((await runSiplens(['analyze', corpus('pcap/sip_hello.pcapng'), '--redact=some'])).code).toBe(2);
    expect((await runSiplens(['analyze', corpus('pcap/sip_hello.pcapng'), '--workers', 'two'])).code).toBe(2);
  });

  it('--workers 2 gives the report of one thread', async () => {
    const one = await runSiplens(['analyze', corpus('pcap/FAX-Call-t38-CA-TDM-SIP-FB-1.pcap'), '--json', '--workers', '1']);
    const two = await runSiplens(['analyze', corpus('pcap/FAX-Call-t38-CA-TDM-SIP-FB-1.pcap'), '--json', '--workers', '2']);
    expect(two.code).toBe(0);
    expect(JSON.parse(two.stdout)).toEqual(JSON.parse(one.stdout));
  });

  it('--json keeps no messages and prints what an analysis keeping the evidence gives', async () => {
    // JSON holds no message text, so `analyze --json` stores none (keepMessages 'none'): the result must not depend on
    // it. The files have registrations (answered REGISTER transactions are read again from stored messages when
    // they are kept), failed calls, a 488 with its SDP, and a syslog with several accounts.
    for (const f of ['pcap/pcapplusplus-sip_resp.pcap', 'pcap/FAX-Call-t38-CA-TDM-SIP-FB-1.pcap', 'logs/ade_b179_syslog.txt', 'pcap/suricata-sip-body-frames__public-cloudshark-sip-s0.pcap']) {
      const cli = await runSiplens(['analyze', corpus(f), '--json']);
      const kept = await analyze([corpus(f)], { keepMessages: 'evidence' });
      expect(kept.messages.size, f).toBeGreaterThan(0);
      const none = await analyze([corpus(f)], { keepMessages: 'none' });
      expect(none.messages.size, f).toBe(0);
      expect(JSON.parse(cli.stdout), f).toEqual(JSON.parse(JSON.stringify(buildReport(kept.result, kept.messages, { scope: 'evidence' }).result)));
    }
  });

  it('reads standard input with -', async () => {
    const log = await readFile(corpus('formats/pjsip_pjproject-3414_401_then_register.log'));
    const r = await runSiplens(['analyze', '-', '--json'], { stdin: log });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { summary: { messages: number }; inputs: { path: string }[] };
    expect(json.summary.messages).toBe((await loadRecords([corpus('formats/pjsip_pjproject-3414_401_then_register.log')])).records.length);
    expect(json.inputs[0]?.path).toBe('-');
  });

  it('--filter keeps the matching calls and exits 3 when nothing matches', async () => {
    const all = JSON.parse((await runSiplens(['analyze', corpus('logs/ade_b179_syslog.txt'), '--json'])).stdout) as { calls: unknown[]; registrations: unknown[] };
    const reg = JSON.parse((await runSiplens(['analyze', corpus('logs/ade_b179_syslog.txt'), '--json', '--filter', 'method=REGISTER'])).stdout) as { calls: unknown[]; registrations: unknown[] };
    expect(reg.calls).toHaveLength(0);
    expect(reg.registrations).toHaveLength(all.registrations.length);
    const c488 = JSON.parse((await runSiplens(['analyze', corpus('logs/ade_b179_syslog.txt'), '--json', '--filter', 'code=488'])).stdout) as { calls: { finalStatus: number }[]; registrations: unknown[] };
    expect(c488.registrations).toHaveLength(0);
    expect(c488.calls.map((c) => c.finalStatus)).toEqual([488]);
    expect((await runSiplens(['analyze', corpus('logs/ade_b179_syslog.txt'), '--filter', 'code=699'])).code).toBe(3);
  });

  it('--json validates against schema/analysis.schema.json', async () => {
    const { validate } = compileSchema('analysis');
    for (const f of ['pcap/pcapplusplus-sip_resp.pcap', 'logs/ade_b179_syslog.txt', 'pcap/FAX-Call-t38-CA-TDM-SIP-FB-1.pcap']) {
      const r = await runSiplens(['analyze', corpus(f), '--json']);
      const ok = validate(JSON.parse(r.stdout));
      expect(validate.errors ?? [], f).toEqual([]);
      expect(ok).toBe(true);
      const redacted = await runSiplens(['analyze', corpus(f), '--json', '--redact=all', '--filter', 'method=INVITE']);
      expect(validate(JSON.parse(redacted.stdout)), `${f} redacted`).toBe(true);
    }
    // The date-time format is really checked: a call start that is not RFC 3339 fails.
    const doc = JSON.parse((await runSiplens(['analyze', corpus('pcap/pcapplusplus-sip_resp.pcap'), '--json'])).stdout) as { calls: { startTime: string | null }[] };
    expect(doc.calls[0]?.startTime).toMatch(/^\d{4}-/);
    (doc.calls[0] as { startTime: string | null }).startTime = '14 Jan 2005 17:58';
    expect(validate(doc)).toBe(false);
    expect(validate.errors?.[0]?.keyword).toBe('format');
  });
});

describe.skipIf(!hasTool('sipp') || !hasTool('tshark'))('siplens analyze --redact on a real capture', () => {
  let dir = '';
  let pcap = '';
  const secrets: string[] = [hostileValues.password, hostileValues.nonce];
  beforeAll(async () => {
    const capture = await makeHostileCapture();
    dir = capture.dir;
    pcap = capture.pcap;
    for (const { message } of (await loadRecords([pcap])).records) {
      for (const c of message.authorization) secrets.push(...[c.response, c.cnonce].filter((v): v is string => v !== undefined));
    }
    expect(secrets.length).toBeGreaterThanOrEqual(4);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Every output format of analyze, with the given redaction. */
  async function everyFormat(redact: string): Promise<string[]> {
    const out = await mkdtemp(join(dir, 'out-'));
    const html = join(out, 'r.html');
    const text = await runSiplens(['analyze', pcap, redact, '--html', html]);
    expect(text.code).toBe(0);
    const md = await runSiplens(['analyze', pcap, redact, '--md']);
    const json = await runSiplens(['analyze', pcap, redact, '--json']);
    const flow = await runSiplens(['flow', pcap, redact]);
    const mermaid = await runSiplens(['flow', pcap, redact, '--format', 'mermaid']);
    const pcapOut = join(out, 'r.pcap');
    const exported = await runSiplens(['export', pcap, redact, '--pcap', pcapOut]);
    expect(exported.code).toBe(0);
    const stats = await runSiplens(['stats', pcap, redact, '--json']);
    const statsText = await runSiplens(['stats', pcap, redact]);
    const flowHtml = await runSiplens(['flow', pcap, redact, '--format', 'html']);
    const svg = await runSiplens(['flow', pcap, redact, '--format', 'svg']);
    const plantuml = await runSiplens(['flow', pcap, redact, '--format', 'plantuml']);
    const raw = await runSiplens(['messages', pcap, redact, '--raw']);
    const messagesJson = await runSiplens(['messages', pcap, redact, '--json']);
    return [
      text.stdout,
      await readFile(html, 'latin1'),
      md.stdout,
      json.stdout,
      flow.stdout,
      mermaid.stdout,
      await readFile(pcapOut, 'latin1'),
      stats.stdout,
      flowHtml.stdout,
      statsText.stdout,
      svg.stdout,
      plantuml.stdout,
      raw.stdout,
      messagesJson.stdout,
    ];
  }

  it('the unredacted outputs do hold the secrets (so the search below can fail)', async () => {
    const outputs = await everyFormat('--filter=method=REGISTER');
    const joined = outputs.join('\n');
    for (const s of secrets) expect(joined).toContain(s);
  });

  it('--redact leaves no password, nonce or digest response in any format', async () => {
    const outputs = await everyFormat('--redact');
    outputs.forEach((o) => {
      for (const s of secrets) expect(o).not.toContain(s);
    });
    expect(outputs[0]).toContain(hostileValues.caller);
  });

  it('--redact=all also leaves no number or address, in any format', async () => {
    const outputs = await everyFormat('--redact=all');
    outputs.forEach((o, i) => {
      for (const s of [...secrets, hostileValues.caller, hostileValues.callee, hostileValues.address]) {
        expect(o.includes(s), `format ${i} holds ${s}`).toBe(false);
      }
    });
    expect(outputs[0]).toContain('user-1');
  });

  it('--html writes one self-contained file with the payloads escaped', async () => {
    const out = join(dir, 'plain.html');
    const r = await runSiplens(['analyze', pcap, '--html', out]);
    expect(r.code).toBe(0);
    const html = await readFile(out, 'utf8');
    expect(html).toContain('Content-Security-Policy');
    expect(html).not.toContain('<script>window.__pwn');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;window.__pwn=1&lt;/script&gt;');
    // No external URL: nothing to load from elsewhere (the SVG namespace is a name, not a fetch).
    const targets: string[] = [];
    for (const attr of [' src="', ' href="', ' action="']) {
      for (let i = html.indexOf(attr); i >= 0; i = html.indexOf(attr, i + 1)) {
        const start = i + attr.length;
        targets.push(html.slice(start, html.indexOf('"', start)));
      }
    }
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.filter((t) => !t.startsWith('#'))).toEqual([]);
    expect(html).not.toMatch(/\burl\((?!#)/);
  });
});

describe.skipIf(!hasCorpus)('progress on standard error', () => {
  it('draws a bar only when standard error is a terminal, and clears it', async () => {
    const file = corpus('logs/Attendant1.log');
    const tty = await runSiplens(['analyze', file, '--json'], { stderrTty: true });
    expect(tty.stderr).toMatch(/^\rreading \[[#-]+\] +\d+% /);
    expect(tty.stderr.endsWith('\r\u001b[2K')).toBe(true);
    expect(JSON.parse(tty.stdout)).toHaveProperty('schemaVersion', 1);
    const pipe = await runSiplens(['analyze', file, '--json'], { stderrTty: false });
    expect(pipe.stderr).toBe('');
  });
});

describe('siplens analyze --filter by user and time on the example snapshot', () => {
  const snapshot = resolve(import.meta.dirname, '..', '..', '..', 'examples', 'clearcom-snapshot', 'diagnostics-snapshot.zip');
  it('keeps one account with user=, and nothing before the first message with until=', async () => {
    const all = JSON.parse((await runSiplens(['analyze', snapshot, '--json'])).stdout) as { registrations: { aor: string; messages: number[] }[] };
    const dave = all.registrations.filter((r) => r.aor.includes('dave'));
    expect(dave.length).toBeGreaterThan(0);
    const r = JSON.parse((await runSiplens(['analyze', snapshot, '--json', '--filter', 'user=dave'])).stdout) as { registrations: { aor: string }[]; calls: unknown[] };
    expect(r.registrations.map((x) => x.aor)).toEqual(dave.map((x) => x.aor));
    expect(r.calls).toEqual([]);
    const { records } = await loadRecords([snapshot]);
    const times = records.map((x) => x.meta.time ?? Infinity);
    const first = Math.min(...times);
    expect((await runSiplens(['analyze', snapshot, '--filter', `until=${new Date(first - 1000).toISOString()}`])).code).toBe(3);
    const last = Math.max(...times.filter(Number.isFinite));
    const tail = JSON.parse((await runSiplens(['analyze', snapshot, '--json', '--filter', `since=${new Date(last).toISOString()}`])).stdout) as { summary: { messages: number } };
    expect(tail.summary.messages).toBe(times.filter((t) => t >= last).length);
  });
});
