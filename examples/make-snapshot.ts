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
import { runScenario } from '../test/harness/index.js';
import type { ScenarioName } from '../test/harness/index.js';
import { mainLine, secondLine } from './snapshot-scenarios.js';

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
function traceLines(r: MessageRecord, deviceSide: 'src' | 'dst'): string {
  const m = r.message;
  const time = stamp(r.meta.time ?? 0);
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

/** Runs scenarios one after another; returns the device's log (alice's phone: the harness's caller port). */
async function recordLine(names: readonly ScenarioName[]): Promise<string> {
  let log = '';
  for (const name of names) {
    process.stderr.write(`running ${name}…\n`);
    const run = await runScenario(name);
    try {
      const { messages } = await analyze([run.pcap], { keepMessages: 'all' });
      const device = `:${run.ports.caller}`;
      for (const r of [...messages.values()].sort((a, b) => a.index - b.index)) {
        if (r.meta.src?.endsWith(device) === true) log += traceLines(r, 'src');
        else if (r.meta.dst?.endsWith(device) === true) log += traceLines(r, 'dst');
      }
    } finally {
      await run.stop();
    }
  }
  return log;
}

const fixed = new Date(Date.UTC(2026, 0, 1));
const file = (text: string): [Uint8Array, { mtime: Date }] => [encoder.encode(text), { mtime: fixed }];

// The second line's log is the older one (kept in tmp/ when the device rotated it), so it is recorded first.
const secondLog = await recordLine(secondLine);
const mainLog = await recordLine(mainLine);
const firstTime = mainLog.slice(0, 23);

const nested = zipSync({ 'var/log/sip': file(secondLog), 'etc/version': file('line: sitara1\n') }, { level: 9 });
const snapshot = zipSync(
  {
    'var/log/sip': file(mainLog),
    'var/log/messages': file(
      `${firstTime} kernel: eth0: link up, 100 Mbps, full duplex\n${firstTime} ntpd[412]: time synchronised with 192.0.2.123\n${firstTime} sipd[733]: starting SIP stack (pjsip 2.14)\n`,
    ),
    'etc/version': file('product: example intercom panel (siplens example snapshot)\nfirmware: 0.0.0-example\nsip-stack: pjsip 2.14\n'),
    'etc/sip/accounts.conf': file('[account 1]\nuser = alice\nregistrar = sip:127.0.0.1\nexpires = 60\npassword = ********\n\n[account 2]\nline = sitara1\nuser = dave\n'),
    'proc/uptime': file('86400.12 170000.55\n'),
    'tmp/sitara1.zip': [nested, { mtime: fixed, level: 0 }],
  },
  { level: 9 },
);
await writeFile(out, snapshot);
process.stderr.write(`wrote ${out} (${snapshot.length} bytes)\n`);
