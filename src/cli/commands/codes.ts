import type { Command } from 'commander';
import { createColors } from 'picocolors';
import type { StatusEntry } from '../../index.js';
import { statusCodes } from '../../index.js';
import type { CliIo } from '../io.js';
import { ExitCode, useColor } from '../io.js';

interface CodesOptions {
  readonly class?: string;
  readonly json?: boolean;
  readonly md?: boolean;
}

const EXAMPLES = `
Examples:
  siplens codes                       every response code: code, reason, status, defining RFC
  siplens codes --class 4             only the 4xx client failures
  siplens codes --json                { "codes": [ { "code": 100, "reason": "Trying", ... }, ... ] } with every field
  siplens codes --class 6 --md        a Markdown table, for a wiki or a ticket

Exit codes: 0 printed, 2 usage error (a class outside 1-6, --json with --md).
`;

/** Escapes a table cell for Markdown: pipes and line breaks would end the cell. */
function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** A Markdown table of `entries`. Pure. */
export function formatCodesMarkdown(entries: readonly StatusEntry[]): string {
  const lines = ['| Code | Reason | Status | Defined in | What it means |', '|---:|---|---|---|---|'];
  for (const e of entries) {
    lines.push(`| ${e.code} | ${escapeCell(e.reason)} | ${e.status} | ${e.rfc} ${e.section} | ${escapeCell(e.summary)} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** Aligned terminal columns of `entries`. Pure; `color` adds dim/bold only. */
export function formatCodesText(entries: readonly StatusEntry[], color: boolean): string {
  const paint = createColors(color);
  const reasonWidth = Math.max(...entries.map((e) => e.reason.length), 6);
  const lines = [paint.bold(`code  ${'reason'.padEnd(reasonWidth)}  ${'status'.padEnd(10)}  defined in`)];
  for (const e of entries) {
    const status = e.status === 'current' ? e.status.padEnd(10) : paint.yellow(e.status.padEnd(10));
    lines.push(`${e.code}   ${e.reason.padEnd(reasonWidth)}  ${status}  ${paint.dim(`${e.rfc} ${e.section}`)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `siplens codes`: the whole catalog of response codes. */
export function registerCodes(program: Command, io: CliIo, exit: { code: number }): void {
  program
    .command('codes')
    .description('list every SIP response code in the catalog (IANA registry, the seed, and historic codes)')
    .option('--class <digit>', 'only one class: 1 to 6')
    .option('--json', 'one JSON document: { "codes": [ ...every field of every code ] }')
    .option('--md', 'a Markdown table')
    .addHelpText('after', EXAMPLES)
    .action((options: CodesOptions) => {
      exit.code = runCodes(options, io);
    });
}

function runCodes(options: CodesOptions, io: CliIo): number {
  if (options.json === true && options.md === true) {
    io.stderr('siplens codes: choose one of --json and --md\n');
    return ExitCode.usage;
  }
  let entries = statusCodes;
  if (options.class !== undefined) {
    const text = options.class.trim().toLowerCase().replace(/xx$/, '');
    const cls = Number(text);
    if (text.length !== 1 || !Number.isInteger(cls) || cls < 1 || cls > 6) {
      io.stderr(`siplens codes: --class expects a digit from 1 to 6 (or 4xx); got "${options.class}"\n`);
      return ExitCode.usage;
    }
    entries = statusCodes.filter((e) => e.class === cls);
  }
  if (options.json === true) io.stdout(`${JSON.stringify({ codes: entries }, null, 2)}\n`);
  else if (options.md === true) io.stdout(formatCodesMarkdown(entries));
  else io.stdout(formatCodesText(entries, useColor(io)));
  return ExitCode.ok;
}
