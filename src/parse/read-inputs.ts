import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { detectCapture, frameCaptureBatches } from '../framing/frame-capture.js';
import { frameLogBatches } from '../framing/logs/index.js';
import type { InputReport, Issue, MessageRecord, RawMessage } from '../model/index.js';
import type { ByteSource } from '../sources/byte-source.js';
import { fileSource, streamSource } from '../sources/byte-source.js';
import type { SourceFile, SourceLimits, WalkState } from '../sources/walk.js';
import { createWalkState, reportSkippedBinaries, sumDirectorySize, walkDirectory, walkSource } from '../sources/walk.js';
import type { ParseOptions } from './parse-message.js';
import { parseMessage } from './parse-message.js';

/** Issue code on an input that could not be read at all (missing, a permission): `siplens` exits 4. */
export const INPUT_UNREADABLE = 'input-unreadable';

export interface ReadInputsOptions {
  /** Limits on archives (depth, entries, expanded bytes, compression ratio, member size, memory held). */
  readonly limits?: Partial<SourceLimits>;
  readonly parse?: ParseOptions;
  /** What `-` reads. Default: nothing (a `-` input is then reported as unreadable). */
  readonly stdin?: AsyncIterable<Uint8Array | string>;
  /** Relative paths are resolved against it; default the process's. */
  readonly cwd?: string;
  /** Bytes read from the inputs so far, of their total (null when unknown: stdin among the inputs). */
  readonly onProgress?: (bytesRead: number, bytesTotal: number | null) => void;
  readonly signal?: AbortSignal;
}

export interface ReadInputsResult {
  /** Every message read, in reading order: inputs in the order given, each input's messages in source order. */
  readonly records: AsyncIterable<MessageRecord>;
  /**
   * What each input gave, filled while `records` is read and complete when it ends: one report per input as given
   * (its counts include everything inside it), then one per file inside an archive or folder that held SIP, with
   * `parent` naming the input.
   */
  readonly reports: InputReport[];
}

type Report = { -readonly [K in keyof InputReport]: InputReport[K] };

const STREAM_TRANSPORTS = new Set(['TCP', 'TLS', 'WS', 'WSS']);

/**
 * The one entry point from inputs to messages: runs sources → framing → parse for any mix of files, folders,
 * archives (nested), captures, logs and `-` (stdin). Each input's kind is told by its content. Everything streams:
 * memory stays flat however large the inputs (zips inside archives and tar members held for ordering are bounded
 * by `limits.maxBufferedBytes`). Messages are not sorted by time across inputs; a later stage may merge by time.
 */
export function readInputs(inputs: readonly string[], options: ReadInputsOptions = {}): ReadInputsResult {
  const reports: InputReport[] = [];
  return { records: parseBatches(readAll(inputs, options, reports), options.parse, options.signal), reports };
}

/** The messages of the inputs as framed, not parsed, in batches (one read chunk's worth): what `analyze` reads. */
export interface RawInputs {
  readonly batches: AsyncIterable<RawMessage[]>;
  /** As in ReadInputsResult. */
  readonly reports: InputReport[];
}

/**
 * readInputs without the parse step, giving the framed messages of each read chunk together: the hot path of
 * `analyze`, which reads the few facts it needs straight from the bytes. Message n of the batches, counted from 0, is
 * the message readInputs numbers n.
 */
export function readRawInputs(inputs: readonly string[], options: ReadInputsOptions = {}): RawInputs {
  const reports: InputReport[] = [];
  return { batches: readAll(inputs, options, reports), reports };
}

