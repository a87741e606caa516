import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { InputReport, JsonValue, MessageFilter, MessageRecord, RedactLevel, Redactor } from '../../index.js';
import {
  checkStrict,
  createRedactor,
  formatMessageLine,
  matchFilters,
  redactJson,
  viewMessage,
  INPUT_UNREADABLE,
  MESSAGES_SCHEMA_VERSION,
  readInputs,
  readLive,
  toInputJson,
  toIssueJson,
  toMessageJson,
} from '../../index.js';
import type { CliIo } from '../io.js';
import { createProgress } from '../progress.js';
import { ExitCode, useColor } from '../io.js';
import { learnRedaction, readFilters, readOptions, readRedact } from './analyze.js';

interface MessagesOptions {
  readonly json?: boolean;
  readonly ndjson?: boolean;
  readonly hep?: string;
  readonly follow?: string[];
  /** `--no-strict` sets it false: JSON issues are then the tolerant parse's only. */
  readonly strict?: boolean;
  readonly filter?: string[];
  readonly grep?: string;
  readonly invert?: boolean;
  readonly raw?: boolean;
  readonly redact?: string | boolean;
}

/** What `--filter`, `--grep`, `--raw` and `--redact` ask for, checked. */
interface Selection {
  readonly filters: readonly MessageFilter[];
  readonly grep: RegExp | undefined;
  readonly invert: boolean;
  readonly redact: RedactLevel;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const EXAMPLES = `
Examples:
  siplens messages snapshot.zip                every message in a device snapshot, one line each
  siplens messages trace.pcapng var/log/ --json one JSON document (schema/messages.schema.json)
  zcat sip.log.gz | siplens messages - --ndjson one JSON object per line, streamed
  siplens messages --hep 9060 --follow /var/log/sip   live: HEP on 127.0.0.1:9060 and a log, until Ctrl-C
  siplens messages capture.pcap --grep 'Warning: 3\d\d' --raw   whole messages whose text matches, like sipgrep
  siplens messages snap.zip --filter method=REGISTER --filter code=4xx --redact   refused REGISTERs, secrets hidden

Exit codes: 0 messages found, 3 no SIP message in the inputs, 4 an input could not be read (the others still are).
`;

/** `siplens messages`: every message read, in order, as text, one JSON document or NDJSON. */
export function registerMessages(program: Command, io: CliIo, exit: { code: number }): void {
  program
    .command('messages')
    .description('list every SIP message read from files, folders, archives, captures, logs or - (stdin), in order')
    .argument('[inputs...]', 'paths (files, folders, zip/tar/gz archives, pcap/pcapng, logs), or - for stdin')
    .option('--json', 'one JSON document: { schemaVersion, messages, inputs } (schema/messages.schema.json)')
    .option('--ndjson', 'one JSON object per message and line, streamed')
    .option('--hep <[host:]port>', 'live: listen for HEP (v1-v3) on this UDP and TCP port (of 127.0.0.1 unless a host is given) until Ctrl-C')
    .option('--follow <files...>', 'live: follow growing log files, across rotation, until Ctrl-C')
    .option('--no-strict', 'in --json/--ndjson, leave out the RFC 3261 grammar check of each message (faster on big inputs)')
    .option('--filter <key=value>', 'only matching messages: call=ID, user=, code=486|4xx, method=, since=, until= (repeatable)', collect)
    .option('--grep <regex>', 'only messages whose text (start line, headers, body) matches this regular expression, case-insensitive, ^ and $ at each line, like sipgrep')
    .option('--invert', 'with --grep: only the messages that do not match')
    .option('--raw', 'print each message whole, as it was read, after its summary line')
    .option('--redact [level]', 'hide passwords, nonces and digest responses; --redact=all also users, numbers and IP addresses (files are read twice: first to learn what to hide)')
    .addHelpText('after', EXAMPLES)
    .action(async (inputs: string[], options: MessagesOptions) => {
      const usage = checkUsage(inputs, options);
      if (usage !== undefined) {
        io.stderr(`siplens messages: ${usage}\n`);
        exit.code = ExitCode.usage;
        return;
      }
      const selection = readSelection(options, io);
      if (selection === undefined) {
        exit.code = ExitCode.usage;
        return;
      }
      exit.code = await runMessages(inputs, options, selection, io);
    });
}

function checkUsage(inputs: readonly string[], options: MessagesOptions): string | undefined {
  if (options.json === true && options.ndjson === true) return 'choose one of --json and --ndjson';
  if (options.raw === true && (options.json === true || options.ndjson === true)) return '--raw is for the text listing; JSON already holds each message whole (`raw`)';
  if (options.invert === true && options.grep === undefined) return '--invert needs --grep';
  const live = options.hep !== undefined || options.follow !== undefined;
  if (live && inputs.length > 0) return 'give either inputs to read, or --hep/--follow to watch live, not both';
  if (!live && inputs.length === 0) return 'give at least one input (a path, or - for stdin), or --hep/--follow';
  if (options.hep !== undefined && parseHepAddress(options.hep) === undefined) {
    return `--hep: expected PORT or HOST:PORT (port 0 to 65535), found "${options.hep}"`;
  }
  return undefined;
}

function readSelection(options: MessagesOptions, io: CliIo): Selection | undefined {
  const filters = readFilters(options.filter ?? [], io);
  const redact = readRedact(options.redact, io);
  if (filters === undefined || redact === undefined) return undefined;
  let grep: RegExp | undefined;
  if (options.grep !== undefined) {
    try {
      // The user's own expression on their own data: a slow pattern costs only them.
      grep = new RegExp(options.grep, 'im');
    } catch (error) {
      io.stderr(`siplens messages: --grep: not a regular expression: ${error instanceof Error ? error.message : String(error)}\n`);
      return undefined;
    }
  }
  return { filters, grep, invert: options.invert === true, redact };
}

/** Whether a message passes `--filter` and `--grep`. */
function selects(record: MessageRecord, selection: Selection): boolean {
  if (selection.filters.length === 0 && selection.grep === undefined) return true;
  const view = viewMessage(record);
  if (selection.filters.length > 0 && !matchFilters(view, selection.filters)) return false;
  if (selection.grep !== undefined && selection.grep.test(view.text) === selection.invert) return false;
  return true;
}

/**
 * With --redact on standard input or a live feed every message is read first: a nonce or a user seen in one message
 * is hidden in all of them, and a pseudonym is the same in every message (the redactor learns them from the whole
 * input).
 */
async function redactedRecords(records: AsyncIterable<MessageRecord>, selection: Selection): Promise<{ list: MessageRecord[]; redactor: Redactor }> {
  const all: MessageRecord[] = [];
  for await (const r of records) all.push(r);
  return { list: all.filter((r) => selects(r, selection)), redactor: createRedactor(selection.redact, all) };
}

/** `9060`, `0.0.0.0:9060`, `[::1]:9060` → host and port; the host defaults to 127.0.0.1. */
function parseHepAddress(text: string): { host: string; port: number } | undefined {
  const colon = text.lastIndexOf(':');
  const portText = colon < 0 ? text : text.slice(colon + 1);
  let host = colon < 0 ? '127.0.0.1' : text.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === '' || !/^\d{1,5}$/.test(portText) || Number(portText) > 65535) return undefined;
  return { host, port: Number(portText) };
}

