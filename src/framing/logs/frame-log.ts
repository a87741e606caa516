import type { InputReport, RawMessage } from '../../model/index.js';
import type { LineReader, ReaderSink } from './dialect.js';
import { DialectReader } from './dialect.js';
import { DETECT_SAMPLE_BYTES, detectLogFormat } from './detect.js';
import { JsonExportReader } from './formats/json-export.js';
import { PjsipBytesReader } from './formats/pjsip-bytes.js';
import { SipdumpReader } from './formats/kamailio-sipdump.js';
import { SipTraceTableReader } from './formats/opensips-sip-trace.js';
import { TsharkTextReader } from './formats/tshark-text.js';
import { LineSplitter } from './line-splitter.js';
import { DIALECTS, STRUCTURED_FORMATS } from './registry.js';

export interface FrameLogOptions {
  /** Shown in every origin: the file, with `!` between nested containers. */
  readonly path: string;
  /** A format name from LOG_FORMATS; detected from the first 64 KB when absent. */
  readonly format?: string;
  /** Year for dates that have none (RFC 3164 syslog `Jan  1 01:06:02`); without it those times stay text. */
  readonly year?: number;
  /** A line longer than this is cut (issue `line-too-long`). Default 1 MiB. */
  readonly maxLineBytes?: number;
  /** A message larger than this is cut. Default 1 MiB. */
  readonly maxMessageBytes?: number;
  /** A JSON record larger than this is skipped (issue `record-too-large`). Default 64 MiB. */
  readonly maxRecordBytes?: number;
}

interface ChunkReader {
  push(chunk: Uint8Array): void;
  end(): void;
}

function lineChunkReader(reader: LineReader, maxLineBytes: number): ChunkReader {
  const splitter = new LineSplitter(maxLineBytes);
  const onLine = reader.line.bind(reader);
  return {
    push: (chunk) => splitter.push(chunk, onLine),
    end: () => {
      splitter.end(onLine);
      reader.end();
    },
  };
}

function createReader(format: string, sink: ReaderSink, options: FrameLogOptions): ChunkReader {
  const maxLine = options.maxLineBytes ?? 1 << 20;
  if (format === 'kamailio-sipdump') return lineChunkReader(new SipdumpReader(sink), maxLine);
  if (format === 'opensips-sip-trace') return lineChunkReader(new SipTraceTableReader(sink), maxLine);
  if (format === 'tshark-text') return lineChunkReader(new TsharkTextReader(sink), maxLine);
  if (format === 'tshark-ek' || format === 'tshark-json' || format === 'homer-json') {
    return new JsonExportReader(sink, options.maxRecordBytes ?? 64 << 20);
  }
  // PJSIP traces are read on the bytes, with the line engine's result (formats/pjsip-bytes.ts).
  if (format === 'pjsip') return new PjsipBytesReader(sink, maxLine);
  const dialect = DIALECTS.find((d) => d.name === format) ?? DIALECTS[DIALECTS.length - 1]!;
  return lineChunkReader(new DialectReader(dialect, sink), maxLine);
}

/**
 * Reads SIP messages from a text log as its chunks arrive: detects the format (unless given), rebuilds each message
 * with CRLF line ends and its body cut to Content-Length, and gives what the log says about it (time, addresses,
 * transport, direction seen from the device that wrote the log, the line it starts on). Counts go to `report`:
 * messages read, items skipped, and per-input issues (messages carry their own).
 */
export async function* frameLog(
  chunks: AsyncIterable<Uint8Array>,
  options: FrameLogOptions,
  report: InputReport,
): AsyncIterable<RawMessage> {
  for await (const batch of frameLogBatches(chunks, options, report)) yield* batch;
}

/** frameLog, giving the messages of each chunk together (no promise per message on the hot path). */
export async function* frameLogBatches(
  chunks: AsyncIterable<Uint8Array>,
  options: FrameLogOptions,
  report: InputReport,
): AsyncIterable<RawMessage[]> {
  let out: RawMessage[] = [];
  let format = options.format;
  const sink: ReaderSink = {
    path: options.path,
    get format() {
      return format ?? 'generic';
    },
    year: options.year,
    maxMessageBytes: options.maxMessageBytes ?? 1 << 20,
    message(raw) {
      report.messages++;
      out.push(raw);
    },
    issue(issue) {
      report.issues.push(issue);
    },
    skip() {
      report.skipped++;
    },
  };
  let reader: ChunkReader | undefined;
  const held: Uint8Array[] = [];
  let heldBytes = 0;
  const start = (): ChunkReader => {
    if (format === undefined) {
      const sample = Buffer.concat(held).subarray(0, DETECT_SAMPLE_BYTES).toString('latin1');
      const found = detectLogFormat(sample);
      if (found === null) {
        report.issues.push({
          code: 'no-sip-found',
          severity: 'info',
          message: `expected SIP messages or a known SIP log format in the first ${DETECT_SAMPLE_BYTES} bytes, found none; read with the generic reader`,
          origin: { path: options.path, offset: 0 },
        });
      }
      format = found?.format ?? 'generic';
    } else if (!DIALECTS.some((d) => d.name === format) && !(STRUCTURED_FORMATS as readonly string[]).includes(format)) {
      report.issues.push({
        code: 'unknown-format',
        severity: 'warning',
        message: `expected a log format name such as pjsip or sipp-trace, found "${format}"; read with the generic reader`,
        origin: { path: options.path, offset: 0 },
      });
      format = 'generic';
    }
    const r = createReader(format, sink, options);
    for (const c of held) r.push(c);
    held.length = 0;
    return r;
  };
  for await (const chunk of chunks) {
    if (reader === undefined) {
      held.push(chunk);
      heldBytes += chunk.byteLength;
      if (options.format === undefined && heldBytes < DETECT_SAMPLE_BYTES) continue;
      reader = start();
    } else {
      reader.push(chunk);
    }
    if (out.length > 0) {
      const batch = out;
      out = [];
      yield batch;
    }
  }
  if (reader === undefined) reader = start();
  reader.end();
  if (out.length > 0) yield out;
}
