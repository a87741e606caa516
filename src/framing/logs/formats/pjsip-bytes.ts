import { classifySipStart, readContentLengthLine } from '../../stream-framer.js';
import type { ReaderSink } from '../dialect.js';
import type { MutableLine } from '../line-splitter.js';
import { DialectReader } from '../dialect.js';
import { readEntryPart, readSyslogPrefix } from '../syslog.js';
import { isHeaderLineAt, isSipStartLine, readContentLengthAt } from '../text.js';
import { announcePjsip, isPjsipEnd, pjsip, readTimestampPrefix } from './pjsip.js';

// PJSIP logs read on the chunk's bytes. The line engine (DialectReader fed by LineSplitter) makes a string of every
// line and runs every test on it; here a message's lines are found and judged on the bytes, and the message is
// rebuilt by copying them. The line engine stays the reference: a trace is read here only when it has the one shape
// whose result is known to be the engine's (a prefixed announcement, then plain lines), and only while the engine is
// between messages; every other line goes to the engine, which is then where the reading goes on. Its state is the
// same either way: a message read here is handed to it (DialectReader.take) as if it had read the lines.

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const ESC = 0x1b;
const BACKSLASH = 0x5c;
const DASH = 0x2d;
const ESCAPED_LF = Buffer.from('#012', 'latin1');
const END_MSG = Buffer.from('--end msg--', 'latin1');

/** Undecided lines held beyond this go to the line engine: the fast path is for messages of ordinary size. */
const HOLD_LIMIT = 256 * 1024;
const FALL_BACK = -1;
const NEED_MORE = -2;

/** Where a needle next occurs in a buffer, found with the native search and remembered for the lines before it. */
class NextOccurrence {
  readonly #needle: number | Buffer;
  #data: Buffer = Buffer.alloc(0);
  /** The first occurrence at or after #from (#data.length when none). */
  #at = -1;
  #from = 0;

  constructor(needle: number | Buffer) {
    this.#needle = needle;
  }

  reset(data: Buffer): void {
    this.#data = data;
    this.#at = -1;
    this.#from = 0;
  }

  /** The first position at or after `s` where the needle starts, or the data's length. */
  after(s: number): number {
    if (this.#at < s || s < this.#from) {
      const at = this.#data.indexOf(this.#needle, s);
      this.#at = at < 0 ? this.#data.length : at;
      this.#from = s;
    }
    return this.#at;
  }
}

/**
 * Reads a PJSIP log from its chunks with the result of `LineSplitter` + `DialectReader(pjsip)`, the same messages,
 * metadata, issues and counts, with the same limits (`maxLineBytes` here, `sink.maxMessageBytes` in the engine).
 */
export class PjsipBytesReader {
  readonly #sink: ReaderSink;
  readonly #engine: DialectReader;
  readonly #maxLineBytes: number;
  /** Bytes not read yet: an unfinished line, or the lines of a message whose end has not come. A copy. */
  #carry: Buffer | undefined;
  /** Stream offset of the first byte of #data (of #carry between pushes). */
  #offset = 0;
  /** Line number of the line being read (at the carry's start between pushes). */
  #line = 1;
  /** The rest of a line cut at maxLineBytes is being skipped, as LineSplitter does. */
  #skipping = false;
  #data: Buffer = Buffer.alloc(0);
  readonly #esc = new NextOccurrence(ESC);
  readonly #cr = new NextOccurrence(CR);
  readonly #backslash = new NextOccurrence(BACKSLASH);
  readonly #escapedLf = new NextOccurrence(ESCAPED_LF);
  /** The message being rebuilt. Each line in it is at most its line in #data and a CRLF: 3 times #data is enough. */
  #out: Buffer = Buffer.alloc(0);
  readonly #l: MutableLine = { text: '', line: 0, offset: 0, cut: false, mayHaveEsc: true, mayHaveCr: true, mayHaveEscapes: true };
  #readHere = 0;

  constructor(sink: ReaderSink, maxLineBytes: number) {
    this.#sink = sink;
    this.#engine = new DialectReader(pjsip, sink);
    this.#maxLineBytes = maxLineBytes;
  }

  /** How many messages were read on the bytes here rather than by the line engine. */
  get readHere(): number {
    return this.#readHere;
  }

