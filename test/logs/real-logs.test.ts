// Logs made by the real programs, read back and checked against what tshark saw on the wire (or what the other end
// logged): sipp -trace_msg, kamailio's sipdump module and xlog of $mb, baresip's SIP trace.
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frameLog } from '../../src/framing/logs/index.js';
import type { InputReport, RawMessage } from '../../src/model/index.js';
import { parseMessage } from '../../src/parse/index.js';
import { runScenario, tsharkDecodeAs } from '../harness/index.js';
import type { ScenarioName, ScenarioRun, Transport } from '../harness/index.js';
import { findFreePort, isListening, pollUntil, startProcess, stopProcess } from '../harness/processes.js';
import { hasTool } from '../helpers/tools.js';

async function readLog(path: string, format?: string): Promise<{ messages: RawMessage[]; report: InputReport }> {
  const report: InputReport = { path, kind: 'log', format: null, messages: 0, skipped: 0, issues: [] };
  const messages: RawMessage[] = [];
  const options = format === undefined ? { path: basename(path) } : { path: basename(path), format };
  for await (const m of frameLog(createReadStream(path, { highWaterMark: 1000 }), options, report)) messages.push(m);
  return { messages, report };
}

/** `Call-ID CSeq method-or-status`, from our message. */
function keyOf(m: RawMessage): string {
  const p = parseMessage(m.bytes);
  return `${p.callId ?? '?'} ${p.cseq?.seq ?? '?'} ${p.cseq?.method ?? '?'} ${p.method ?? p.status ?? '?'}`;
}

interface WireMessage {
  readonly key: string;
  readonly src: string;
  readonly dst: string;
}

