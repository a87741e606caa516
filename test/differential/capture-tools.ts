// Helpers for tests that read captures: run tshark for its view of the SIP in a file, record sipp calls on
// loopback with tshark, and read a capture with siplens.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { promisify } from 'node:util';
import { frameCapture } from '../../src/framing/frame-capture.js';
import type { InputReport } from '../../src/model/input-report.js';
import type { RawMessage } from '../../src/model/raw-message.js';
import { parseMessage } from '../../src/parse/index.js';
import { tsharkSipPorts } from '../helpers/tools.js';

const run = promisify(execFile);

/** What both sides read from one frame: lists, because a TCP segment may hold several messages. */
export interface FrameView {
  readonly frame: number;
  /** Seconds since the epoch, as text from tshark or made from siplens' ms. */
  readonly time: number;
  readonly callIds: string[];
  readonly cseqs: string[];
  readonly methods: string[];
  readonly statuses: string[];
}

const SEP = '\u001f';
const AGG = '\u001e';

function split(field: string | undefined): string[] {
  if (field === undefined || field === '') return [];
  return field.split(AGG).map((v) => v.replace(/\s+/g, ' ').trim());
}

/**
 * tshark's SIP frames: `tshark -r F -Y sip -T fields` with frame number, time, Call-ID, CSeq, method, status.
 * `decodeAs`: tshark arguments such as tsharkSipPorts gives, for a capture on ports tshark gives other protocols.
 */
export async function readWithTshark(path: string, decodeAs: readonly string[] = []): Promise<FrameView[]> {
  const { stdout } = await run(
    'tshark',
    [
      '-r', path, ...decodeAs, '-Y', 'sip', '-T', 'fields',
      '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'sip.Call-ID', '-e', 'sip.CSeq', '-e', 'sip.Method', '-e', 'sip.Status-Code',
      '-E', `separator=${SEP}`, '-E', `aggregator=${AGG}`, '-E', 'occurrence=a',
    ],
    { maxBuffer: 256 << 20, timeout: 120_000 },
  );
  const frames: FrameView[] = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const [frame, time, callId, cseq, method, status] = line.split(SEP);
    frames.push({
      frame: Number(frame),
      time: Number(time),
      callIds: split(callId),
      cseqs: split(cseq),
      methods: split(method),
      statuses: split(status),
    });
  }
  return frames;
}

/** Reads a capture with siplens: the messages and the report. */
export async function readWithSiplens(path: string): Promise<{ messages: RawMessage[]; report: InputReport }> {
  const report: InputReport = { path, kind: 'capture', format: null, messages: 0, skipped: 0, issues: [] };
  const messages: RawMessage[] = [];
  for await (const m of frameCapture(createReadStream(path, { highWaterMark: 4096 }), { path }, report)) messages.push(m);
  return { messages, report };
}

/** siplens' messages grouped per frame, in the same shape as tshark's view. */
export function framesOf(messages: readonly RawMessage[]): FrameView[] {
  const byFrame = new Map<number, FrameView>();
  for (const m of messages) {
    const frame = m.meta.origin.packet ?? 0;
    let v = byFrame.get(frame);
    if (v === undefined) {
      v = { frame, time: (m.meta.time ?? 0) / 1000, callIds: [], cseqs: [], methods: [], statuses: [] };
      byFrame.set(frame, v);
    }
    const msg = parseMessage(m.bytes);
    const callId = msg.header('Call-ID');
    const cseq = msg.header('CSeq');
    if (callId !== undefined) v.callIds.push(callId.trim());
    if (cseq !== undefined) v.cseqs.push(cseq.replace(/\s+/g, ' ').trim());
    if (msg.kind === 'request' && msg.method !== undefined) v.methods.push(msg.method);
    if (msg.kind === 'response' && msg.status !== undefined) v.statuses.push(String(msg.status));
  }
  return [...byFrame.values()].sort((a, b) => a.frame - b.frame);
}

/** A port free on loopback for both UDP and TCP (bind port 0, then check the other protocol). */
export async function freePort(host: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, host, () => {
        const address = s.address();
        const p = typeof address === 'object' && address !== null ? address.port : 0;
        s.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const u = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      u.once('error', () => resolve(false));
      u.bind(port, host, () => u.close(() => resolve(true)));
    });
    // sipp's client binds port+1.
    const nextFree = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port + 1, host, () => s.close(() => resolve(true)));
    });
    if (udpFree && nextFree && port < 65000) return port;
  }
  throw new Error('no free port pair found on loopback');
}

