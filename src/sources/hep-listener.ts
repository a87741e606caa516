import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { InputReport, Issue, RawMessage } from '../model/index.js';
import { decodeHep, hepPacketLength } from './hep.js';

export interface HepListenerOptions {
  /** Port for UDP and TCP; 0 picks a free one (see `HepListener.ports`). */
  readonly port: number;
  /** Address to bind. Default 127.0.0.1: a HEP feed carries credentials in clear, so it stays local unless asked. */
  readonly host?: string;
  readonly udp?: boolean;
  readonly tcp?: boolean;
  /** Stops listening and ends `messages`. */
  readonly signal?: AbortSignal;
  /** Messages held while the reader is busy; past it the oldest are dropped and counted. Default 100000. */
  readonly maxQueue?: number;
  /** Issues kept in the report (bad packets); past it they are only counted. Default 100. */
  readonly maxIssues?: number;
  /** Bytes a TCP connection may hold while a HEP packet is incomplete (a HEP3 packet is at most 65535). */
  readonly maxTcpBuffer?: number;
  /**
   * The UDP socket's receive buffer (SO_RCVBUF). Default 4 MiB: at 5,000 packets a second the system default (about
   * 208 KiB) holds 40 ms of traffic, and any pause of the reader longer than that loses datagrams in the kernel. The
   * system may cap it (Linux: net.core.rmem_max).
   */
  readonly recvBufferSize?: number;
}

export interface HepListenerStats {
  /** HEP packets received (good and bad). */
  packets: number;
  /** Packets that were not valid HEP. */
  bad: number;
  /** Valid HEP whose payload is not SIP (RTCP, logs, …). */
  notSip: number;
  /** Messages dropped because the reader fell behind by more than maxQueue. */
  dropped: number;
}

export interface HepListener {
  /** Every SIP message received, in arrival order, until the signal aborts or `close()` is called. */
  readonly messages: AsyncIterable<RawMessage>;
  /** Counts as an input report: messages, skipped (bad and non-SIP packets), issues. */
  readonly report: InputReport;
  readonly stats: HepListenerStats;
  /** The ports actually bound. */
  readonly ports: { readonly udp?: number; readonly tcp?: number };
  /** The UDP receive buffer the system granted, in bytes (Linux reports twice what it keeps for data). */
  readonly udpRecvBufferSize: number | undefined;
  close(): Promise<void>;
}

const HEP3 = [0x48, 0x45, 0x50, 0x33];

/** Offset of the next `HEP3` in `b` at or after `from`, or -1. */
function findHep3(b: Uint8Array, from: number): number {
  for (let i = from; i + 4 <= b.length; i++) {
    if (b[i] === HEP3[0] && b[i + 1] === HEP3[1] && b[i + 2] === HEP3[2] && b[i + 3] === HEP3[3]) return i;
  }
  return -1;
}

/**
 * Listens for HEP (Homer Encapsulation Protocol) on UDP and TCP and yields the SIP messages it carries. UDP: one
 * packet per datagram (v1, v2, v3). TCP: a stream of HEP3 packets, each sized by its own length field; bytes that
 * are not HEP3 are counted and skipped up to the next `HEP3`. Bad packets never stop the listener.
 */
