import { Readable } from 'node:stream';
import type { TransformOptions } from 'node:stream';
import type { ZlibOptions } from 'node:zlib';
import { createGunzip, createInflateRaw } from 'node:zlib';

/** Why an inflation stopped early. */
export type InflateStop =
  | { readonly reason: 'truncated'; readonly detail: string }
  | { readonly reason: 'corrupt'; readonly detail: string }
  | { readonly reason: 'refused'; readonly code: string; readonly detail: string };

/**
 * Watches the bytes going in and out of a decompressor. `check` runs after every output chunk with the totals so far
 * and returns a refusal (issue code and message) to stop (a zip bomb, a budget spent), or undefined to go on.
 */
export interface InflateGuard {
  readonly check: (bytesIn: number, bytesOut: number) => { readonly code: string; readonly message: string } | undefined;
  readonly onStop: (stop: InflateStop) => void;
}

/**
 * Decompresses a raw DEFLATE stream (RFC 1951, zip method 8) or a gzip file (RFC 1952, every member) with the native
 * zlib, streaming with back-pressure so memory stays flat. Bad input ends the stream and is reported through
 * `guard.onStop`; what was decompressed before is still yielded.
 */
export async function* inflateStream(
  input: AsyncIterable<Uint8Array>,
  format: 'raw' | 'gzip',
  guard: InflateGuard,
): AsyncGenerator<Uint8Array> {
  let bytesIn = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of input) {
      bytesIn += chunk.length;
      yield chunk;
    }
  }
  // Output in 256 KiB pieces (each is one trip to the zlib thread pool; the 16 KiB default starves it), and up to
  // 4 MiB decompressed ahead, so that inflating runs beside the parsing instead of taking turns with it.
  const zlibOptions: ZlibOptions & TransformOptions = { chunkSize: 256 * 1024, readableHighWaterMark: 4 << 20 };
  const inflater = format === 'gzip' ? createGunzip(zlibOptions) : createInflateRaw(zlibOptions);
  const source = Readable.from(counted(), { objectMode: false });
  source.on('error', (error) => inflater.destroy(error));
  source.pipe(inflater);
  let bytesOut = 0;
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) {
      bytesOut += chunk.length;
      const refusal = guard.check(bytesIn, bytesOut);
      if (refusal !== undefined) {
        guard.onStop({ reason: 'refused', code: refusal.code, detail: refusal.message });
        return;
      }
      yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    // zlib says "unexpected end of file" (Z_BUF_ERROR) when the compressed data stops before its end marker.
    if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(message)) {
      guard.onStop({ reason: 'truncated', detail: message });
    } else if (typeof code === 'string' && code.startsWith('Z_')) {
      guard.onStop({ reason: 'corrupt', detail: message });
    } else {
      throw error;
    }
  } finally {
    source.unpipe(inflater);
    source.destroy();
    inflater.destroy();
  }
}
