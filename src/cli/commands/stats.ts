import type { Command } from 'commander';
import { buildReport, computeStats, formatStatsText, matchFilters } from '../../index.js';
import type { CliIo } from '../io.js';
import { ExitCode } from '../io.js';
import { isUtf8, loadAnalysis, readFilters, readRedact } from './analyze.js';

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
      const loaded = await loadAnalysis(inputs, io);
      const report = buildReport(loaded.result, loaded.messages, { filters, redact });
      // Stats count messages, so a filter keeps exactly the matching ones (not whole calls).
      const messages = report.messages.filter((m) => matchFilters(m, filters));
      const stats = computeStats(messages);
      if (opts.json === true) io.stdout(`${JSON.stringify(stats, null, 2)}\n`);
      else io.stdout(formatStatsText(stats, { boxed: opts.ascii !== true && io.stdoutIsTTY && isUtf8(io) }));
      exit.code = loaded.inputExit !== ExitCode.ok ? loaded.inputExit : messages.length === 0 ? ExitCode.noMatch : ExitCode.ok;
    });
}