function waitForText(child: ChildProcess, text: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for "${text}"; got: ${seen}`)), timeoutMs);
    const onData = (d: Buffer): void => {
      seen += d.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
  });
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Every program a test starts runs under `timeout`, so none outlives a crashed test run. */
export const WATCHDOG = ['-k', '5', '120'];

/** Where kamailio's modules are (SIPLENS_KAMAILIO_MODULES overrides). */
export const KAMAILIO_MPATH = `${process.env['SIPLENS_KAMAILIO_MODULES'] ?? '/usr/lib/x86_64-linux-gnu/kamailio/modules'}/:/usr/lib/kamailio/modules/`;

/** A kamailio config that forwards every request statelessly to `to` (RFC 3261 §16.11), replies back by Via. */
function kamailioForwarder(host: string, port: number, to: number, transport: 'u1' | 't1'): string {
  const h = host.includes(':') ? `[${host}]` : host;
  const proto = transport === 'u1' ? 'udp' : 'tcp';
  return [
    '#!KAMAILIO',
    'debug=1',
    'log_stderror=yes',
    'children=1',
    'tcp_children=1',
    `listen=${proto}:${h}:${port}`,
    `mpath="${KAMAILIO_MPATH}"`,
    'loadmodule "pv.so"',
    'request_route {',
    `  $du = "sip:${h}:${to};transport=${proto}";`,
    '  forward();',
    '}',
  ].join('\n');
}

/**
 * Records `calls` sipp calls (built-in uac against built-in uas, through a kamailio forwarder when `viaKamailio`) on
 * loopback with tshark into `file` (pcapng unless `format` is `pcap`). `transport`: u1 (UDP) or t1 (TCP).
 */
export async function recordSippCalls(
  file: string,
  host: '127.0.0.1' | '::1',
  transport: 'u1' | 't1',
  calls: number,
  format: 'pcapng' | 'pcap' = 'pcapng',
  viaKamailio = false,
): Promise<{ readonly decodeAs: readonly string[] }> {
  const port = await freePort(host);
  // The ports are free ones, and tshark takes some of them for other protocols (a registered port wins over its SIP
  // heuristics on TCP): whoever reads the capture with tshark is told they carry SIP.
  const proto = transport === 't1' ? 'tcp' : 'udp';
  const proxyPort = viaKamailio ? await freePort(host) : port;
  const children: ChildProcess[] = [];
  const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const runDir = viaKamailio ? await mkdtemp(join(tmpdir(), 'siplens-kamailio-')) : '';
  try {
    const filter = `port ${port} or port ${port + 1} or port ${proxyPort}`;
    const tshark = spawn('timeout', [...WATCHDOG, 'tshark', '-i', 'lo', '-f', filter, '-F', format, '-w', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(tshark);
    await waitForText(tshark, 'Capturing on', 20_000);
    // tshark says so just before the capture starts; give libpcap a moment.
    await new Promise((r) => setTimeout(r, 500));
    const uas = spawn('timeout', [...WATCHDOG, 'sipp', '-sn', 'uas', '-i', host, '-p', String(port), '-t', transport, '-nostdin'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(uas);
    if (viaKamailio) {
      await writeFile(join(runDir, 'k.cfg'), kamailioForwarder(host, proxyPort, port, transport));
      const kam = spawn('timeout', [...WATCHDOG, 'kamailio', '-f', join(runDir, 'k.cfg'), '-DD', '-E', '-Y', runDir, '-P', join(runDir, 'k.pid')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(kam);
      await waitForText(kam, 'Listening on', 20_000);
    }
    await new Promise((r) => setTimeout(r, 500));
    const target = host.includes(':') ? `[${host}]:${proxyPort}` : `${host}:${proxyPort}`;
    const uac = spawn(
      'timeout',
      [...WATCHDOG, 'sipp', '-sn', 'uac', target, '-i', host, '-p', String(port + 1), '-t', transport, '-m', String(calls), '-r', '20', '-nostdin', '-timeout', '20s'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(uac);
    await waitExit(uac, 30_000);
    await new Promise((r) => setTimeout(r, 300));
    uas.kill('SIGTERM');
    await waitExit(uas, 5_000);
    await new Promise((r) => setTimeout(r, 500));
    tshark.kill('SIGINT');
    await waitExit(tshark, 10_000);
    return { decodeAs: tsharkSipPorts(proto, [port, port + 1, proxyPort]) };
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    if (runDir !== '') await rm(runDir, { recursive: true, force: true });
  }
}

// ---- Building frames for text2pcap --------------------------------------------------------------------------------
// Headers are laid out byte by byte after the RFCs; text2pcap (Wireshark's own tool) writes the capture file, and the
// tests that use them also check that tshark reads the same SIP, so a wrong header shows up on both sides.

export function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function be16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

function be32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

function ipv4Bytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

function ipv6Bytes(ip: string): number[] {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head === '' || head === undefined ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const words = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t].map((w) => parseInt(w, 16));
  return words.flatMap((w) => be16(w));
}

function checksum(b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** RFC 791 header (checksum filled in) followed by `payload`. */
export function ipv4(
  proto: number,
  src: string,
  dst: string,
  payload: Uint8Array,
  frag: { id?: number; offset?: number; more?: boolean; totalLength?: number } = {},
): Uint8Array {
  const flags = (frag.more === true ? 0x2000 : 0) | ((frag.offset ?? 0) >> 3);
  const h = new Uint8Array([
    0x45, 0, ...be16(frag.totalLength ?? 20 + payload.length), ...be16(frag.id ?? 1), ...be16(flags), 64, proto, 0, 0,
    ...ipv4Bytes(src), ...ipv4Bytes(dst),
  ]);
  const c = checksum(h);
  h[10] = c >> 8;
  h[11] = c & 0xff;
  return concatBytes(h, payload);
}

/** RFC 8200 header followed by `payload` (extension headers, if any, are part of the payload). */
export function ipv6(next: number, src: string, dst: string, payload: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array([0x60, 0, 0, 0, ...be16(payload.length), next, 64, ...ipv6Bytes(src), ...ipv6Bytes(dst)]), payload);
}

/** RFC 768 header (checksum 0: none) followed by `payload`. */
export function udp(sport: number, dport: number, payload: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array([...be16(sport), ...be16(dport), ...be16(8 + payload.length), 0, 0]), payload);
}

/** RFC 9293 header (20 bytes, window 65535, checksum 0) followed by `payload`. Flags: ACK|PSH unless given. */
export function tcp(sport: number, dport: number, seq: number, payload: Uint8Array, flags = 0x18): Uint8Array {
  return concatBytes(
    new Uint8Array([...be16(sport), ...be16(dport), ...be32(seq), 0, 0, 0, 1, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0]),
    payload,
  );
}

/** Ethernet II with any VLAN tags before the EtherType: `tags` as [tpid, vlan id] pairs. */
export function ethernet(type: number, payload: Uint8Array, tags: readonly (readonly [number, number])[] = []): Uint8Array {
  const head = [0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0x66, 0x77, 0x88, 0x99, 0xaa];
  for (const [tpid, vid] of tags) head.push(...be16(tpid), ...be16(vid));
  head.push(...be16(type));
  return concatBytes(new Uint8Array(head), payload);
}

/** Writes frames with text2pcap (`-l linktype`, pcapng unless `format` says pcap), one second apart. */
export async function writeWithText2pcap(
  file: string,
  frames: readonly Uint8Array[],
  linkType: number,
  format: 'pcap' | 'pcapng' = 'pcapng',
): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  let text = '';
  frames.forEach((f, n) => {
    text += `2024-01-02 03:04:${String(5 + n).padStart(2, '0')}.250000\n`;
    for (let o = 0; o < f.length; o += 16) {
      const row = Array.from(f.subarray(o, o + 16), (b) => b.toString(16).padStart(2, '0')).join(' ');
      text += `${o.toString(16).padStart(6, '0')} ${row}\n`;
    }
    text += '\n';
  });
  await writeFile(`${file}.txt`, text);
  await run('text2pcap', ['-q', '-t', '%Y-%m-%d %H:%M:%S.', '-l', String(linkType), '-F', format, `${file}.txt`, file], { timeout: 30_000 });
}