async function* parseBatches(
  batches: AsyncIterable<RawMessage[]>,
  options: ParseOptions | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<MessageRecord> {
  let index = 0;
  for await (const batch of batches) {
    for (const r of batch) {
      if (isAborted(signal)) return; // Ctrl-C stops inside a long file too
      const stream = r.meta.transport !== undefined && STREAM_TRANSPORTS.has(r.meta.transport);
      const message = parseMessage(r.bytes, stream ? { ...options, stream } : options);
      if (r.issues.length > 0) message.issues.unshift(...r.issues);
      yield { index: index++, message, meta: r.meta };
    }
  }
}

async function* readAll(inputs: readonly string[], options: ReadInputsOptions, reports: InputReport[]): AsyncGenerator<RawMessage[]> {
  const cwd = options.cwd ?? process.cwd();
  const counter = { index: 0 };
  // Sizes first, for progress as bytes read of a known total.
  const sizes: (number | null)[] = [];
  let total: number | null = 0;
  for (const input of inputs) {
    let size: number | null = null;
    if (input !== '-') {
      try {
        const info = await stat(resolve(cwd, input));
        size = info.isDirectory() ? await sumDirectorySize(resolve(cwd, input)) : info.size;
      } catch {
        size = 0; // reported when read
      }
    }
    sizes.push(size);
    total = size === null || total === null ? null : total + size;
  }
  let bytesRead = 0;
  const onRead = options.onProgress === undefined
    ? undefined
    : (n: number): void => {
        bytesRead += n;
        options.onProgress?.(total === null ? bytesRead : Math.min(bytesRead, total), total);
      };

  for (const input of inputs) {
    if (options.signal?.aborted === true) return;
    const report: Report = { path: input, kind: 'unknown', format: null, messages: 0, skipped: 0, issues: [] };
    reports.push(report);
    const state = createWalkState(report, options.limits, options.signal);
    let walk: AsyncIterable<SourceFile>;
    if (input === '-') {
      report.kind = 'stdin';
      if (options.stdin === undefined) {
        report.issues.push(unreadable(input, 'standard input is not available here'));
        continue;
      }
      walk = walkSource(stdinSource(options.stdin, onRead), state);
    } else {
      const full = resolve(cwd, input);
      let info;
      try {
        info = await stat(full);
      } catch (error) {
        report.kind = 'missing';
        const code = (error as { code?: string }).code;
        const why = code === 'ENOENT' ? 'no such file or folder' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
        report.issues.push(unreadable(input, why));
        continue;
      }
      if (info.isDirectory()) {
        report.kind = 'directory';
        walk = walkDirectory(full, input, state, onRead);
      } else {
        walk = walkSource(fileSource(full, input, info.size, onRead), state);
      }
    }
    const empty: string[] = [];
    try {
      for await (const file of walk) {
        // A file given as is, or only gzipped (`sip.log.gz`), is the input itself; others are files inside it.
        const isRoot = file.containers.every((c) => c === 'gzip');
        const leaf: Report = isRoot
          ? report
          : { path: file.path, kind: leafKind(file), format: null, messages: 0, skipped: 0, issues: [], parent: input };
        const before = counter.index;
        try {
          for await (const batch of frameFile(file, leaf)) {
            if (isAborted(options.signal)) break; // Ctrl-C stops inside a long file too
            counter.index += batch.length;
            yield batch;
          }
        } catch (error) {
          // A file that fails while read (an I/O error, a file removed meanwhile): its messages so far stay, the
          // next file is read.
          leaf.issues.push(readFailed(file.path, error));
        }
        const count = counter.index - before;
        leaf.messages = count;
        if (isRoot) {
          if (file.containers.length === 0) report.kind = leafKind(file);
          continue;
        }
        report.messages += count;
        if (count > 0 || leaf.issues.some((i) => i.severity === 'error')) reports.push(leaf);
        else {
          report.skipped++;
          empty.push(file.path);
        }
      }
    } catch (error) {
      // An operational failure while reading one input (a read error on disk): say so and go on with the next.
      report.issues.push(readFailed(input, error));
    }
    finishReport(report, state, empty);
  }
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function finishReport(report: Report, state: WalkState, empty: readonly string[]): void {
  if (report.kind === 'unknown' || report.kind === 'stdin') {
    const root = state.rootKind;
    if (root !== null) report.kind = root === 'text' ? 'log' : root === 'empty' ? 'empty' : root;
  }
  reportSkippedBinaries(state);
  if (empty.length > 0) {
    const n = empty.length;
    report.issues.push({
      code: 'no-sip-in-file',
      severity: 'info',
      message: `${n} text file${n === 1 ? '' : 's'} held no SIP message: ${empty.slice(0, 5).join(', ')}${n > 5 ? ` and ${n - 5} more` : ''}.`,
      origin: { path: report.path, offset: 0 },
    });
  }
}

function readFailed(path: string, error: unknown): Issue {
  return {
    code: 'read-failed',
    severity: 'error',
    message: `${path}: reading stopped: ${error instanceof Error ? error.message : String(error)}`,
    origin: { path, offset: 0 },
  };
}

function leafKind(file: SourceFile): string {
  return file.kind === 'text' ? 'log' : file.kind;
}

function unreadable(input: string, why: string): Issue {
  return {
    code: INPUT_UNREADABLE,
    severity: 'error',
    message: `cannot read ${input === '-' ? 'standard input' : input}: ${why}`,
    origin: { path: input, offset: 0 },
  };
}

function stdinSource(stdin: AsyncIterable<Uint8Array | string>, onRead?: (n: number) => void): ByteSource {
  const encoder = new TextEncoder();
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for await (const chunk of stdin) {
      const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
      onRead?.(bytes.length);
      yield bytes;
    }
  }
  return streamSource('stdin', chunks());
}

/** Chooses the framer by content: a capture reader for pcap/pcapng, else the log reader (which detects the format). */
async function* frameFile(file: SourceFile, report: Report): AsyncGenerator<RawMessage[]> {
  const raw =
    file.kind !== 'text' && detectCapture(file.head) !== null
      ? frameCaptureBatches(file.chunks, { path: file.path }, report)
      : frameLogBatches(file.chunks, { path: file.path }, report);
  for await (const batch of raw) {
    // The reader that framed the messages names the format: the log format, or pcap/pcapng.
    const first = batch[0];
    if (report.format === null && first?.meta.format !== undefined) report.format = first.meta.format;
    yield batch;
  }
}

/**
 * Parses framed messages into records numbered from `counter.index` on: the step after framing, shared by files and
 * live feeds. Framing issues join the message's own. Ends early when `signal` aborts.
 */
export async function* parseRaw(
  raw: AsyncIterable<RawMessage>,
  options: ParseOptions | undefined,
  counter: { index: number },
  signal?: AbortSignal,
): AsyncGenerator<MessageRecord> {
  for await (const r of raw) {
    if (signal?.aborted === true) return; // Ctrl-C stops inside a long file too
    const stream = r.meta.transport !== undefined && STREAM_TRANSPORTS.has(r.meta.transport);
    const message = parseMessage(r.bytes, stream ? { ...options, stream } : options);
    if (r.issues.length > 0) message.issues.unshift(...r.issues);
    yield { index: counter.index++, message, meta: r.meta };
  }
}
