/** One line of a log: its text (latin1, one char per byte, without the LF and a CR before it), 1-based number, byte offset. */
export interface LogLine {
  readonly text: string;
  readonly line: number;
  readonly offset: number;
  /** The line was longer than the limit and was cut there. */
  readonly cut?: boolean;
  /**
   * What the chunk holding this line may contain (checked once per chunk, so clean chunks skip the per-line scans):
   * an ESC (ANSI colours), a CR left inside a line, an escaped line end (`#012`, a literal backslash).
   */
  readonly mayHaveEsc?: boolean;
  readonly mayHaveCr?: boolean;
  readonly mayHaveEscapes?: boolean;
}

/** The one line object handed to callbacks, refilled for each line: copy what you keep. */
export interface MutableLine {
  text: string;
  line: number;
  offset: number;
  cut: boolean;
  mayHaveEsc: boolean;
  mayHaveCr: boolean;
  mayHaveEscapes: boolean;
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
  readonly #current: MutableLine = { text: '', line: 0, offset: 0, cut: false, mayHaveEsc: true, mayHaveCr: true, mayHaveEscapes: true };

  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** Calls `onLine` for each line completed by this chunk (the line object is reused: copy what you keep). */
  push(chunk: Uint8Array, onLine: (line: LogLine) => void): void {
    const piece = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    const text = this.#carry.length > 0 ? this.#carry + piece : piece;
    let base = this.#carryOffset;
    let start = 0;
    const cur = this.#current;
    cur.mayHaveEsc = text.includes('\x1b');
    cur.mayHaveCr = text.includes('\r');
    cur.mayHaveEscapes = text.includes('#01') || text.includes('\\');
    cur.cut = false;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      if (this.#skipping) {
        this.#skipping = false;
      } else {
        const end = nl > start && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
        cur.text = text.slice(start, end);
        cur.line = this.#line;
        cur.offset = base + start;
        onLine(cur);
      }
      this.#line++;
      start = nl + 1;
    }
    const rest = text.length - start;
    if (rest > this.#maxLineBytes && !this.#skipping) {
      onLine({ ...cur, text: text.slice(start, start + this.#maxLineBytes), line: this.#line, offset: base + start, cut: true });
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
      onLine({ text: t.slice(0, end), line: this.#line, offset: this.#carryOffset, mayHaveEsc: true, mayHaveCr: true, mayHaveEscapes: true });
    }
    this.#carry = '';
  }
}