  push(chunk: Uint8Array): void {
    const piece = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const data = this.#carry === undefined ? piece : Buffer.concat([this.#carry, piece]);
    this.#carry = undefined;
    let p = 0;
    if (this.#skipping) {
      const nl = data.indexOf(LF);
      if (nl < 0) {
        this.#offset += data.length;
        return;
      }
      p = nl + 1;
      this.#line++;
      this.#skipping = false;
    }
    this.#begin(data);
    p = this.#read(p, false);
    const tail = data.lastIndexOf(LF) + 1;
    if (tail - p > HOLD_LIMIT) p = this.#readLines(p, tail);
    if (data.length - tail > this.#maxLineBytes) {
      // As LineSplitter: an unfinished line longer than the limit at the end of a push is cut, its rest skipped.
      this.#readLines(p, tail);
      const l = this.#l;
      l.text = data.toString('latin1', tail, tail + this.#maxLineBytes);
      l.line = this.#line;
      l.offset = this.#offset + tail;
      l.cut = true;
      l.mayHaveEsc = l.mayHaveCr = l.mayHaveEscapes = true;
      this.#engine.line(l);
      l.cut = false;
      this.#skipping = true;
      this.#offset += data.length;
      return;
    }
    // A copy: the caller may reuse the chunk.
    if (p < data.length) this.#carry = Buffer.from(data.subarray(p));
    this.#offset += p;
  }

  end(): void {
    const rest = this.#carry;
    this.#carry = undefined;
    if (rest !== undefined && !this.#skipping) {
      this.#begin(rest);
      this.#read(0, true);
    }
    this.#engine.end();
  }

  #begin(data: Buffer): void {
    this.#data = data;
    if (this.#out.length < 3 * data.length + 8) this.#out = Buffer.allocUnsafe(Math.max(3 * data.length + 8, 2 * this.#out.length));
    this.#esc.reset(data);
    this.#cr.reset(data);
    this.#backslash.reset(data);
    this.#escapedLf.reset(data);
  }

  /**
   * Reads the lines from `from` on; returns where it stopped: at an unfinished line, or at the announcement of a
   * message whose lines have not all come (`final`: the input ends here, the last line needs no LF).
   */
  #read(from: number, final: boolean): number {
    const data = this.#data;
    let p = from;
    while (p < data.length) {
      // The lines after a message, before searching: an empty line, `--end msg--`.
      if (data[p] === LF && this.#engine.idle) {
        p = this.#step(p);
        continue;
      }
      if (data[p] === DASH && this.#engine.idle) {
        const el = endMsgLineEnd(data, p);
        if (el >= 0) {
          p = this.#step(el);
          continue;
        }
      }
      const nl = data.indexOf(LF, p);
      if (nl < 0 && !final) break;
      const e = nl < 0 ? data.length : nl;
      if (this.#engine.idle) {
        const te = textEnd(data, p, e);
        // Between messages an empty line and `--end msg--` change nothing in the engine.
        if (isSpaces(data, p, te) || isEndMsg(data, p, te)) {
          p = this.#step(e);
          continue;
        }
        const c = data[p]!;
        if ((c >= 0x30 && c <= 0x39) || c === 0x5b) {
          const r = this.#readMessage(p, e, final);
          if (r === NEED_MORE) break;
          if (r >= 0) {
            p = r;
            continue;
          }
        }
      }
      this.#toEngine(p, e);
      p = this.#step(e);
    }
    return p;
  }

