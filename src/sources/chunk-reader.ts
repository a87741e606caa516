/**
 * Pulls exact byte counts out of a stream of chunks of any size, without copying when a read falls inside one chunk.
 * What tar reading needs: 512-byte headers, then a member's bytes streamed through.
 */
export class ChunkReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private chunk: Uint8Array = new Uint8Array(0);
  private at = 0;
  private ended = false;
  /** Bytes handed out or skipped so far: the offset of the next byte in the stream. */
  position = 0;

  constructor(chunks: AsyncIterable<Uint8Array>) {
    this.iterator = chunks[Symbol.asyncIterator]();
  }

  /** True when there is at least one more byte. */
  async more(): Promise<boolean> {
    while (this.at >= this.chunk.length) {
      if (this.ended) return false;
      const next = await this.iterator.next();
      if (next.done === true) {
        this.ended = true;
        return false;
      }
      this.chunk = next.value;
      this.at = 0;
    }
    return true;
  }

  /** Exactly `n` bytes, or fewer when the stream ends first. */
  async read(n: number): Promise<Uint8Array> {
    if (!(await this.more())) return new Uint8Array(0);
    if (this.chunk.length - this.at >= n) {
      const out = this.chunk.subarray(this.at, this.at + n);
      this.at += n;
      this.position += n;
      return out;
    }
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n && (await this.more())) {
      const take = Math.min(n - got, this.chunk.length - this.at);
      out.set(this.chunk.subarray(this.at, this.at + take), got);
      this.at += take;
      got += take;
      this.position += take;
    }
    return got === n ? out : out.subarray(0, got);
  }

  /** The next `n` bytes as they come, in pieces; stops early at the end of the stream. */
  async *take(n: number): AsyncGenerator<Uint8Array> {
    let left = n;
    while (left > 0 && (await this.more())) {
      const size = Math.min(left, this.chunk.length - this.at);
      const piece = this.chunk.subarray(this.at, this.at + size);
      this.at += size;
      this.position += size;
      left -= size;
      yield piece;
    }
  }

  /** Passes over `n` bytes; returns how many there were. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0 && (await this.more())) {
      const size = Math.min(left, this.chunk.length - this.at);
      this.at += size;
      this.position += size;
      left -= size;
    }
    return n - left;
  }

  /** Stops the underlying stream. */
  async close(): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      await this.iterator.return?.();
    }
  }
}
