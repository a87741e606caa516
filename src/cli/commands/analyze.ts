import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { AnalysisResult, KeepMessages, MessageFilter, MessageRecord, MessageView, ReadInputsOptions, RedactLevel, Redactor, Report } from '../../index.js';
import {
  analyze,
  buildReport,
  createRedactionLearner,
  extractFacts,
  LegTies,
  formatHtmlReport,
  formatMarkdownReport,
  formatTextReport,
  hasFindingsAtOrAbove,
  matchFilters,
  parseFilter,
  readInputs,
  viewMessage,
} from '../../index.js';
import type { CliIo } from '../io.js';
import { createProgress } from '../progress.js';
import { ExitCode, useColor } from '../io.js';

/** Issue code readInputs gives an input it could not open (missing file, permission). */
const INPUT_UNREADABLE = 'input-unreadable';

/** Whether the terminal takes UTF-8: the first of LC_ALL, LC_CTYPE, LANG that is set decides. */
export function isUtf8(io: CliIo): boolean {
  for (const name of ['LC_ALL', 'LC_CTYPE', 'LANG']) {
    const v = io.env[name];
    if (v !== undefined && v !== '') return /utf-?8/i.test(v);
  }
  return true;
}

export interface LoadedAnalysis {
  readonly result: AnalysisResult;
  readonly messages: ReadonlyMap<number, MessageRecord>;
  /** Exit code the inputs alone call for: input error (4), no SIP at all (3), else ok. */
  readonly inputExit: number;
}

/** Runs the analysis over the inputs with a progress bar, and tells which exit code the inputs call for. */
export interface LoadOptions {
  /** Which messages stay for the report (see AnalyzeOptions.keepMessages). Default `all`. */
  readonly keep?: KeepMessages;
  readonly workers?: number;
  /** `flow --call`: the messages of that Call-ID stay whole. */
  readonly keepCallIdsContaining?: string;
  /** `analyze --filter`: the messages of these Call-IDs, and the REGISTERs of these accounts, stay whole. */
  readonly keepCallIds?: readonly string[];
  readonly keepAccounts?: readonly string[];
}

/**
 * What every command passes readInputs (and analyze) from the shell: the working folder, the progress bar, Ctrl-C,
 * and standard input unless the pass cannot use it (a first pass over files, which `-` never reaches).
 */
export function readOptions(io: CliIo, onProgress: (read: number, total: number | null) => void, withStdin = true): ReadInputsOptions {
  return {
    cwd: io.cwd,
    onProgress,
    ...(withStdin && io.stdin !== undefined ? { stdin: io.stdin as AsyncIterable<Uint8Array | string> } : {}),
    ...(io.signal !== undefined ? { signal: io.signal } : {}),
  };
}

export async function loadAnalysis(inputs: readonly string[], io: CliIo, options: LoadOptions = {}): Promise<LoadedAnalysis> {
  const { keep = 'all', workers, keepCallIdsContaining, keepCallIds, keepAccounts } = options;
  const progress = createProgress(io, 'reading');
  let out;
  try {
    out = await analyze(inputs, {
      keepMessages: keep,
      ...(keepCallIdsContaining !== undefined && { keepCallIdsContaining }),
      ...(keepCallIds !== undefined && { keepCallIds }),
      ...(keepAccounts !== undefined && { keepAccounts }),
      ...(workers !== undefined && { workers }),
      ...readOptions(io, progress.update),
    });
  } finally {
    progress.done();
  }
  const unreadable = out.result.inputs.some((i) => i.issues.some((is) => is.code === INPUT_UNREADABLE));
  const inputExit = unreadable ? ExitCode.inputError : out.result.summary.messages === 0 ? ExitCode.noMatch : ExitCode.ok;
  for (const i of out.result.inputs) {
    for (const is of i.issues) if (is.code === INPUT_UNREADABLE) io.stderr(`siplens: ${is.message}\n`);
  }
  return { result: out.result, messages: out.messages, inputExit };
}

/**
 * The Call-IDs of the messages that pass the filters (seen as read, as buildReport sees them), and the accounts of
 * the REGISTERs among them, with the B2BUA legs tied to those calls: the first pass of `analyze --filter`, so that
 * the analysis keeps only those calls' and registrations' messages rather than every message. All are read as the
 * analysis reads them: extractFacts is the scan the analysis makes, LegTies ties legs as the correlator does.
 * Unreadable inputs are left for the analysis to report.
 */