  /** Hands the whole lines in [from, to) to the engine. */
  #readLines(from: number, to: number): number {
    let p = from;
    while (p < to) {
      const nl = this.#data.indexOf(LF, p);
      this.#toEngine(p, nl);
      p = this.#step(nl);
    }
    return to;
  }

  /** Past the line ending at `e` (its LF, or the end of the data). */
  #step(e: number): number {
    if (e >= this.#data.length) return e;
    this.#line++;
    return e + 1;
  }

  #toEngine(s: number, e: number): void {
    const text = this.#data.toString('latin1', s, textEnd(this.#data, s, e));
    const l = this.#l;
    l.text = text;
    l.line = this.#line;
    l.offset = this.#offset + s;
    l.mayHaveEsc = text.includes('\x1b');
    l.mayHaveCr = text.includes('\r');
    l.mayHaveEscapes = text.includes('#01') || text.includes('\\');
    this.#engine.line(l);
  }

  /**
   * Reads the message announced on the line [p, e) when the engine would read it the same way: returns where reading
   * goes on after it, FALL_BACK when the engine must read these lines, NEED_MORE when they have not all come. The
   * lines are copied into #out as they are searched for their LF, each with a CRLF, as MessageAssembler.finish joins
   * them.
   */
  #readMessage(p: number, e: number, final: boolean): number {
    const data = this.#data;
    const out = this.#out;
    const year = this.#sink.year;
    // The announcement: judged with the engine's own functions, in the engine's order.
    const te = textEnd(data, p, e);
    if (!this.#isClean(p, te)) return FALL_BACK;
    const text = data.toString('latin1', p, te);
    if (readSyslogPrefix(text, year) !== undefined) return FALL_BACK;
    const prefix = readTimestampPrefix(text);
    if (prefix?.time === undefined) return FALL_BACK;
    const content = prefix.content;
    const c0 = content.charCodeAt(0);
    if ((c0 === 0x5b || c0 === 0x28 || c0 === 0x70) && readEntryPart(content) !== undefined) return FALL_BACK;
    if (endsWithCaretM(content)) return FALL_BACK;
    const ann = announcePjsip(content);
    if (ann === undefined || ann.inline !== undefined) return FALL_BACK;
    let lineNo = this.#line + 1;
    let at = e + 1;
    // Up to 4 blank lines, then the start line (DialectReader's pending announcement).
    let waited = 0;
    let s: number;
    let se: number;
    let sl: number;
    for (;;) {
      if (at >= data.length) return final ? FALL_BACK : NEED_MORE;
      sl = copyLine(data, at, out, 0);
      if (sl === data.length && !final) return NEED_MORE;
      se = textEnd(data, at, sl);
      if (!this.#isPlain(at, se)) return FALL_BACK;
      if (!isSpaces(data, at, se)) {
        s = at;
        break;
      }
      if (waited === 4) return FALL_BACK;
      waited++;
      at = sl + 1;
      lineNo++;
    }
    // The engine asks whether a line announces a message before it takes it for a start line.
    const startText = data.toString('latin1', s, se);
    if (!isSipStartLine(startText) || announcePjsip(startText) !== undefined) return FALL_BACK;
    const line = lineNo;
    let o = se - s;
    out[o++] = CR;
    out[o++] = LF;
    // MessageAssembler's count: each line and a CRLF.
    let size = o;
    const max = this.#sink.maxMessageBytes;
    let inBody = false;
    let contentLength: number | undefined;
    let bodyBytes = 0;
    /** Where the body's last line that is not empty ends in #out: without Content-Length the rest is the log's. */
    let bodyEnd = 0;
    // What the framer will read: how many lines it takes for Content-Length, the last value, where the headers end.
    let framerClLines = 0;
    let framerCl = -1;
    let headerEnd = -1;
    if (mayBeContentLength(data, s, se)) {
      framerCl = readContentLengthLine(out, 0, o - 1);
      if (framerCl !== -1) framerClLines++;
    }
    at = sl + 1;
    lineNo++;
    let next: number;
    for (;;) {
      if (at >= data.length) {
        if (!final) return NEED_MORE;
        // The input ends: the engine's end() finishes the message.
        next = data.length;
        break;
      }
      const le = copyLine(data, at, out, o);
      if (le === data.length && !final) return NEED_MORE;
      const t = textEnd(data, at, le);
      // Past the size limit the assembler drops the next line it is given: the engine reads that.
      if (size > max || !this.#isPlain(at, t)) return FALL_BACK;
      const after = le + 1;
      const n = t - at;
      if (!inBody && isHeaderLineAt(data, at, t)) {
        const ls = o;
        o += n;
        out[o++] = CR;
        out[o++] = LF;
        if (mayBeContentLength(data, at, t)) {
          const cl = readContentLengthAt(data, at, t);
          if (cl !== undefined && cl >= 0) contentLength = cl;
          // The framer reads the line with its CR.
          const v = readContentLengthLine(out, ls, o - 1);
          if (v !== -1) {
            framerCl = v;
            framerClLines++;
          }
        }
        size += n + 2;
        at = after;
        lineNo++;
        continue;
      }
      if (data[at] === DASH && isPjsipEnd(data.toString('latin1', at, t))) {
        next = after;
        lineNo++;
        break;
      }
      // A line that starts the next message ends this one before it (the engine reads it then).
      if (hasBytesWord(data, at, t) && announcePjsip(data.toString('latin1', at, t)) !== undefined) {
        next = at;
        break;
      }
      if (inBody && contentLength === undefined && isSipStartLine(data.toString('latin1', at, t))) {
        next = at;
        break;
      }
      if (!inBody) {
        if (isSpaces(data, at, t)) {
          // The empty line ending the headers, kept empty.
          out[o++] = CR;
          out[o++] = LF;
          bodyEnd = headerEnd = o;
          size += 2;
          inBody = true;
          at = after;
          lineNo++;
          if (contentLength === 0) {
            next = after;
            break;
          }
          continue;
        }
        // A body line with no empty line before it: the assembler says so, in an issue the engine gives.
        if (contentLength !== undefined && contentLength > 0 && n >= 2 && data[at + 1] === 0x3d) return FALL_BACK;
        // No header line: the message ends before it.
        next = at;
        break;
      }
      o += n;
      out[o++] = CR;
      out[o++] = LF;
      if (n > 0) bodyEnd = o;
      size += n + 2;
      bodyBytes += n + 2;
      at = after;
      lineNo++;
      if (contentLength !== undefined && bodyBytes >= contentLength) {
        next = after;
        break;
      }
    }
    if (!inBody && contentLength === 0) {
      // No empty line after `Content-Length: 0`: MessageAssembler.finish adds it.
      out[o++] = CR;
      out[o++] = LF;
      headerEnd = o;
    }
    if (inBody && contentLength === undefined) o = bodyEnd;
    const bytes = Buffer.allocUnsafe(o);
    out.copy(bytes, 0, 0, o);
    // The framer's result known beforehand: the whole message, no issue (its Content-Length, as it reads it, is the
    // body's; no other line gives one). Its frame is a plain view, so this one is too.
    const framed = framerClLines === 1 && framerCl >= 0 && headerEnd >= 0 && headerEnd + framerCl === o && o <= max && classifySipStart(bytes, 0, o) === 1;
    if (framed) this.#engine.take({ bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, o), ann, time: prefix.time, line, offset: this.#offset + s, framed });
    else this.#engine.take({ bytes, ann, time: prefix.time, line, offset: this.#offset + s });
    this.#readHere++;
    this.#line = lineNo;
    return Math.min(next, data.length);
  }

  /** No ANSI colour, CR, escaped line end or backslash in [s, te): the engine takes such a line apart first. */
  #isClean(s: number, te: number): boolean {
    return this.#esc.after(s) >= te && this.#cr.after(s) >= te && this.#backslash.after(s) >= te && this.#escapedLf.after(s) + ESCAPED_LF.length > te;
  }

  /** The engine reads the line [s, te) as it stands: clean, no `^M` at its end, and no syslog or time prefix. */
  #isPlain(s: number, te: number): boolean {
    if (!this.#isClean(s, te)) return false;
    const n = te - s;
    if (n === 0) return true;
    const data = this.#data;
    if (n >= 2 && data[te - 1] === 0x4d && data[te - 2] === 0x5e) return false;
    const c = data[s]!;
    // Only these first bytes can start a prefix: a syslog `<PRI>` or RFC 3164 date `Mmm `, a time or `[time]`.
    if (c === 0x3c || c === 0x5b || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a && n > 3 && data[s + 3] === SP)) {
      const text = data.toString('latin1', s, te);
      return readSyslogPrefix(text, this.#sink.year) === undefined && readTimestampPrefix(text) === undefined;
    }
    return true;
  }
}

