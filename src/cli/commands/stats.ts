import type { Command } from 'commander';
import { formatStatsText, INPUT_UNREADABLE, matchFilters, pseudonymizeAccounts, readInputs, StatsCounter, viewMessage } from '../../index.js';
import type { CliIo } from '../io.js';
import { ExitCode } from '../io.js';
import { createProgress, isUtf8, readFilters, readRedact } from './analyze.js';

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
      const progress = createProgress(io, 'reading');
      const counter = new StatsCounter();
      let read = 0;
      const { records, reports } = readInputs(inputs, {
        cwd: io.cwd,
        onProgress: progress.update,
        ...(io.stdin !== undefined ? { stdin: io.stdin as AsyncIterable<Uint8Array | string> } : {}),
        ...(io.signal !== undefined ? { signal: io.signal } : {}),
      });
      try {
        for await (const record of records) {
          read++;
          // Filters see the messages as read (before any redaction), one by one: stats count messages, not calls.
          const view = viewMessage(record);
          if (matchFilters(view, filters)) counter.add(view);
        }
      } finally {
        progress.done();
      }
      for (const r of reports) for (const is of r.issues) if (is.code === INPUT_UNREADABLE) io.stderr(`siplens: ${is.message}\n`);
      const unreadable = reports.some((r) => r.issues.some((is) => is.code === INPUT_UNREADABLE));
      const counted = counter.result();
      // Secrets never reach the stats; --redact=all also hides the accounts (user@host).
      const stats = redact === 'all' ? pseudonymizeAccounts(counted) : counted;
      if (opts.json === true) io.stdout(`${JSON.stringify(stats, null, 2)}\n`);
      else io.stdout(formatStatsText(stats, { boxed: opts.ascii !== true && io.stdoutIsTTY && isUtf8(io) }));
      exit.code = unreadable ? ExitCode.inputError : read === 0 || stats.messages === 0 ? ExitCode.noMatch : ExitCode.ok;
    });
}
