import type { MessageView } from './message-view.js';
import type { Endpoint, PcapPacket } from './pcap-writer.js';
import { encodePcap, parseEndpoint } from './pcap-writer.js';

export interface PcapExportOptions {
  /** Exact bytes per message index, used instead of the view's text (which may be redacted or re-decoded). */
  readonly raw?: ReadonlyMap<number, Uint8Array>;
}

export interface PcapExport {
  readonly chunks: readonly Uint8Array[];
  readonly messages: number;
  /** Messages whose source or destination address had to be made up (logs that do not name both sides). */
  readonly synthesizedAddresses: number;
  /** Messages without any clock, given times 1 ms apart. */
  readonly synthesizedTimes: number;
}

/** Decrypted TLS and WebSocket text written on their usual ports would be decoded as TLS or HTTP; SIP's port reads. */
const ENCRYPTED_PORTS = new Set([5061, 443, 80, 8080, 8088, 8089, 10443]);

/**
 * Turns messages into a pcap. Addresses the data lacks are taken from documentation ranges (RFC 5737, RFC 3849):
 * the device that wrote the log is 192.0.2.1 (2001:db8::1), each peer without an address 198.51.100.N.
 */
export function exportPcap(messages: readonly MessageView[], options: PcapExportOptions = {}): PcapExport {
  const plan = planPackets(messages, options);
  return { chunks: encodePcap(plan.packets), messages: plan.packets.length, synthesizedAddresses: plan.synthesizedAddresses, synthesizedTimes: plan.synthesizedTimes };
}

export interface PacketPlan {
  readonly packets: readonly PcapPacket[];
  readonly synthesizedAddresses: number;
  readonly synthesizedTimes: number;
}

/**
 * Plans packets one message at a time (addresses and times made up where missing, the same way for every message of
 * a run), so that an export can stream: `export` without redaction never holds the messages.
 */
export class PacketPlanner {
  readonly #encoder = new TextEncoder();
  readonly #made = new Map<string, Endpoint>();
  #lastMs = 0;
  synthesizedAddresses = 0;
  synthesizedTimes = 0;

  /** The packet of one message; `raw`: its exact bytes, used instead of the view's text. */
  plan(m: MessageView, raw?: Uint8Array): PcapPacket {
    let src = parseEndpoint(m.src, 5060);
    let dst = parseEndpoint(m.dst, 5060);
    if (src === undefined || dst === undefined) this.synthesizedAddresses++;
    const v6 = (src ?? dst)?.ip.length === 16;
    const invent = (label: string): Endpoint => {
      const key = `${v6 ? 6 : 4}|${label}`;
      let e = this.#made.get(key);
      if (e === undefined) {
        const local = label === 'this device';
        const n = local ? 1 : 10 + this.#made.size;
        const ip = v6
          ? Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (n >> 8) & 0xff, n & 0xff])
          : Uint8Array.from(local ? [192, 0, 2, 1] : [198, 51, 100, n & 0xff]);
        e = { ip, port: 5060 };
        this.#made.set(key, e);
      }
      return e;
    };
    src ??= invent(m.src);
    dst ??= invent(m.dst);
    if (src.ip.length !== dst.ip.length) {
      // One side IPv6, the other a label made IPv4: give the label an address of the same family.
      if (src.ip.length === 4) src = { ip: Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(10).fill(0), 0, 1]), port: src.port };
      else dst = { ip: Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(10).fill(0), 0, 2]), port: dst.port };
    }
    const transport = m.transport === null || m.transport === 'UDP' ? 'UDP' : 'TCP';
    if (m.transport === 'TLS' || m.transport === 'WS' || m.transport === 'WSS') {
      if (ENCRYPTED_PORTS.has(src.port)) src = { ...src, port: 5060 };
      if (ENCRYPTED_PORTS.has(dst.port)) dst = { ...dst, port: 5060 };
    }
    let timeMs: number;
    if (m.time !== null) timeMs = m.time;
    else if (m.clock !== null) timeMs = m.clock * 1000;
    else {
      this.synthesizedTimes++;
      timeMs = this.#lastMs + 1;
    }
    this.#lastMs = timeMs;
    return { timeMs, src, dst, transport, payload: raw ?? this.#encoder.encode(m.text) };
  }
}

/** The packets a capture (or a HEP feed) of these messages holds: addresses and times, made up where missing. */
export function planPackets(messages: readonly MessageView[], options: PcapExportOptions = {}): PacketPlan {
  const planner = new PacketPlanner();
  const packets = messages.map((m) => planner.plan(m, options.raw?.get(m.index)));
  return { packets, synthesizedAddresses: planner.synthesizedAddresses, synthesizedTimes: planner.synthesizedTimes };
}