export async function matchingCalls(
  inputs: readonly string[],
  io: CliIo,
  filters: readonly MessageFilter[],
): Promise<{ callIds: string[]; accounts: string[] }> {
  const progress = createProgress(io, 'filtering');
  const ids = new Set<string>();
  const accounts = new Set<string>();
  const legs = new LegTies();
  try {
    const { records } = readInputs(inputs, readOptions(io, progress.update, false));
    for await (const record of records) {
      const m = record.message;
      // A dialog-creating INVITE may tie its call to another leg (X-CID, icid, Session-ID): the analysis groups such
      // legs into one call, so a call that matches is kept with every leg.
      const opensCall = m.method === 'INVITE' && m.to?.tag === undefined;
      const matches = matchFilters(viewMessage(record), filters);
      if (!opensCall && !matches) continue;
      const facts = extractFacts(record);
      if (opensCall) for (const value of facts.correlation) legs.tie(facts.callId, value);
      if (!matches) continue;
      ids.add(facts.callId);
      if (facts.cseqMethod === 'REGISTER' && facts.toUri !== undefined) accounts.add(facts.toUri);
    }
  } finally {
    progress.done();
  }
  return { callIds: legs.withLegs(ids), accounts: [...accounts] };
}

/**
 * The first pass of `--redact` over files (`messages`, `export`): every message read once to learn the secrets and
 * identities to hide, nothing kept, so that the second pass can write one message at a time. Unreadable inputs are
 * left for the second pass to report.
 */
export async function learnRedaction(inputs: readonly string[], io: CliIo, level: RedactLevel): Promise<Redactor> {
  const progress = createProgress(io, 'learning what to hide');
  const learner = createRedactionLearner(level);
  try {
    const { records } = readInputs(inputs, readOptions(io, progress.update, false));
    for await (const r of records) learner.learn(r);
  } finally {
    progress.done();
  }
  return learner.redactor();
}

/**
 * The inputs' messages one at a time, with a progress bar, for the commands that need no analysis (stats, export):
 * `matching` gives those that pass the filters (seen as read, before any redaction) with their views; `read()` counts
 * every message read; `finish()` ends the bar, says which inputs could not be read, and tells whether any could not.
 */
export function streamRecords(
  inputs: readonly string[],
  io: CliIo,
  filters: readonly MessageFilter[],
): { matching: AsyncIterable<{ record: MessageRecord; view: MessageView }>; read: () => number; finish: () => { unreadable: boolean } } {
  const progress = createProgress(io, 'reading');
  const { records, reports } = readInputs(inputs, readOptions(io, progress.update));
  let read = 0;
  async function* matching(): AsyncGenerator<{ record: MessageRecord; view: MessageView }> {
    for await (const record of records) {
      read++;
      const view = viewMessage(record);
      if (matchFilters(view, filters)) yield { record, view };
    }
  }
  return {
    matching: matching(),
    read: () => read,
    finish: () => {
      progress.done();
      let unreadable = false;
      for (const r of reports) {
        for (const is of r.issues) {
          if (is.code !== INPUT_UNREADABLE) continue;
          unreadable = true;
          io.stderr(`siplens: ${is.message}\n`);
        }
      }
      return { unreadable };
    },
  };
}

/** Reads `--filter` values; writes the first error and returns undefined on a bad one. */
export function readFilters(values: readonly string[], io: CliIo): MessageFilter[] | undefined {
  const filters: MessageFilter[] = [];
  for (const v of values) {
    const parsed = parseFilter(v);
    if ('error' in parsed) {
      io.stderr(`siplens: --filter ${parsed.error}\n`);
      return undefined;
    }
    filters.push(parsed.filter);
  }
  return filters;
}

