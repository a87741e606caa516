import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { buildReport, exportPcap, matchFilters } from '../../index.js';
import type { CliIo } from '../io.js';
import { ExitCode } from '../io.js';
import { loadAnalysis, readFilters, readRedact } from './analyze.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

interface ExportOptions {
  readonly pcap?: string;
  readonly filter: string[];
  readonly redact?: string | boolean;
}

/** Adds `siplens export`. */
export function registerExport(program: Command, io: CliIo, exit: { code: number }): void {
  program
    .command('export')
    .description('write chosen messages, from captures or text logs, as a pcap that Wireshark and sngrep open')
    .argument('<inputs...>', 'captures, logs, snapshots, folders, or -')
    .requiredOption('--pcap <file>', 'the pcap file to write')
    .option('--filter <key=value>', 'only matching messages: call=, user=, code=, method=, since=, until= (repeatable)', collect, [])
    .option('--redact [level]', 'hide secrets in the written messages; --redact=all also users, numbers and addresses')
    .addHelpText(
      'after',
      `
Addresses a log does not name are made up from documentation ranges (this device 192.0.2.1, peers 198.51.100.x).

Examples:
  siplens export phone.log --pcap phone.pcap
  siplens export snapshot.zip --filter call=abc@host --pcap call.pcap`,
    )
    .action(async (inputs: string[], opts: ExportOptions) => {
      const filters = readFilters(opts.filter, io);
      const redact = readRedact(opts.redact, io);
      if (filters === undefined || redact === undefined || opts.pcap === undefined) {
        exit.code = ExitCode.usage;
        return;
      }
      const loaded = await loadAnalysis(inputs, io);
      const report = buildReport(loaded.result, loaded.messages, { redact, filters });
      const chosen = report.messages.filter((m) => matchFilters(m, filters));
      // Unredacted messages are written byte for byte; redacted ones from their redacted text.
      const raw = redact === 'none' ? new Map([...loaded.messages].map(([i, r]) => [i, r.message.raw])) : undefined;
      const pcap = exportPcap(chosen, raw === undefined ? {} : { raw });
      const file = await open(resolve(io.cwd, opts.pcap), 'w');
      try {
        for (const chunk of pcap.chunks) await file.write(chunk);
      } finally {
        await file.close();
      }
      const notes: string[] = [];
      if (pcap.synthesizedAddresses > 0) notes.push(`${pcap.synthesizedAddresses} with made-up addresses`);
      if (pcap.synthesizedTimes > 0) notes.push(`${pcap.synthesizedTimes} with made-up times`);
      io.stderr(`wrote ${pcap.messages} message${pcap.messages === 1 ? '' : 's'} to ${opts.pcap}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}\n`);
      exit.code = loaded.inputExit !== ExitCode.ok ? loaded.inputExit : chosen.length === 0 ? ExitCode.noMatch : ExitCode.ok;
    });
}
