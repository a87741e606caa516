// Makes examples/clearcom-snapshot/diagnostics-snapshot.zip from real traffic: the test harness runs sipp phones
// against kamailio on loopback under tshark, and the messages the phone under test ("alice", the device) sent and
// received are written in PJSIP's trace format, the way a device's Diagnostics Snapshot holds its SIP log:
//
//   var/log/sip            the device's SIP log (PJSIP trace lines, with the app's own lines between them)
//   var/log/messages       a system log without SIP (read and skipped)
//   etc/version, etc/sip/accounts.conf, proc/uptime
//   tmp/sitara1.zip        a nested archive holding the second line's SIP log (var/log/sip)
//
// Run on a machine with sipp, kamailio and tshark:   npx tsx examples/make-snapshot.ts
// The zip is committed, so `npm run example` works without them.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import type { MessageRecord } from '../src/index.js';
import { analyze } from '../src/index.js';
import { findFreePort, releasePort, runScenario } from '../test/harness/index.js';
import type { ScenarioName, ScenarioPorts } from '../test/harness/index.js';
import { mainLine, schedule, secondLine } from './snapshot-scenarios.js';

const out = fileURLToPath(new URL('./clearcom-snapshot/diagnostics-snapshot.zip', import.meta.url));


const encoder = new TextEncoder();

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** `2026-11-24 18:34:02.345`, UTC. */
function stamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

let buffer = 0x7f3a94001000;
/** PJSIP names each buffer by its address; a counter gives stable, plausible ones. */
function nextBuffer(): string {
  buffer += 0x2a8;
  return buffer.toString(16);
}

/** One message as pjsua_core.c traces it (pjsip/src/pjsua-lib/pjsua_core.c, logging_on_tx_msg / logging_on_rx_msg). */
function traceLines(r: MessageRecord, deviceSide: 'src' | 'dst', at: number): string {
  const m = r.message;
  const time = stamp(at);
  const tx = deviceSide === 'src';
  const peer = (tx ? r.meta.dst : r.meta.src) ?? 'unknown';
  const what = m.kind === 'request' ? `Request msg ${m.method ?? '?'}` : `Response msg ${m.status ?? 0}/${m.cseq?.method ?? '?'}`;
  const head = `${time}           pjsua_core.c  .${tx ? 'TX' : 'RX'} ${m.raw.length} bytes ${what}/cseq=${m.cseq?.seq ?? 0} (${tx ? 'tdta' : 'rdata'}0x${nextBuffer()}) ${tx ? 'to' : 'from'} ${r.meta.transport ?? 'UDP'} ${peer}:\n`;
  let text = new TextDecoder().decode(m.raw);
  if (!text.endsWith('\n')) text += '\n';
  const tail = '--end msg--\n';
  // What the app says about the outcome, as pjsua_acc.c and pjsua_call.c do, between the traces.
  let note = '';
  if (!tx && m.kind === 'response' && (m.status ?? 0) >= 200) {
    if (m.cseq?.method === 'REGISTER') {
      note =
        m.status === 200
          ? `${time}            pjsua_acc.c  ....${m.to?.uri.raw ?? ''}: registration success, status=200 (OK), will re-register in ${m.contacts[0]?.expires ?? m.expires ?? 0} seconds\n`
          : m.status === 401 || m.status === 407
            ? ''
            : `${time}            pjsua_acc.c  ....SIP registration failed, status=${m.status ?? 0} (${m.reason ?? ''})\n`;
    } else if (m.cseq?.method === 'INVITE' && (m.status ?? 0) >= 300 && m.status !== 407) {
      note = `${time}           pjsua_call.c  .Call 0 is DISCONNECTED [reason=${m.status ?? 0} (${m.reason ?? ''})]\n`;
    }
  }
  if (tx && m.method === 'INVITE' && m.authorization.length === 0 && m.proxyAuthorization.length === 0) {
    note = `${time}           pjsua_call.c  Making call with acc #0 to ${m.requestUri ?? ''}\n`;
    return note + head + text + tail;
  }
  return head + text + tail + note;
}

