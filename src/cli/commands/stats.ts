import type { Command } from 'commander';
import { formatStatsText, redactStats, StatsCounter } from '../../index.js';
import type { CliIo } from '../io.js';
import { ExitCode } from '../io.js';
import { isUtf8, readFilters, readRedact, streamRecords } from './analyze.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** Adds `siplens stats`. */
export function registerStats(program: Command, io: CliIo, exit: { code: number }): void {
  program
    .command('stats')
    .description('count messages by method, response code and account, with response-time percentiles')
    .argument('<inputs...>', 'captures, logs, snapshots, folders, or -')
    .option('--json', 'print the figures as JSON')
    .option('--filter <key=value>', 'only matching messages: call=, user=, code=, method=, since=, until= (repeatable)', collect)
    .option('--ascii', 'plain tables')
    .option('--redact [level]', 'hide secrets; --redact=all also the users, numbers and addresses in account names')
    .addHelpText('after', '\nExamples:\n  siplens stats capture.pcap\n  siplens stats logs/ --filter method=REGISTER --json')
    .action(async (inputs: string[], opts: { json?: boolean; filter?: string[]; ascii?: boolean; redact?: string | boolean }) => {
      const filters = readFilters(opts.filter ?? [], io);
      const redact = readRedact(opts.redact, io);
      if (filters === undefined || redact === undefined) {
        exit.code = ExitCode.usage;
        return;
      }
      // One message at a time: stats need no analysis, and memory stays flat however large the input.
      const counter = new StatsCounter();
      // Stats count messages, not calls: each message that passes the filters, as read.
      const stream = streamRecords(inputs, io, filters);
      let unreadable = false;
      try {
        for await (const { view } of stream.matching) counter.add(view);
      } finally {
        unreadable = stream.finish().unreadable;
      }
      const counted = counter.result();
      // Secrets never reach the stats; --redact=all also hides the accounts (user@host).
      const stats = redact === 'all' ? redactStats(counted) : counted;
      if (opts.json === true) io.stdout(`${JSON.stringify(stats, null, 2)}\n`);
      else io.stdout(formatStatsText(stats, { boxed: opts.ascii !== true && io.stdoutIsTTY && isUtf8(io) }));
      exit.code = unreadable ? ExitCode.inputError : stream.read() === 0 || stats.messages === 0 ? ExitCode.noMatch : ExitCode.ok;
    });
}
