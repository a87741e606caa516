import { createSocket } from 'node:dgram';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { PcapPacket, Redactor } from '../../index.js';
import {
  buildReport,
  encodeHep3,
  encodePcap,
  encodePcapHeader,
  encodePcapRecords,
  matchFilters,
  PacketPlanner,
  planPackets,
  redactView,
  TcpState,
} from '../../index.js';
import type { CliIo } from '../io.js';
import { ExitCode } from '../io.js';
import { learnRedaction, loadAnalysis, readFilters, readRedact, streamRecords } from './analyze.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

interface ExportOptions {
  readonly pcap?: string;
  readonly hep?: string;
  readonly filter?: string[];
  readonly redact?: string | boolean;
}

/** Adds `siplens export`. */
export function registerExport(program: Command, io: CliIo, exit: { code: number }): void {
  program
    .command('export')
    .description('write chosen messages, from captures or text logs, as a pcap that Wireshark and sngrep open')
    .argument('<inputs...>', 'captures, logs, snapshots, folders, or -')
    .option('--pcap <file>', 'the pcap file to write')
    .option('--hep <host:port>', 'also send the messages as HEP3 over UDP to a collector (Homer)')
    .option('--filter <key=value>', 'only matching messages: call=, user=, code=, method=, since=, until= (repeatable)', collect)
    .option('--redact [level]', 'hide secrets in the written messages; --redact=all also users, numbers and addresses')
    .addHelpText(
      'after',
      `
Addresses a log does not name are made up from documentation ranges (this device 192.0.2.1, peers 198.51.100.x).

Examples:
  siplens export phone.log --pcap phone.pcap
  siplens export snapshot.zip --filter call=abc@host --pcap call.pcap
  siplens export phone.log --hep 127.0.0.1:9060`,
    )
    .action(async (inputs: string[], opts: ExportOptions) => {
      const filters = readFilters(opts.filter ?? [], io);
      const redact = readRedact(opts.redact, io);
      const hep = opts.hep === undefined ? undefined : parseHostPort(opts.hep);
      if (opts.pcap === undefined && opts.hep === undefined) io.stderr('siplens: export needs --pcap FILE or --hep HOST:PORT\n');
      if (opts.hep !== undefined && hep === undefined) io.stderr(`siplens: --hep expects host:port ([v6]:port for IPv6), found "${opts.hep}"\n`);
      if (filters === undefined || redact === undefined || (opts.pcap === undefined && hep === undefined) || (opts.hep !== undefined && hep === undefined)) {
        exit.code = ExitCode.usage;
        return;
      }
      // Redaction learns every secret and identity from the whole input first, so that a nonce or a user seen in
      // one message is hidden in all of them: files are read twice (learn, then write one message at a time);
      // standard input is read once, so that path holds the messages.
      if (redact === 'none' || !inputs.includes('-')) {
        const redactor = redact === 'none' ? undefined : await learnRedaction(inputs, io, redact);
        exit.code = await exportStreaming(inputs, opts, filters, hep, io, redactor);
        return;
      }
      const loaded = await loadAnalysis(inputs, io);
      const report = buildReport(loaded.result, loaded.messages, { redact, filters });
      const chosen = report.messages.filter((m) => matchFilters(m, filters));
      // Redacted messages are written from their redacted text.
      const plan = planPackets(chosen);
      const notes: string[] = [];
      if (plan.synthesizedAddresses > 0) notes.push(`${plan.synthesizedAddresses} with made-up addresses`);
      if (plan.synthesizedTimes > 0) notes.push(`${plan.synthesizedTimes} with made-up times`);
      const n = plan.packets.length;
      const counted = `${n} message${n === 1 ? '' : 's'}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
      if (opts.pcap !== undefined) {
        const file = await open(resolve(io.cwd, opts.pcap), 'w');
        try {
          for (const chunk of encodePcap(plan.packets)) await file.write(chunk);
        } finally {
          await file.close();
        }
        io.stderr(`wrote ${counted} to ${opts.pcap}\n`);
      }
      if (hep !== undefined) {
        const sent = await sendHep(plan.packets, hep);
        io.stderr(`sent ${sent} of ${n} messages as HEP3 to ${opts.hep ?? ''}${sent < n ? ` (${n - sent} too large for one HEP packet)` : ''}\n`);
      }
      exit.code = loaded.inputExit !== ExitCode.ok ? loaded.inputExit : chosen.length === 0 ? ExitCode.noMatch : ExitCode.ok;
    });
}

/** Bytes gathered before each write of the pcap file. */
const WRITE_BYTES = 1 << 20;

/**
 * Export one message at a time, so memory stays flat however large the input: each written byte for byte as read,
 * or with `redactor` from its redacted text. Filters apply to each message as read. Returns the exit code.
 */
async function exportStreaming(
  inputs: readonly string[],
  opts: ExportOptions,
  filters: Parameters<typeof matchFilters>[1],
  hep: { host: string; port: number } | undefined,
  io: CliIo,
  redactor?: Redactor,
): Promise<number> {
  const planner = new PacketPlanner();
  const tcp = new TcpState();
  const ipId = { value: 1 };
  const file = opts.pcap === undefined ? undefined : await open(resolve(io.cwd, opts.pcap), 'w');
  const socket = hep === undefined ? undefined : createSocket(hep.host.includes(':') ? 'udp6' : 'udp4');
  let pending: Uint8Array[] = [encodePcapHeader()];
  let pendingBytes = 0;
  let written = 0;
  let sent = 0;
  const flush = async (): Promise<void> => {
    if (file !== undefined && pending.length > 0) await file.write(Buffer.concat(pending));
    pending = [];
    pendingBytes = 0;
  };
  const stream = streamRecords(inputs, io, filters);
  let unreadable = false;
  try {
    for await (const { record, view } of stream.matching) {
      // Redacted messages are written from their redacted text.
      const packet = redactor === undefined ? planner.plan(view, record.message.raw) : planner.plan(redactView(view, redactor));
      written++;
      if (file !== undefined) {
        for (const chunk of encodePcapRecords(packet, tcp, ipId)) {
          pending.push(chunk);
          pendingBytes += chunk.length;
        }
        if (pendingBytes >= WRITE_BYTES) await flush();
      }
      if (socket !== undefined && hep !== undefined) {
        const datagram = encodeHep3(packet);
        if (datagram !== undefined) {
          await new Promise<void>((done, reject) => socket.send(datagram, hep.port, hep.host, (error) => (error ? reject(error) : done())));
          sent++;
        }
      }
    }
    await flush();
  } finally {
    unreadable = stream.finish().unreadable;
    await file?.close();
    socket?.close();
  }
  const notes: string[] = [];
  if (planner.synthesizedAddresses > 0) notes.push(`${planner.synthesizedAddresses} with made-up addresses`);
  if (planner.synthesizedTimes > 0) notes.push(`${planner.synthesizedTimes} with made-up times`);
  const counted = `${written} message${written === 1 ? '' : 's'}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
  if (opts.pcap !== undefined) io.stderr(`wrote ${counted} to ${opts.pcap}\n`);
  if (hep !== undefined) io.stderr(`sent ${sent} of ${written} messages as HEP3 to ${opts.hep ?? ''}${sent < written ? ` (${written - sent} too large for one HEP packet)` : ''}\n`);
  return unreadable ? ExitCode.inputError : stream.read() === 0 || written === 0 ? ExitCode.noMatch : ExitCode.ok;
}

/** `host:port`, `[v6]:port`. */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') return undefined;
    host = text.slice(1, close);
    portText = text.slice(close + 2);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon <= 0 || text.indexOf(':') !== colon) return undefined;
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
  }
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65_535 || host.length === 0) return undefined;
  return { host, port };
}

/** Sends each packet as one HEP3 datagram, in order; returns how many were sent. */
async function sendHep(packets: readonly PcapPacket[], to: { host: string; port: number }): Promise<number> {
  const socket = createSocket(to.host.includes(':') ? 'udp6' : 'udp4');
  let sent = 0;
  try {
    for (const p of packets) {
      const datagram = encodeHep3(p);
      if (datagram === undefined) continue;
      await new Promise<void>((resolveSend, reject) => socket.send(datagram, to.port, to.host, (error) => (error ? reject(error) : resolveSend())));
      sent++;
    }
  } finally {
    socket.close();
  }
  return sent;
}