/** `--redact` alone means secrets; `--redact=all` also identities. */
export function readRedact(value: string | boolean | undefined, io: CliIo): RedactLevel | undefined {
  if (value === undefined || value === false) return 'none';
  if (value === true || value === 'secrets') return 'secrets';
  if (value === 'all') return 'all';
  io.stderr(`siplens: --redact takes no value (secrets) or "all", found "${String(value)}"\n`);
  return undefined;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

interface AnalyzeOptions {
  readonly json?: boolean;
  readonly md?: boolean;
  readonly html?: string;
  readonly redact?: string | boolean;
  readonly filter?: string[];
  readonly failOn?: 'error' | 'warning';
  readonly ascii?: boolean;
  readonly workers?: string;
}

/** Adds `siplens analyze`. */
export function registerAnalyze(program: Command, io: CliIo, exit: { code: number }): void {
  program
    .command('analyze')
    .description('read snapshots, logs and captures, and explain every failed registration and call')
    .argument('<inputs...>', 'files, folders, archives (zip, tar, gz), pcap/pcapng captures, or - for standard input')
    .option('--json', 'print the analysis as JSON (schema/analysis.schema.json)')
    .option('--md', 'print the report as Markdown')
    .option('--html <file>', 'also write a self-contained HTML report (no network) to this file')
    .option('--redact [level]', 'hide passwords, nonces and digest responses; --redact=all also users, numbers and IP addresses')
    .option('--filter <key=value>', 'keep what matches: call=ID, user=, code=486|4xx, method=, since=, until= (repeatable)', collect)
    .addOption(new Option('--fail-on <severity>', 'exit 1 when there are findings of this severity or worse').choices(['error', 'warning']))
    .option('--ascii', 'plain ASCII output (no box drawing)')
    .option('--workers <n>', 'threads that analyse shares of the input (default: one per core for 160 MiB or more, and for -)')
    .addHelpText(
      'after',
      `
Examples:
  siplens analyze diagnostics-snapshot.zip
  siplens analyze capture.pcap --html report.html --redact
  siplens analyze logs/ --filter code=4xx --filter method=REGISTER --md
  siplens analyze phone.log --json --fail-on error`,
    )
    .action(async (inputs: string[], opts: AnalyzeOptions) => {
      if (opts.json === true && opts.md === true) {
        io.stderr('siplens: choose one of --json and --md\n');
        exit.code = ExitCode.usage;
        return;
      }
      const filters = readFilters(opts.filter ?? [], io);
      const redact = readRedact(opts.redact, io);
      const workers = opts.workers === undefined ? undefined : Number(opts.workers);
      if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 64)) {
        io.stderr(`siplens: --workers takes a whole number from 1 to 64, found "${opts.workers}"\n`);
        exit.code = ExitCode.usage;
        return;
      }
      if (filters === undefined || redact === undefined) {
        exit.code = ExitCode.usage;
        return;
      }
      // The HTML report draws a few hundred flows (kept in bounded memory); the terminal and Markdown reports quote
      // the evidence. JSON holds no message text: without filters or redaction (both read the messages) it needs none
      // kept, which spares a copy of every message into the store. Filters keep the calls they match whole: a first
      // pass finds their Call-IDs, so that memory follows what matches, not the input. Standard input cannot be read
      // twice: there every message is kept.
      let keep: KeepMessages =
        opts.html !== undefined ? 'flows' : opts.json === true && redact === 'none' && filters.length === 0 ? 'none' : 'evidence';
      let chosen: { callIds: string[]; accounts: string[] } | undefined;
      if (filters.length > 0) {
        if (inputs.includes('-')) keep = 'all';
        else chosen = await matchingCalls(inputs, io, filters);
      }
      const loaded = await loadAnalysis(inputs, io, {
        keep,
        ...(chosen !== undefined && { keepCallIds: chosen.callIds, keepAccounts: chosen.accounts }),
        ...(workers !== undefined && { workers }),
      });
      const report: Report = buildReport(loaded.result, loaded.messages, { redact, filters, scope: opts.html !== undefined ? 'html' : 'evidence' });
      if (opts.json === true) io.stdout(`${JSON.stringify(report.result, null, 2)}\n`);
      else if (opts.md === true) io.stdout(formatMarkdownReport(report));
      else {
        const unicode = opts.ascii !== true && isUtf8(io);
        io.stdout(formatTextReport(report, { color: useColor(io), unicode: unicode && io.stdoutIsTTY }));
      }
      if (opts.html !== undefined) {
        const path = resolve(io.cwd, opts.html);
        // The title names the inputs as the report holds them (redacted with the rest under --redact=all).
        const named = report.result.inputs.filter((i) => i.parent === undefined).map((i) => i.path);
        await writeFile(path, formatHtmlReport(report, { title: `siplens report: ${named.join(', ')}` }));
        io.stderr(`HTML report written to ${opts.html}\n`);
      }
      let code: number = loaded.inputExit;
      if (code === ExitCode.ok && filters.length > 0 && report.result.summary.messages === 0) code = ExitCode.noMatch;
      if (code === ExitCode.ok && opts.failOn !== undefined && hasFindingsAtOrAbove(report.result, opts.failOn)) code = ExitCode.findings;
      exit.code = code;
    });
}
