import { looksLikeSipStart } from '../framing/stream-framer.js';
import { DETECT_SAMPLE_BYTES, detectLogFormat, frameLog } from '../framing/logs/index.js';
import type { InputReport, MessageRecord, RawMessage } from '../model/index.js';
import { followFile } from '../sources/follow-file.js';
import type { HepListener } from '../sources/hep-listener.js';
import { listenHep } from '../sources/hep-listener.js';
import type { ParseOptions } from './parse-message.js';
import { parseRaw } from './read-inputs.js';

export interface ReadLiveOptions {
  /** Listen for HEP on this port (UDP and TCP unless one is turned off), on `host` (default 127.0.0.1). */
  readonly hep?: { readonly port: number; readonly host?: string; readonly udp?: boolean; readonly tcp?: boolean };
  /** Log files to follow across rotation. */
  readonly follow?: readonly string[];
  /** The log format of the followed files (`pjsip`, …); detected from their first bytes when absent. */
  readonly format?: string;
  /** Read what followed files already hold (default), or only what is written from now on. */
  readonly fromStart?: boolean;
  readonly pollIntervalMs?: number;
  /** Ends every feed, and then `records`. */
  readonly signal?: AbortSignal;
  readonly parse?: ParseOptions;
}

export interface LiveInputs {
  /** Messages from every feed as they arrive, numbered in arrival order. Ends when the signal aborts. */
  readonly records: AsyncIterable<MessageRecord>;
  /** One report per feed (`hep`, then each followed file), counts growing as messages arrive. */
  readonly reports: InputReport[];
  /** The ports the HEP listener bound (useful with port 0). */
  readonly hepPorts?: { readonly udp?: number; readonly tcp?: number };
}

/** How long a followed file may stay silent before its format is detected from what it has (live logs start small). */
const DETECT_WAIT_MS = 500;

/**
 * Live inputs through the same pipeline as files: a HEP listener and followed logs, merged in arrival order, then
 * parsed. Non-SIP HEP payloads (a capture agent mirroring other traffic) are counted in the HEP report's `skipped`.
 */
export async function readLive(options: ReadLiveOptions): Promise<LiveInputs> {
  const reports: InputReport[] = [];
  const feeds: AsyncIterable<RawMessage>[] = [];
  let listener: HepListener | undefined;
  if (options.hep !== undefined) {
    listener = await listenHep({ ...options.hep, ...(options.signal === undefined ? {} : { signal: options.signal }) });
    reports.push(listener.report);
    feeds.push(onlySip(listener.messages, listener.report));
  }
  for (const path of options.follow ?? []) {
    const report: InputReport = { path, kind: 'follow', format: options.format ?? null, messages: 0, skipped: 0, issues: [] };
    reports.push(report);
    const chunks = followFile(path, {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.fromStart === undefined ? {} : { fromStart: options.fromStart }),
      ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    });
    feeds.push(frameFollowed(chunks, path, options.format, report));
  }
  const counter = { index: 0 };
  return {
    records: parseRaw(mergeFeeds(feeds), options.parse, counter),
    reports,
    ...(listener === undefined ? {} : { hepPorts: listener.ports }),
  };
}

async function* onlySip(messages: AsyncIterable<RawMessage>, report: InputReport): AsyncGenerator<RawMessage> {
  for await (const m of messages) {
    if (looksLikeSipStart(m.bytes, 0)) {
      yield m;
    } else {
      report.messages--;
      report.skipped++;
    }
  }
}

/**
 * A followed log never ends, so its format cannot wait for the 64 KB a file gives: it is detected from what has
 * arrived after a short quiet time (or 64 KB), then the log reader runs with it.
 */
async function* frameFollowed(
  chunks: AsyncIterable<Uint8Array>,
  path: string,
  format: string | undefined,
  report: InputReport,
): AsyncGenerator<RawMessage> {
  const iterator = chunks[Symbol.asyncIterator]();
  const held: Uint8Array[] = [];
  let heldBytes = 0;
  let chosen = format;
  let pending: Promise<IteratorResult<Uint8Array>> | undefined;
  let ended = false;
  while (chosen === undefined) {
    pending ??= iterator.next();
    const timer = new Promise<'quiet'>((resolve) => setTimeout(() => resolve('quiet'), DETECT_WAIT_MS).unref());
    const next = await Promise.race([pending, timer]);
    if (next === 'quiet') {
      if (heldBytes > 0) break;
      continue;
    }
    pending = undefined;
    if (next.done === true) {
      ended = true;
      break;
    }
    held.push(next.value);
    heldBytes += next.value.length;
    if (heldBytes >= DETECT_SAMPLE_BYTES) break;
  }
  if (chosen === undefined) {
    const sample = Buffer.concat(held).subarray(0, DETECT_SAMPLE_BYTES).toString('latin1');
    chosen = detectLogFormat(sample)?.format ?? 'generic';
  }
  (report as { format: string | null }).format = chosen;
  async function* replay(): AsyncGenerator<Uint8Array> {
    for (const chunk of held) yield chunk;
    held.length = 0;
    if (ended) return;
    if (pending !== undefined) {
      const next = await pending;
      if (next.done === true) return;
      yield next.value;
    }
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  yield* frameLog(replay(), { path, format: chosen }, report);
}

/** Interleaves feeds in arrival order. */
async function* mergeFeeds<T>(feeds: readonly AsyncIterable<T>[]): AsyncGenerator<T> {
  const iterators = feeds.map((f) => f[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<{ readonly i: number; readonly r: IteratorResult<T> }>>();
  const pull = (i: number): void => {
    pending.set(i, (iterators[i] as AsyncIterator<T>).next().then((r) => ({ i, r })));
  };
  iterators.forEach((_, i) => pull(i));
  try {
    while (pending.size > 0) {
      const { i, r } = await Promise.race(pending.values());
      if (r.done === true) {
        pending.delete(i);
        continue;
      }
      pull(i);
      yield r.value;
    }
  } finally {
    // Not awaited: a feed waiting for data finishes its return() only once it wakes (the signal ends them all).
    for (const it of iterators) void it.return?.()?.catch(() => undefined);
  }
}