async function openInputs(
  inputs: readonly string[],
  options: MessagesOptions,
  io: CliIo,
  onProgress: (read: number, total: number | null) => void,
): Promise<{ records: AsyncIterable<MessageRecord>; reports: InputReport[] }> {
  if (options.hep === undefined && options.follow === undefined) {
    return readInputs(inputs, readOptions(io, onProgress));
  }
  const hep = options.hep === undefined ? undefined : parseHepAddress(options.hep);
  const live = await readLive({
    ...(hep === undefined ? {} : { hep }),
    ...(options.follow === undefined ? {} : { follow: options.follow.map((f) => resolve(io.cwd, f)) }),
    ...(io.signal === undefined ? {} : { signal: io.signal }),
  });
  const ports = live.hepPorts;
  if (ports !== undefined) io.stderr(`siplens: listening for HEP on ${hep?.host ?? '127.0.0.1'} udp ${ports.udp ?? '-'} tcp ${ports.tcp ?? '-'}; Ctrl-C stops\n`);
  return live;
}

async function runMessages(inputs: readonly string[], options: MessagesOptions, selection: Selection, io: CliIo): Promise<number> {
  // --redact on files: a first pass learns what to hide from every message, the second writes them one at a time,
  // so memory stays flat. Standard input and live feeds are read once, so there every message is held first.
  const redacting = selection.redact !== 'none';
  const live = options.hep !== undefined || options.follow !== undefined;
  let learnt: Redactor | undefined;
  if (redacting && !live && !inputs.includes('-')) learnt = await learnRedaction(inputs, io, selection.redact);
  const progress = createProgress(io, 'reading');
  let opened;
  try {
    opened = await openInputs(inputs, options, io, progress.update);
  } catch (error) {
    // Operational: the HEP port is taken or not ours to bind.
    io.stderr(`siplens: cannot listen: ${error instanceof Error ? error.message : String(error)}\n`);
    return ExitCode.inputError;
  }
  const { records, reports } = opened;
  const color = useColor(io);
  let count = 0;
  // --json streams too: messages first, then the inputs (complete only at the end); key order carries no meaning.
  if (options.json === true) io.stdout(`{"schemaVersion":${MESSAGES_SCHEMA_VERSION},"messages":[`);
  const strict = options.strict !== false;
  // With the strict check, a message's issues are also where it breaks the RFC 3261 grammar (checkStrict), so that
  // what this command shows of a message is what the parser's own tests expect of it (RFC 4475 torture messages).
  let redactor: Redactor | undefined = learnt;
  const toJson = (record: MessageRecord): string => {
    const json = toMessageJson(record);
    const full = strict ? { ...json, issues: checkStrict(record.message).map(toIssueJson) } : json;
    return JSON.stringify(redactor === undefined ? full : redactJson(full as unknown as JsonValue, redactor));
  };
  const toText = (record: MessageRecord): string => {
    let line = formatMessageLine(record, { color: color && !redacting });
    let raw = options.raw === true ? new TextDecoder().decode(record.message.raw) : '';
    if (redactor !== undefined) {
      line = redactor.redact(line);
      raw = redactor.redact(raw);
    }
    if (options.raw !== true) return `${line}\n`;
    return `${line}\n${raw.replace(/\r\n/g, '\n').trimEnd()}\n\n`;
  };
  const write = (record: MessageRecord): void => {
    if (options.json === true) io.stdout(`${count === 0 ? '\n' : ',\n'}${toJson(record)}`);
    else if (options.ndjson === true) io.stdout(`${toJson(record)}\n`);
    else io.stdout(toText(record));
    count++;
  };
  if (redacting && learnt === undefined) {
    const read = await redactedRecords(records, selection);
    redactor = read.redactor;
    for (const record of read.list) write(record);
  } else {
    for await (const record of records) if (selects(record, selection)) write(record);
  }
  progress.done();
  if (options.json === true) io.stdout(`\n],"inputs":${JSON.stringify(reports.map(toInputJson))}}\n`);

  const unreadable = reports.filter((r) => r.issues.some((i) => i.code === INPUT_UNREADABLE));
  for (const report of unreadable) {
    for (const issue of report.issues) if (issue.code === INPUT_UNREADABLE) io.stderr(`siplens: ${issue.message}\n`);
  }
  if (options.json !== true && options.ndjson !== true) writeSummary(io, reports, count);
  if (unreadable.length > 0) return ExitCode.inputError;
  if (count === 0) {
    if (options.json !== true && options.ndjson !== true) io.stderr('siplens: no SIP message found in the inputs\n');
    return ExitCode.noMatch;
  }
  return ExitCode.ok;
}

/** On stderr, so stdout stays one line per message: counts, and the errors met while reading. */
function writeSummary(io: CliIo, reports: readonly InputReport[], count: number): void {
  const roots = reports.filter((r) => r.parent === undefined);
  const errors = reports.flatMap((r) => r.issues.filter((i) => i.severity === 'error' && i.code !== INPUT_UNREADABLE));
  const skipped = roots.reduce((n, r) => n + r.skipped, 0);
  io.stderr(
    `${count} message${count === 1 ? '' : 's'} from ${roots.length} input${roots.length === 1 ? '' : 's'}` +
      `${skipped > 0 ? `, ${skipped} item${skipped === 1 ? '' : 's'} skipped` : ''}` +
      `${errors.length > 0 ? `, ${errors.length} error${errors.length === 1 ? '' : 's'}` : ''}\n`,
  );
  for (const issue of errors.slice(0, 10)) io.stderr(`  ${issue.message}\n`);
  if (errors.length > 10) io.stderr(`  … and ${errors.length - 10} more (see --json)\n`);
}