export async function listenHep(options: HepListenerOptions): Promise<HepListener> {
  const host = options.host ?? '127.0.0.1';
  const useUdp = options.udp ?? true;
  const useTcp = options.tcp ?? true;
  const maxQueue = options.maxQueue ?? 100_000;
  const maxIssues = options.maxIssues ?? 100;
  const maxTcpBuffer = options.maxTcpBuffer ?? 1 << 20;
  // The report is made once the ports are bound, so that its path names the real one (port 0 picks a free one).
  let path = `hep://${host.includes(':') ? `[${host}]` : host}:${options.port}`;
  let report: InputReport = { path, kind: 'hep', format: 'hep', messages: 0, skipped: 0, issues: [] };
  const stats: HepListenerStats = { packets: 0, bad: 0, notSip: 0, dropped: 0 };

  const queue: RawMessage[] = [];
  let head = 0;
  let wake: (() => void) | undefined;
  let closed = false;
  let issuesCut = 0;

  function addIssue(issue: Issue): void {
    if (report.issues.length < maxIssues) report.issues.push(issue);
    else issuesCut++;
  }

  function accept(packet: Uint8Array, via: string): void {
    stats.packets++;
    const n = stats.packets;
    const result = decodeHep(packet);
    if (!result.ok) {
      stats.bad++;
      report.skipped++;
      addIssue({ ...result.issue, message: `HEP packet ${n} from ${via}: ${result.issue.message}`, origin: { path, packet: n, offset: 0 } });
      return;
    }
    if (result.payloadType !== undefined && result.payloadType !== 1) {
      stats.notSip++;
      report.skipped++;
      return;
    }
    const transport = result.transport;
    queue.push({
      bytes: result.payload,
      meta: {
        time: result.time,
        ...(result.src === undefined ? {} : { src: result.src }),
        ...(result.dst === undefined ? {} : { dst: result.dst }),
        ...(transport === undefined ? {} : { transport }),
        origin: { path, packet: n, offset: 0 },
        format: 'hep',
      },
      issues: [],
    });
    report.messages++;
    if (queue.length - head > maxQueue) {
      head++;
      stats.dropped++;
      if (stats.dropped === 1) {
        addIssue({ code: 'hep-queue-full', severity: 'error', message: `${path}: messages arrive faster than they are read; more than ${maxQueue} waiting (maxQueue), the oldest are dropped and counted.`, origin: { path, offset: 0 } });
      }
    }
    wake?.();
  }

  let udp: UdpSocket | undefined;
  let tcp: Server | undefined;
  const sockets = new Set<Socket>();
  const ports: { udp?: number; tcp?: number } = {};

  if (useTcp) {
    tcp = createServer((socket) => {
      sockets.add(socket);
      const via = `tcp ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
      let buffer = new Uint8Array(0);
      socket.on('data', (chunk: Buffer) => {
        const joined = new Uint8Array(buffer.length + chunk.length);
        joined.set(buffer, 0);
        joined.set(chunk, buffer.length);
        let at = 0;
        while (joined.length - at >= 6) {
          if (findHep3(joined.subarray(at, at + 4), 0) !== 0) {
            // Not at a packet start: skip to the next HEP3, counting what was passed over as one bad packet.
            const next = findHep3(joined, at + 1);
            stats.packets++;
            stats.bad++;
            report.skipped++;
            addIssue({ code: 'not-hep', severity: 'error', message: `${via}: expected "HEP3" at stream offset ${at}, found other bytes; skipped ${next < 0 ? joined.length - at - 3 : next - at} bytes to the next packet.`, origin: { path, offset: at } });
            at = next < 0 ? Math.max(at + 1, joined.length - 3) : next;
            continue;
          }
          const length = hepPacketLength(joined, at);
          if (length < 6) {
            accept(joined.subarray(at, at + 6), via); // reported as a bad length by decodeHep
            at += 6;
            continue;
          }
          if (joined.length - at < length) break;
          accept(joined.slice(at, at + length), via);
          at += length;
        }
        buffer = joined.slice(at);
        if (buffer.length > maxTcpBuffer) buffer = new Uint8Array(0);
      });
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      (tcp as Server).once('error', reject);
      (tcp as Server).listen(options.port, host, () => resolve());
    });
    ports.tcp = (tcp.address() as AddressInfo).port;
  }
  if (useUdp) {
    udp = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: options.recvBufferSize ?? 4 << 20 });
    udp.on('message', (msg, rinfo) => {
      accept(new Uint8Array(msg.buffer, msg.byteOffset, msg.length), `udp ${rinfo.address}:${rinfo.port}`);
    });
    udp.on('error', () => undefined);
    // With port 0 and TCP bound, take TCP's port so one number serves both.
    const port = options.port === 0 && ports.tcp !== undefined ? ports.tcp : options.port;
    await new Promise<void>((resolve, reject) => {
      (udp as UdpSocket).once('error', reject);
      (udp as UdpSocket).bind(port, host, () => resolve());
    }).catch(async (error: unknown) => {
      if (options.port !== 0) throw error;
      await new Promise<void>((resolve) => (udp as UdpSocket).bind(0, host, () => resolve()));
    });
    ports.udp = udp.address().port;
  }

  const bound = ports.udp ?? ports.tcp ?? options.port;
  path = `hep://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  report = { ...report, path };

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    for (const socket of sockets) socket.destroy();
    await Promise.all([
      udp === undefined ? undefined : new Promise<void>((resolve) => (udp as UdpSocket).close(() => resolve())),
      tcp === undefined ? undefined : new Promise<void>((resolve) => (tcp as Server).close(() => resolve())),
    ]);
    if (issuesCut > 0) {
      report.issues.push({ code: 'too-many-issues', severity: 'info', message: `${path}: ${issuesCut} more bad packets were counted but not listed (maxIssues ${maxIssues}).`, origin: { path, offset: 0 } });
    }
    wake?.();
  }
  options.signal?.addEventListener('abort', () => void close(), { once: true });
  if (options.signal?.aborted === true) await close();

  async function* messages(): AsyncGenerator<RawMessage> {
    try {
      for (;;) {
        while (head < queue.length) {
          const message = queue[head] as RawMessage;
          head++;
          if (head > 1024 && head * 2 > queue.length) {
            queue.splice(0, head);
            head = 0;
          }
          yield message;
        }
        if (closed) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      await close();
    }
  }

  const granted = udp === undefined ? undefined : (udp as UdpSocket).getRecvBufferSize();
  return { messages: messages(), report, stats, ports, udpRecvBufferSize: granted, close };
}
