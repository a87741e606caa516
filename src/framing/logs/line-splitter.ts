/** One line of a log: its text (latin1, one char per byte, without the LF and a CR before it), 1-based number, byte offset. */
export interface LogLine {
  readonly text: string;
  readonly line: number;
  readonly offset: number;
  /** The line was longer than the limit and was cut there. */
  readonly cut?: boolean;
}

/**
 * Splits a byte stream into lines as chunks arrive, holding only the unfinished last line. LF ends a line; a CR before
 * it is dropped (mixed CRLF and LF files read the same). A line longer than `maxLineBytes` is cut and the rest of it
 * skipped, so one endless line cannot take the memory.
 */
export class LineSplitter {
  #carry = '';
  #carryOffset = 0;
  #line = 1;
  #skipping = false;
  readonly #maxLineBytes: number;

  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** Calls `onLine` for each line completed by this chunk. */
  push(chunk: Uint8Array, onLine: (line: LogLine) => void): void {
    const piece = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    const text = this.#carry.length > 0 ? this.#carry + piece : piece;
    let base = this.#carryOffset;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      if (this.#skipping) {
        this.#skipping = false;
      } else {
        const end = nl > start && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
        onLine({ text: text.slice(start, end), line: this.#line, offset: base + start });
      }
      this.#line++;
      start = nl + 1;
    }
    const rest = text.length - start;
    if (rest > this.#maxLineBytes && !this.#skipping) {
      onLine({ text: text.slice(start, start + this.#maxLineBytes), line: this.#line, offset: base + start, cut: true });
      this.#skipping = true;
    }
    if (this.#skipping) {
      base += text.length;
      this.#carry = '';
      this.#carryOffset = base;
    } else {
      this.#carry = start === 0 ? text : text.slice(start);
      this.#carryOffset = base + start;
    }
  }

  /** Gives the last line when the input did not end with LF. */
  end(onLine: (line: LogLine) => void): void {
    if (this.#carry.length > 0 && !this.#skipping) {
      const t = this.#carry;
      const end = t.charCodeAt(t.length - 1) === 0x0d ? t.length - 1 : t.length;
      onLine({ text: t.slice(0, end), line: this.#line, offset: this.#carryOffset });
    }
    this.#carry = '';
  }
}