/**
 * Runs scenarios one after another on the same ports (one device, one registrar, as in a real log) and returns the
 * device's log: the messages of alice's phone, the harness's caller port. Each scenario is moved whole to its place on
 * the device's clock (`schedule`); the intervals inside it are the capture's own.
 */
async function recordLine(names: readonly ScenarioName[], ports: ScenarioPorts): Promise<string> {
  let log = '';
  for (const name of names) {
    process.stderr.write(`running ${name}…\n`);
    const startsAt = Date.parse(schedule[name] ?? '');
    if (Number.isNaN(startsAt)) throw new Error(`examples/snapshot-scenarios.ts: no start time for ${name} in schedule`);
    const run = await runScenario(name, { ports });
    try {
      const { messages } = await analyze([run.pcap], { keepMessages: 'all' });
      const device = `:${ports.caller}`;
      const mine = [...messages.values()]
        .sort((a, b) => a.index - b.index)
        .filter((r) => r.meta.src?.endsWith(device) === true || r.meta.dst?.endsWith(device) === true);
      const first = mine[0]?.meta.time ?? 0;
      for (const r of mine) log += traceLines(r, r.meta.src?.endsWith(device) === true ? 'src' : 'dst', startsAt + ((r.meta.time ?? first) - first));
    } finally {
      await run.stop();
    }
  }
  return log;
}

const fixed = new Date(Date.UTC(2026, 0, 1));
const file = (text: string): [Uint8Array, { mtime: Date }] => [encoder.encode(text), { mtime: fixed }];

// The second line's log is the older one (kept in tmp/ when the device rotated it), so it is recorded first.
// One registrar for both lines; each line has its own local port, as a device's SIP lines do.
const leased = [await findFreePort(false), await findFreePort(false), await findFreePort(false), await findFreePort(false), await findFreePort(false)] as const;
const ports: ScenarioPorts = { proxy: leased[0], caller: leased[1], callee: leased[2], dead: leased[3] };
let secondLog: string;
let mainLog: string;
try {
  secondLog = await recordLine(secondLine, { ...ports, caller: leased[4] });
  mainLog = await recordLine(mainLine, ports);
} finally {
  for (const port of leased) await releasePort(port);
}
// The system log starts a few seconds before the SIP stack's first line, as a boot does.
const firstTime = stamp(Date.parse(schedule[mainLine[0] ?? 'register-ok'] ?? '') - 4_210);
const bootTime = stamp(Date.parse(schedule[mainLine[0] ?? 'register-ok'] ?? '') - 6_870);

const nested = zipSync({ 'var/log/sip': file(secondLog), 'etc/version': file('line: sitara1\n') }, { level: 9 });
const snapshot = zipSync(
  {
    'var/log/sip': file(mainLog),
    'var/log/messages': file(
      `${bootTime} kernel: eth0: link up, 100 Mbps, full duplex\n${bootTime} ntpd[412]: time synchronised with 192.0.2.123\n${firstTime} sipd[733]: starting SIP stack (pjsip 2.14)\n`,
    ),
    'etc/version': file('product: example intercom panel (siplens example snapshot)\nfirmware: 0.0.0-example\nsip-stack: pjsip 2.14\n'),
    'etc/sip/accounts.conf': file(`[account 1]\nuser = alice\nregistrar = sip:127.0.0.1:${ports.proxy}\nexpires = 60\npassword = ********\n\n[account 2]\nline = sitara1\nuser = dave\nregistrar = sip:127.0.0.1:${ports.proxy}\n`),
    'proc/uptime': file('86400.12 170000.55\n'),
    'tmp/sitara1.zip': [nested, { mtime: fixed, level: 0 }],
  },
  { level: 9 },
);
await writeFile(out, snapshot);
process.stderr.write(`wrote ${out} (${snapshot.length} bytes)\n`);