/** The end of the line's text: before its LF and a CR before that (LineSplitter drops both). */
function textEnd(data: Buffer, s: number, e: number): number {
  return e > s && data[e - 1] === CR ? e - 1 : e;
}

/** Copies data[at, LF) to out[o, …) and returns where the LF is (the data's length when there is none). */
function copyLine(data: Buffer, at: number, out: Buffer, o: number): number {
  const n = data.length;
  let k = at;
  let w = o;
  while (k < n) {
    const c = data[k]!;
    if (c === LF) break;
    out[w++] = c;
    k++;
  }
  return k;
}

/** Whether ` bytes ` is in data[s, e), which every PJSIP announcement holds. */
function hasBytesWord(data: Buffer, s: number, e: number): boolean {
  for (let i = s + 1; i + 6 <= e; i++) {
    if (data[i] === 0x62 && data[i - 1] === SP && data[i + 1] === 0x79 && data[i + 2] === 0x74 && data[i + 3] === 0x65 && data[i + 4] === 0x73 && data[i + 5] === SP) return true;
  }
  return false;
}

/** The LF ending an `--end msg--` line at p, or -1. */
function endMsgLineEnd(data: Buffer, p: number): number {
  if (p + 11 >= data.length) return -1;
  for (let i = 0; i < 11; i++) if (data[p + i] !== END_MSG[i]) return -1;
  const c = data[p + 11];
  if (c === LF) return p + 11;
  return c === CR && data[p + 12] === LF ? p + 12 : -1;
}

function isSpaces(data: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (data[i] !== SP && data[i] !== HT) return false;
  return true;
}

function isEndMsg(data: Buffer, s: number, e: number): boolean {
  return e - s === END_MSG.length && data.compare(END_MSG, 0, END_MSG.length, s, e) === 0;
}

function endsWithCaretM(text: string): boolean {
  return text.charCodeAt(text.length - 1) === 0x4d && text.charCodeAt(text.length - 2) === 0x5e;
}

/**
 * Whether a line with no CR can be `Content-Length` or `l` to readContentLengthAt (text.ts) or to the framer's
 * readContentLengthLine: both need `l` first, or `content-length` in any case as the first 14 bytes.
 */
function mayBeContentLength(data: Uint8Array, s: number, e: number): boolean {
  const c = data[s]! | 0x20;
  return c === 0x6c || (c === 0x63 && e - s >= 15 && data[s + 7] === DASH && (data[s + 8]! | 0x20) === 0x6c);
}
