import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * Bytes with a name: a file on disk, an archive member held in memory, or a stream (stdin, a tar member). Every
 * source can be streamed once or more; files and memory also allow random access, which zip needs.
 */
export interface ByteSource {
  /** Display path, containers joined with `!` (`snapshot.zip!tmp/sitara1.zip!var/log/sip`). */
  readonly path: string;
  /** Size in bytes when known before reading. */
  readonly size: number | null;
  /** The whole content, in order. */
  stream(): AsyncIterable<Uint8Array>;
  /** Reads `length` bytes at `offset` (fewer at the end); only files and memory have it. */
  readonly readAt?: (offset: number, length: number) => Promise<Uint8Array>;
}

/** Chunk size for streamed reads: large enough for throughput, small enough for a flat memory profile. */
export const CHUNK_BYTES = 1 << 20;

/**
 * A file on disk. `onRead` hears every byte count read from the disk (progress); `signal` stops streaming.
 */
export function fileSource(
  file: string,
  displayPath: string,
  size: number,
  onRead?: (bytes: number) => void,
): ByteSource {
  return {
    path: displayPath,
    size,
    async *stream() {
      const stream = createReadStream(file, { highWaterMark: CHUNK_BYTES });
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          onRead?.(chunk.length);
          yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
        }
      } finally {
        stream.destroy();
      }
    },
    async readAt(offset, length) {
      const handle = await open(file, 'r');
      try {
        const n = Math.max(0, Math.min(length, size - offset));
        const out = new Uint8Array(n);
        let got = 0;
        while (got < n) {
          const { bytesRead } = await handle.read(out, got, n - got, offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        onRead?.(got);
        return got === n ? out : out.subarray(0, got);
      } finally {
        await handle.close();
      }
    },
  };
}

/** Bytes already in memory (a nested zip, a buffered tar member). */
export function memorySource(displayPath: string, bytes: Uint8Array): ByteSource {
  return {
    path: displayPath,
    size: bytes.length,
    async *stream() {
      for (let at = 0; at < bytes.length; at += CHUNK_BYTES) yield bytes.subarray(at, at + CHUNK_BYTES);
    },
    readAt: (offset, length) => Promise.resolve(bytes.subarray(offset, Math.min(bytes.length, offset + length))),
  };
}

/** A stream that can be read once (stdin, a tar member, a decompressed gzip). */
export function streamSource(displayPath: string, chunks: AsyncIterable<Uint8Array>, size: number | null = null): ByteSource {
  let used = false;
  return {
    path: displayPath,
    size,
    stream() {
      if (used) throw new SourceError('stream-reused', `${displayPath} is a stream and was already read`);
      used = true;
      return chunks;
    },
  };
}

/** Reads `length` bytes from `offset` of a random-access source, in chunks of `chunkBytes`. */
export async function* streamRange(
  source: ByteSource,
  offset: number,
  length: number,
  chunkBytes = 64 * 1024,
): AsyncGenerator<Uint8Array> {
  const readAt = source.readAt;
  if (readAt === undefined) throw new SourceError('no-random-access', `${source.path} does not allow random access`);
  let at = offset;
  const end = offset + length;
  while (at < end) {
    const piece = await readAt(at, Math.min(chunkBytes, end - at));
    if (piece.length === 0) return;
    yield piece;
    at += piece.length;
  }
}

/**
 * The first `bytes` bytes of a stream, and the whole stream again (the head included) without reading it twice.
 * Used to sniff what a file holds before choosing its reader.
 */
export async function peekStream(
  chunks: AsyncIterable<Uint8Array>,
  bytes: number,
): Promise<{ head: Uint8Array; rest: AsyncIterable<Uint8Array> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const seen: Uint8Array[] = [];
  let total = 0;
  let done = false;
  while (total < bytes) {
    const next = await iterator.next();
    if (next.done === true) {
      done = true;
      break;
    }
    if (next.value.length === 0) continue;
    seen.push(next.value);
    total += next.value.length;
  }
  const head = concatBytes(seen, Math.min(total, bytes));
  // A hand-made iterator rather than a generator, so that `return()` closes the source even when never started.
  let closed = false;
  const rest: AsyncIterableIterator<Uint8Array> = {
    [Symbol.asyncIterator]() {
      return rest;
    },
    async next() {
      const buffered = seen.shift();
      if (buffered !== undefined) return { done: false, value: buffered };
      if (done || closed) return { done: true, value: undefined };
      const next = await iterator.next();
      if (next.done === true) done = true;
      return next;
    },
    async return() {
      seen.length = 0;
      if (!done && !closed) {
        closed = true;
        await iterator.return?.();
      }
      return { done: true, value: undefined };
    },
  };
  return { head, rest };
}

/** Joins chunks, keeping at most `limit` bytes. */
export function concatBytes(chunks: readonly Uint8Array[], limit = Number.POSITIVE_INFINITY): Uint8Array {
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  total = Math.min(total, limit);
  if (chunks.length === 1 && chunks[0] !== undefined && chunks[0].length === total) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    if (at >= total) break;
    const n = Math.min(chunk.length, total - at);
    out.set(n === chunk.length ? chunk : chunk.subarray(0, n), at);
    at += n;
  }
  return out;
}

/**
 * Reads a whole stream into memory, up to `limit` bytes. Returns `complete: false` (and what was read) when the
 * stream was longer.
 */
export async function collectStream(
  chunks: AsyncIterable<Uint8Array>,
  limit: number,
): Promise<{ bytes: Uint8Array; complete: boolean }> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    if (total + chunk.length > limit) {
      parts.push(chunk.subarray(0, limit - total));
      return { bytes: concatBytes(parts), complete: false };
    }
    parts.push(chunk);
    total += chunk.length;
  }
  return { bytes: concatBytes(parts), complete: true };
}

/** An operational failure in a source (not bad input): a stream used twice, a programming error. */
export class SourceError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourceError';
    this.code = code;
  }
}