/** What tshark reads from a capture: every SIP message, several per TCP segment included. */
function readWire(run: ScenarioRun): WireMessage[] {
  const fields = ['sip.Call-ID', 'sip.CSeq.seq', 'sip.CSeq.method', 'sip.Method', 'sip.Status-Code', 'ip.src', 'ipv6.src', 'udp.srcport', 'tcp.srcport', 'ip.dst', 'ipv6.dst', 'udp.dstport', 'tcp.dstport'];
  const out = execFileSync('tshark', ['-r', run.pcap, ...tsharkDecodeAs(run), '-Y', 'sip', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', ...fields.flatMap((f) => ['-e', f])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const wire: WireMessage[] = [];
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const [callIds, seqs, methods, reqMethods, statuses, ip4s, ip6s, usp, tsp, ip4d, ip6d, udp, tdp] = line.split('\t').map((f) => f.split('|'));
    const host = (v4: string[] | undefined, v6: string[] | undefined): string => (v4?.[0] ? v4[0] : `[${v6?.[0] ?? ''}]`);
    const src = `${host(ip4s, ip6s)}:${usp?.[0] || tsp?.[0]}`;
    const dst = `${host(ip4d, ip6d)}:${udp?.[0] || tdp?.[0]}`;
    // tshark lists requests' methods and responses' codes apart, so their order inside one segment is lost; these
    // scenarios send one message per segment (kamailio and sipp disable Nagle), and a run that does not is refused.
    if ((callIds?.length ?? 0) !== 1) throw new Error(`frame with ${callIds?.length} SIP messages; readWire cannot pair them: ${line}`);
    const what = reqMethods?.[0] !== undefined && reqMethods[0] !== '' ? reqMethods[0] : statuses?.[0];
    wire.push({ key: `${callIds![0]} ${seqs?.[0]} ${methods?.[0]} ${what}`, src, dst });
  }
  return wire;
}

const sorted = (list: readonly string[]): string[] => [...list].sort();

const canRunScenarios = hasTool('sipp') && hasTool('kamailio') && hasTool('tshark');

describe.skipIf(!canRunScenarios)('real logs: sipp -trace_msg and kamailio sipdump read as tshark reads the wire', () => {
  const runs: Array<[ScenarioName, Transport, boolean]> = [
    ['call-ok', 'udp', false],
    ['register-wrong-password', 'tcp', false],
    ['call-busy', 'udp', true],
  ];
  for (const [name, transport, ipv6] of runs) {
    it(`${name} over ${transport.toUpperCase()}${ipv6 ? ' on ::1' : ''}`, async () => {
      const run = await runScenario(name, { transport, ipv6 });
      try {
        const wire = readWire(run);
        expect(wire.length).toBeGreaterThan(3);

        // kamailio's sipdump: every message it received and sent, with both addresses and the direction.
        const dump = await readLog(run.kamailioLog);
        expect(dump.report.issues).toEqual([]);
        expect(sorted(dump.messages.map((m) => `${keyOf(m)} ${m.meta.src} ${m.meta.dst}`))).toEqual(sorted(wire.map((w) => `${w.key} ${w.src} ${w.dst}`)));
        for (const m of dump.messages) {
          expect(m.meta.format).toBe('kamailio-sipdump');
          expect(m.meta.transport).toBe(transport.toUpperCase());
          expect(m.meta.direction === 'in' ? m.meta.dst : m.meta.src).toBe(run.proxy);
          expect(m.meta.time).toBeGreaterThan(Date.UTC(2020, 0, 1));
          expect(m.issues).toEqual([]);
        }

        // The phones' sipp traces: together they sent or received every message on the wire, each once.
        const traces = await Promise.all(run.sippTraces.map((t) => readLog(t)));
        const phone = traces.flatMap((t) => t.messages);
        expect(sorted(phone.map(keyOf))).toEqual(sorted(wire.map((w) => w.key)));
        for (const m of phone) {
          expect(m.meta.format).toBe('sipp-trace');
          expect(m.meta.transport).toBe(transport.toUpperCase());
          expect(m.issues).toEqual([]);
        }
        // A phone's sent messages are what kamailio received from it, and the other way round.
        const sent = phone.filter((m) => m.meta.direction === 'out').map(keyOf);
        expect(sorted(sent)).toEqual(sorted(dump.messages.filter((m) => m.meta.direction === 'in').map(keyOf)));
      } finally {
        await run.stop();
      }
    }, 120_000);
  }
});

const KAMAILIO_MODULES = '/usr/lib/x86_64-linux-gnu/kamailio/modules';

/** A registrar stand-in: 200 to REGISTER, 404 to the rest; sipdump records everything, xlog prints each request. */
function kamailioConfig(dir: string): string {
  return `#!KAMAILIO
debug=2
log_stderror=yes
children=1
tcp_children=1
mpath="${process.env['SIPLENS_KAMAILIO_MODULES'] ?? KAMAILIO_MODULES}/"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "sipdump.so"
loadmodule "textops.so"
modparam("sipdump", "enable", 1)
modparam("sipdump", "mode", 1)
modparam("sipdump", "folder", "${dir}/dump")
request_route {
  xlog("L_NOTICE", "siplens-trace from $si:$sp\\n$mb\\n");
  if (is_method("REGISTER")) { sl_send_reply("200", "OK"); exit; }
  sl_send_reply("404", "Not here");
  exit;
}
`;
}

describe.skipIf(!hasTool('kamailio') || !hasTool('baresip'))('real logs: baresip SIP trace and kamailio xlog', () => {
  it('baresip -s registering to kamailio: the trace holds what kamailio dumped; xlog output reads with the generic reader', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'siplens-baresip-'));
    const port = await findFreePort(false);
    const uaPort = await findFreePort(false);
    await writeFile(join(dir, 'kamailio.cfg'), kamailioConfig(dir));
    await writeFile(join(dir, 'config'), `sip_listen 127.0.0.1:${uaPort}\nmodule_path /usr/lib/baresip/modules\nmodule account.so\nmodule g711.so\n`);
    await writeFile(join(dir, 'accounts'), `<sip:alice@127.0.0.1:${port};transport=udp>;regint=60\n`);
    await mkdir(join(dir, 'dump'));
    await mkdir(join(dir, 'run'));
    const kam = startProcess('kamailio', 'kamailio', ['-f', join(dir, 'kamailio.cfg'), '-DD', '-E', '-n', '1', '-l', `udp:127.0.0.1:${port}`, '-Y', join(dir, 'run')], join(dir, 'kamailio.out'), join(dir, 'kamailio.err'), dir);
    try {
      // Ready once its UDP socket is bound; a config error ends it instead.
      expect(await pollUntil(async () => (await isListening(port, 'udp', false)) || kam.child.exitCode !== null, 5000)).toBe(true);
      expect(kam.child.exitCode, kam.stderrText()).toBeNull();
      const ua = startProcess('baresip', 'baresip', ['-f', dir, '-s', '-t', '3'], join(dir, 'baresip.out'), join(dir, 'baresip.err'), dir);
      await stopProcessWhenDone(ua, 15_000);
      await new Promise((r) => setTimeout(r, 300));
      await stopProcess(kam, 'SIGTERM', 3000);

      const dumpFile = (await readdir(join(dir, 'dump'))).find((f) => f.endsWith('.data'));
      expect(dumpFile).toBeDefined();
      const dump = await readLog(join(dir, 'dump', dumpFile!));
      expect(dump.messages.length).toBeGreaterThanOrEqual(2);

      const trace = await readLog(join(dir, 'baresip.out'));
      expect(trace.messages.length).toBeGreaterThan(0);
      expect(trace.messages[0]!.meta.format).toBe('baresip');
      expect(sorted(trace.messages.map((m) => `${keyOf(m)} ${m.meta.src} ${m.meta.dst}`))).toEqual(sorted(dump.messages.map((m) => `${keyOf(m)} ${m.meta.src} ${m.meta.dst}`)));
      for (const m of trace.messages) expect(m.issues).toEqual([]);

      // xlog printed each request kamailio received after one log prefix line: the message's other lines have none.
      const xlog = await readLog(join(dir, 'kamailio.err'));
      const received = dump.messages.filter((m) => m.meta.direction === 'in').map(keyOf);
      expect(sorted(xlog.messages.map(keyOf))).toEqual(sorted(received));
    } finally {
      await stopProcess(kam, 'SIGKILL', 2000);
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

async function stopProcessWhenDone(p: ReturnType<typeof startProcess>, ms: number): Promise<void> {
  const timer = setTimeout(() => void stopProcess(p, 'SIGKILL', 1000), ms);
  await p.exited;
  clearTimeout(timer);
}
