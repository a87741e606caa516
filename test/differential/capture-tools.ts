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

/** tshark's SIP frames: `tshark -r F -Y sip -T fields` with frame number, time, Call-ID, CSeq, method, status. */
export async function readWithTshark(path: string): Promise<FrameView[]> {
  const { stdout } = await run(
    'tshark',
    [
      '-r', path, '-Y', 'sip', '-T', 'fields',
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

/**
 * Records `calls` sipp calls (built-in uac against built-in uas) on loopback with tshark into `file`
 * (pcapng unless `format` is `pcap`). `transport`: u1 (UDP) or t1 (TCP, one connection).
 */
export async function recordSippCalls(
  file: string,
  host: '127.0.0.1' | '::1',
  transport: 'u1' | 't1',
  calls: number,
  format: 'pcapng' | 'pcap' = 'pcapng',
): Promise<void> {
  const port = await freePort(host);
  const children: ChildProcess[] = [];
  try {
    const tshark = spawn('tshark', ['-i', 'lo', '-f', `port ${port} or port ${port + 1}`, '-F', format, '-w', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(tshark);
    await waitForText(tshark, 'Capturing on', 20_000);
    // tshark says so just before the capture starts; give libpcap a moment.
    await new Promise((r) => setTimeout(r, 500));
    const uas = spawn('sipp', ['-sn', 'uas', '-i', host, '-p', String(port), '-t', transport, '-nostdin'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(uas);
    await new Promise((r) => setTimeout(r, 500));
    const target = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const uac = spawn(
      'sipp',
      ['-sn', 'uac', target, '-i', host, '-p', String(port + 1), '-t', transport, '-m', String(calls), '-r', '20', '-nostdin', '-timeout', '20s'],
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
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}
