import type { Issue } from '../model/issue.js';

/** One message cut out of a byte stream. */
export interface FramedMessage {
  /** The message's bytes (start line to end of body). A view of the pushed chunk when possible, else a copy. */
  readonly bytes: Uint8Array;
  /** Byte offset of the first byte in the whole stream (all chunks pushed so far). */
  readonly offset: number;
  /** Defects found while framing; spans are relative to `bytes` except `framing-garbage`, relative to the stream. */
  readonly issues: Issue[];
  /** Set on a frame from `end()` that holds only skipped bytes that are not SIP (its bytes may be empty). */
  readonly garbage?: true;
  /** What the `headerScanner` option returned for this message, so that parse/ need not scan the headers again. */
  readonly headerScan?: unknown;
}

/**
 * Reads the header section of a message starting at `start` (a start line is there) in b[start, end): where it
 * ends (absolute index after the empty line), the Content-Length (-1 absent, -2 unreadable), and any state the
 * caller wants back on the frame. When the empty line is not within `end` yet, returns undefined, or headerEnd -1
 * with a state of what was read so far: the framer hands that back as `resume` on its next call for the same message
 * (with the message's bytes moved, perhaps, so the state must hold offsets relative to `start`).
 */
export type HeaderScanner = (
  b: Uint8Array,
  start: number,
  end: number,
  resume: unknown,
) => { readonly headerEnd: number; readonly contentLength: number; readonly state: unknown } | undefined;

export interface StreamFramerOptions {
  /** A message (headers and body) larger than this is cut, with an issue. Default 1 MiB. */
  readonly maxMessageBytes?: number;
  /** A header section larger than this (no empty line found) is cut, with an issue. Default 64 KiB. */
  readonly maxHeaderBytes?: number;
  /**
   * What a message without Content-Length holds: the bytes up to the next start line (useful for logs, the default)
   * or no body at all (RFC 3261 §18.3 makes Content-Length mandatory on streams).
   */
  readonly lengthless?: 'to-next-start-line' | 'empty-body';
  /**
   * Reads each header section instead of the framer's own search, and its result rides on the frame
   * (`headerScan`): parse/ passes one that builds its header index, so a stream is scanned once.
   */
  readonly headerScanner?: HeaderScanner;
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;
/** Longest start line that looksLikeSipStart examines; beyond it the line is not taken for SIP. */
const MAX_START_LINE = 8192;

/** 1 for the bytes of an RFC 3261 §25.1 `token` (method names), else 0. */
const TOKEN = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;
for (const ch of "-.!%*_+`'~") TOKEN[ch.charCodeAt(0)] = 1;

/**
 * Says whether a SIP start line begins at `offset`: `SIP/2.0 NNN …` (RFC 3261 §7.2) or `METHOD SP uri SP SIP/x.y`
 * (§7.1). Returns 1 (yes), 0 (no) or -1 (cannot tell yet: the line is not complete within `end`).
 */
export function classifySipStart(bytes: Uint8Array, offset: number, end: number = bytes.length): 1 | 0 | -1 {
  let i = offset;
  // Status line: "SIP/" digit(s) "." digit(s) SP 3DIGIT
  if (matchSipSlash(bytes, i, end)) {
    if (end - i < 4) return -1;
    i += 4;
    const v = skipVersionDigits(bytes, i, end);
    if (v < 0) return v === -1 ? -1 : 0;
    i = v;
    if (i >= end) return -1;
    if (bytes[i] !== SP) return 0;
    i++;
    // Status-Code is 3DIGIT (RFC 3261 §7.2); more digits are still SIP, for parse to report (RFC 4475 §3.1.2.19).
    const ds = i;
    while (i < end && bytes[i]! >= 0x30 && bytes[i]! <= 0x39 && i - ds < 12) i++;
    if (i >= end) return -1;
    if (i - ds < 3) return 0;
    const c = bytes[i]!;
    return c === SP || c === CR || c === LF || c === HT ? 1 : 0;
  }
  // Request line: token SP … SP "SIP/" version, up to the line end.
  const tokenStart = i;
  while (i < end && TOKEN[bytes[i]!] === 1) i++;
  if (i >= end) return i - tokenStart > 64 ? 0 : -1;
  if (i === tokenStart || bytes[i] !== SP || i - tokenStart > 64) return 0;
  const limit = Math.min(end, offset + MAX_START_LINE);
  let lineEnd = bytes.indexOf(LF, i);
  if (lineEnd >= limit) lineEnd = -1;
  if (lineEnd < 0) return limit === end && end - offset < MAX_START_LINE ? -1 : 0;
  // Trim the line end and trailing white space, then expect "SIP/" d "." d at the end, after a SP.
  let e = lineEnd;
  while (e > i && (bytes[e - 1] === CR || bytes[e - 1] === SP || bytes[e - 1] === HT)) e--;
  let d = e;
  while (d > i && isDigitOrDot(bytes[d - 1]!)) d--;
  if (d === e || d - 4 <= i) return 0;
  if (!matchSipSlash(bytes, d - 4, end)) return 0;
  const before = bytes[d - 5];
  return before === SP || before === HT ? 1 : 0;
}

/** Cheap check that a SIP start line (request or status line) begins at `offset`; false when unsure. */
export function looksLikeSipStart(bytes: Uint8Array, offset = 0): boolean {
  return classifySipStart(bytes, offset, bytes.length) === 1;
}

function isDigitOrDot(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e;
}

function matchSipSlash(b: Uint8Array, i: number, end: number): boolean {
  // Case-insensitive "SIP/", tolerating a short buffer (the caller checks the length).
  const n = Math.min(4, end - i);
  const want = [0x53, 0x49, 0x50, 0x2f];
  if (n <= 0) return false;
  for (let k = 0; k < n; k++) {
    const c = b[i + k]!;
    const w = want[k]!;
    if (c !== w && c !== (w | 0x20)) return false;
  }
  return true;
}

/** digits "." digits; returns the index after them, -1 if the buffer ends first, -2 if malformed. */
function skipVersionDigits(b: Uint8Array, i: number, end: number): number {
  const s = i;
  while (i < end && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
  if (i >= end) return -1;
  if (i === s || b[i] !== 0x2e) return -2;
  i++;
  const s2 = i;
  while (i < end && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
  if (i >= end) return -1;
  if (i === s2) return -2;
  return i;
}

/** Node's Buffer when present: its indexOf is a native search, much faster than TypedArray's on short ranges. */
const NodeBuffer: typeof Buffer | undefined = typeof Buffer === 'undefined' ? undefined : Buffer;

/** A Buffer view of the same memory (no copy) when Node's Buffer exists, else the bytes as they are. */
export function asSearchable(bytes: Uint8Array): Uint8Array {
  if (NodeBuffer === undefined || NodeBuffer.isBuffer(bytes)) return bytes;
  return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Uninitialised bytes (Node's pooled allocUnsafe when there), filled by the caller right away. */
function allocBytes(n: number): Uint8Array {
  return NodeBuffer === undefined ? new Uint8Array(n) : NodeBuffer.allocUnsafe(n);
}

/** Copies bytes[s, e) (a Buffer's slice() would be a view). */
function copyBytes(b: Uint8Array, s: number, e: number): Uint8Array {
  const out = new Uint8Array(e - s);
  out.set(b.subarray(s, e));
  return out;
}

/** Size of a stitch block (see blockBytes). */
const STITCH_BLOCK = 64 << 10;
/**
 * The block that stitches and joins are cut from, shared by all framers (a capture has one per TCP flow), so what
 * it pins is about what the framers hold. Frames keep views of a block: a full one is left to them, never reused.
 */
let block: Uint8Array | undefined;
let blockUsed = 0;

/**
 * `size` fresh bytes, cut from the stitch block when they fit in a quarter of one: many joins share one ArrayBuffer
 * (and, in parse/, one word view), where a Buffer each cost an allocation, a new 8 KiB pool every few segments.
 */
function blockBytes(size: number): Uint8Array {
  if (size > STITCH_BLOCK >>> 2) return allocBytes(size);
  if (block === undefined || blockUsed + size > block.length) {
    block = allocBytes(STITCH_BLOCK);
    blockUsed = 0;
  }
  const at = blockUsed;
  blockUsed = at + size;
  return block.subarray(at, at + size);
}

/** Frees the end of `bytes`, past its first `keep`, when it is still the last piece cut from the block. */
function giveBack(bytes: Uint8Array, keep: number): void {
  if (block === undefined || bytes.buffer !== block.buffer) return;
  const at = bytes.byteOffset - block.byteOffset;
  if (at + bytes.length === blockUsed) blockUsed = at + keep;
}

const PAT_LF_CRLF = Uint8Array.of(LF, CR, LF);
const PAT_LF_LF = Uint8Array.of(LF, LF);
const PAT_CONTENT_LENGTH = Uint8Array.from('\nContent-Length', (c) => c.charCodeAt(0));

/**
 * Finds the end of the header section starting at `from`: the index just after the empty line (CRLF CRLF, LF LF or a
 * mix), or -1. Also reads Content-Length (long or compact `l`) on the way: `out[0]` is its value, -1 when absent,
 * -2 when unreadable; `out[1]` is the index where scanning may resume when the end was not found.
 */
export function scanHeaderSection(b: Uint8Array, from: number, end: number, out: Int32Array | number[]): number {
  let i = from;
  let cl = -1;
  while (i < end) {
    const lf = b.indexOf(LF, i);
    if (lf < 0 || lf >= end) {
      out[0] = cl;
      out[1] = i;
      return -1;
    }
    // Read Content-Length on the line starting at i.
    const c0 = b[i]! | 0x20;
    if (c0 === 0x63 /* c */ || c0 === 0x6c /* l */) {
      const v = readContentLengthLine(b, i, lf);
      if (v !== -1) cl = v;
    }
    const n = lf + 1;
    if (n < end && b[n] === LF) {
      out[0] = cl;
      return n + 1;
    }
    if (n + 1 < end && b[n] === CR && b[n + 1] === LF) {
      out[0] = cl;
      return n + 2;
    }
    if (n >= end || (n + 1 >= end && b[n] === CR)) {
      // Cannot tell yet whether the next line is empty.
      out[0] = cl;
      out[1] = i;
      return -1;
    }
    i = n;
  }
  out[0] = cl;
  out[1] = i;
  return -1;
}

const CONTENT_LENGTH = 'content-length';

/** Value of a Content-Length / `l` header line in [s, e); -1 when the line is another header, -2 when unreadable. */
export function readContentLengthLine(b: Uint8Array, s: number, e: number): number {
  let i = s;
  if ((b[i]! | 0x20) === 0x6c) {
    i++;
  } else {
    if (e - s < 15) return -1;
    for (let k = 0; k < 14; k++) {
      if ((b[s + k]! | 0x20) !== CONTENT_LENGTH.charCodeAt(k)) return -1;
    }
    i = s + 14;
  }
  while (i < e && (b[i] === SP || b[i] === HT)) i++;
  if (i >= e || b[i] !== COLON) return -1;
  i++;
  while (i < e && (b[i] === SP || b[i] === HT)) i++;
  let v = 0;
  const ds = i;
  while (i < e && b[i]! >= 0x30 && b[i]! <= 0x39) {
    v = v * 10 + (b[i]! - 0x30);
    if (v > 0x3fffffff) return -2;
    i++;
  }
  if (i === ds) return -2;
  while (i < e && (b[i] === SP || b[i] === HT || b[i] === CR)) i++;
  return i === e ? v : -2;
}

/**
 * Splits a byte stream (a TCP payload stream, a log's text) into SIP messages by Content-Length (RFC 3261 §18.3).
 * Push chunks as they come; messages come out when complete, else the bytes wait (`pending`). CRLF keepalives
 * (RFC 5626 §4.4.1) are skipped silently; bytes that are not SIP are skipped and reported as a `framing-garbage`
 * issue on the next message (or, at `end()`, as a frame of their own); `end()` flushes what is left, with an issue.
 * Frames, and the bytes held back between pushes, are views of the pushed chunks (no copy): do not overwrite a
 * chunk's memory after pushing it (Node's streams never do; a reader that recycles one buffer must copy first).
 */
export class StreamFramer {
  readonly #maxMessageBytes: number;
  readonly #maxHeaderBytes: number;
  readonly #lengthless: 'to-next-start-line' | 'empty-body';
  readonly #scanner: HeaderScanner | undefined;
  #scanState: unknown;
  #buf: Uint8Array = new Uint8Array(0);
  /** #buf is a view of a pushed chunk (held-back bytes not copied yet): never write into it. */
  #borrowed = false;
  #len = 0;
  /** Stream offset of #buf[0]. */
  #base = 0;
  readonly #scan: number[] = [0, 0];
  /** Start of the current message within #buf, or -1 while looking for a start line. */
  #msgStart = -1;
  /** Where the search for the end of the current header section resumes, within #buf. */
  #headerResume = 0;
  /** Stream offsets of garbage skipped and not yet reported; start -1 when none. */
  #garbageStart = -1;
  #garbageEnd = -1;
  /** Next positions of "\n\r\n", "\n\n" and "\nContent-Length" in the current view (Buffer fast path). */
  #nextLfCrlf = -1;
  #nextLfLf = -1;
  #nextCl = -1;
  /**
   * The header section of the message at #msgStart, read already while its body is still incomplete: the end
   * (relative to #msgStart, -1 when none is held), the Content-Length and the scanner's state. A message cut by a
   * segment end is then not scanned again on every push.
   */
  #heldHeaderEnd = -1;
  #heldContentLength = -1;
  #heldState: unknown;
  /**
   * How many times the header scanner found no empty line yet in the message at #msgStart (#headerResume is then
   * where its bytes ended). From the second miss on, a push first looks for an empty line in its new bytes only, so a
   * header section dribbling in (one byte per push) is not scanned whole each time. Before that the look would cost
   * more than it saves: in 1460-byte segments a header section nearly always ends in the next one.
   */
  #headerMisses = 0;
  /** What the header scanner read of the message at #msgStart before its bytes ran out, for its next call. */
  #scanResume: unknown;

  constructor(options: StreamFramerOptions = {}) {
    this.#maxMessageBytes = options.maxMessageBytes ?? 1 << 20;
    this.#maxHeaderBytes = options.maxHeaderBytes ?? 64 << 10;
    this.#lengthless = options.lengthless ?? 'to-next-start-line';
    this.#scanner = options.headerScanner;
  }

  /** Bytes held back, waiting for the rest of a message. */
  get pending(): number {
    return this.#len;
  }

  push(chunk: Uint8Array): FramedMessage[] {
    const out: FramedMessage[] = [];
    if (chunk.length === 0) return out;
    let view: Uint8Array;
    let zeroCopy = false;
    if (this.#len === 0) {
      // Nothing held back: scan the caller's chunk in place and hand out views of it.
      view = asSearchable(chunk);
      this.#len = chunk.length;
      zeroCopy = true;
    } else if (chunk.length >= this.#len) {
      const head = this.#stitchBytes();
      if (head < chunk.length) {
        view = this.#stitch(chunk, head, out);
      } else {
        // A fresh buffer of what was held back plus the chunk: its messages can be handed out as views, since it
        // is never reused. Costs at most twice the chunk.
        view = blockBytes(this.#len + chunk.length);
        view.set(this.#held());
        view.set(chunk, this.#len);
      }
      this.#len = view.length;
      zeroCopy = true;
    } else {
      // A small piece of a large message: grow the held-back buffer in place (amortised), copy out what completes.
      this.#append(chunk);
      view = this.#buf;
    }
    const consumed = this.#drain(view, this.#len, out, false, zeroCopy);
    this.#keep(view, consumed, zeroCopy);
    return out;
  }

  /** Flushes everything held back: a truncated message comes out with an issue. The framer can be used again. */
  end(): FramedMessage[] {
    const out: FramedMessage[] = [];
    if (this.#len > 0) this.#drain(this.#buf, this.#len, out, true, false);
    if (this.#garbageStart >= 0) {
      // Garbage with no message after it: hand it out as a frame of its own so nothing is dropped silently.
      const start = this.#garbageStart;
      const end = this.#base + this.#len;
      const rel = Math.max(0, start - this.#base);
      out.push({
        bytes: copyBytes(this.#buf, rel, this.#len),
        offset: start,
        issues: [garbageIssue(start, end, 'warning')],
        garbage: true,
      });
      this.#garbageStart = -1;
    }
    this.#base += this.#len;
    this.#len = 0;
    this.#buf = new Uint8Array(0);
    this.#forgetMessage();
    return out;
  }

  #append(chunk: Uint8Array): void {
    const need = this.#len + chunk.length;
    if (need > this.#buf.length || this.#borrowed) {
      this.#borrowed = false;
      const next = allocBytes(Math.max(need, this.#buf.length * 2, 4096));
      next.set(this.#held());
      this.#buf = next;
    }
    this.#buf.set(chunk, this.#len);
    this.#len = need;
  }

  /**
   * Most often the held-back message ends a little way into the next chunk: finishes it in a small buffer of its own
   * (the held-back bytes and the chunk's first `head`) and returns the rest of the chunk, to be read in place. When
   * the message goes on past the stitch, returns what is still held back joined with the whole chunk instead.
   */
  #stitch(chunk: Uint8Array, head: number, out: FramedMessage[]): Uint8Array {
    const held = this.#len;
    const size = held + head;
    const stitch = blockBytes(size);
    stitch.set(this.#held());
    stitch.set(new Uint8Array(chunk.buffer, chunk.byteOffset, head), held);
    this.#len = size;
    const done = this.#drain(stitch, size, out, false, true);
    // Frames are views of the stitch's first `done` bytes only: the rest of the block is free again.
    giveBack(stitch, done);
    this.#advance(done);
    if (done >= held) return asSearchable(chunk.subarray(done - held));
    const joined = allocBytes(held - done + chunk.length);
    joined.set(stitch.subarray(done, held));
    joined.set(chunk, held - done);
    return joined;
  }

  /** The bytes held back: #buf itself when it holds nothing more (a borrowed rest), so no view is made. */
  #held(): Uint8Array {
    return this.#buf.length === this.#len ? this.#buf : new Uint8Array(this.#buf.buffer, this.#buf.byteOffset, this.#len);
  }

  /**
   * How many bytes of the next chunk a stitch takes: exactly what the held-back message still lacks when its header
   * section has been read (CRLF line ends, so Content-Length counts bytes as they are), else 4 KiB.
   */
  #stitchBytes(): number {
    if (this.#heldHeaderEnd >= 0 && this.#heldContentLength >= 0) {
      const headerEnd = this.#msgStart + this.#heldHeaderEnd;
      if (this.#buf[headerEnd - 2] === CR) return Math.max(1, headerEnd + this.#heldContentLength - this.#len);
    }
    return 4096;
  }

  /** The first `consumed` bytes of the current view are done with: positions move with them. */
  #advance(consumed: number): void {
    this.#base += consumed;
    if (this.#msgStart >= 0) {
      this.#msgStart -= consumed;
      this.#headerResume -= consumed;
    }
  }

  /** Drops the consumed prefix, keeping the rest in #buf. */
  #keep(view: Uint8Array, consumed: number, zeroCopy: boolean): void {
    const rest = this.#len - consumed;
    this.#advance(consumed);
    if (rest === 0) {
      this.#len = 0;
      return;
    }
    if (zeroCopy) {
      // Borrow the rest without copying: the next push copies it into a fresh buffer with its chunk, and #append
      // never writes into borrowed memory (frames are views of the pushed chunks anyway).
      this.#buf = new Uint8Array(view.buffer, view.byteOffset + consumed, rest);
      this.#borrowed = true;
    } else if (consumed > 0) {
      this.#buf.copyWithin(0, consumed, this.#len);
    }
    this.#len = rest;
  }

  #emit(out: FramedMessage[], view: Uint8Array, s: number, e: number, zeroCopy: boolean, issues: Issue[]): void {
    if (this.#garbageStart >= 0) {
      issues.unshift(garbageIssue(this.#garbageStart, this.#garbageEnd, 'warning'));
      this.#garbageStart = -1;
    }
    // A plain Uint8Array view: cheaper to make than a Buffer's subarray, and the same to every reader.
    const bytes = zeroCopy ? new Uint8Array(view.buffer, view.byteOffset + s, e - s) : copyBytes(view, s, e);
    const state = this.#scanState;
    this.#scanState = undefined;
    out.push(
      state === undefined ? { bytes, offset: this.#base + s, issues } : { bytes, offset: this.#base + s, issues, headerScan: state },
    );
    this.#forgetMessage();
  }

  /** No message in progress any more: what was read of the last one goes. */
  #forgetMessage(): void {
    this.#msgStart = -1;
    this.#heldHeaderEnd = -1;
    this.#heldState = undefined;
    this.#headerMisses = 0;
    this.#scanResume = undefined;
  }

  /** Remembers the header section just read for the message at `start`, whose body is not complete yet. */
  #hold(start: number, headerEnd: number, contentLength: number): number {
    this.#heldHeaderEnd = headerEnd - start;
    this.#heldContentLength = contentLength;
    this.#heldState = this.#scanState;
    return start;
  }

  /**
   * scanHeaderSection with native searches: the first "\n\r\n" or "\n\n" after the start line ends the header
   * section, and "\nContent-Length" is found by search; other spellings (`l:`, any case) fall back to a line scan.
   * The next position of each pattern is remembered, so a chunk of many messages is searched once.
   */
  #findHeaderEndFast(b: Uint8Array, start: number, len: number, out: number[]): number {
    const from = start;
    if (this.#nextLfCrlf < from) {
      const i = (b as Buffer).indexOf(PAT_LF_CRLF, from);
      this.#nextLfCrlf = i < 0 ? len : i;
    }
    if (this.#nextLfLf < from) {
      const i = (b as Buffer).indexOf(PAT_LF_LF, from);
      this.#nextLfLf = i < 0 ? len : i;
    }
    const a = this.#nextLfCrlf < len ? this.#nextLfCrlf + 3 : len + 1;
    const c = this.#nextLfLf < len ? this.#nextLfLf + 2 : len + 1;
    const end = a < c ? a : c;
    if (end > len) {
      out[0] = -1;
      out[1] = Math.max(from, len - 3);
      return -1;
    }
    if (this.#nextCl < from) {
      const i = (b as Buffer).indexOf(PAT_CONTENT_LENGTH, from);
      this.#nextCl = i < 0 ? len : i;
    }
    if (this.#nextCl < end) {
      const lineStart = this.#nextCl + 1;
      let lf = b.indexOf(LF, lineStart);
      if (lf < 0 || lf > end) lf = end;
      const v = readContentLengthLine(b, lineStart, lf);
      if (v !== -1) {
        out[0] = v;
        return end;
      }
    }
    // Content-Length spelt otherwise, or absent: read the lines.
    const e = scanHeaderSection(b, from, end, out);
    if (e < 0) {
      // The section ends exactly at `end`; scanHeaderSection stops one line short of seeing it.
      return end;
    }
    return e;
  }

  /** Emits every complete message in view[0, len); returns how many bytes may be dropped. */
  #drain(view: Uint8Array, len: number, out: FramedMessage[], final: boolean, zeroCopy: boolean): number {
    let pos = 0;
    const scan = this.#scan;
    this.#nextLfCrlf = this.#nextLfLf = this.#nextCl = -1;
    const fast = NodeBuffer !== undefined && NodeBuffer.isBuffer(view);
    for (;;) {
      if (this.#msgStart < 0) {
        // Looking for a start line. RFC 5626 §4.4.1: CRLF keepalives between messages are skipped silently.
        while (pos < len && (view[pos] === CR || view[pos] === LF)) pos++;
        if (pos >= len) return pos;
        const cls = classifySipStart(view, pos, len);
        if (cls === -1 && !final) return pos;
        if (cls !== 1) {
          // Not SIP: skip the line and try the next one.
          if (this.#garbageStart < 0) this.#garbageStart = this.#base + pos;
          const lf = view.indexOf(LF, pos);
          const next = lf < 0 || lf >= len ? len : lf + 1;
          this.#garbageEnd = this.#base + next;
          if (next === len && !final && lf < 0) {
            // A partial line: it may still become a start line once the rest arrives, unless it is already long.
            if (len - pos <= MAX_START_LINE) return pos;
          }
          pos = next;
          if (pos >= len) return pos;
          continue;
        }
        if (this.#garbageStart >= 0) this.#garbageEnd = this.#base + pos;
        this.#msgStart = pos;
        this.#headerResume = pos;
      }
      const start = this.#msgStart;
      let headerEnd: number;
      this.#scanState = undefined;
      if (this.#heldHeaderEnd >= 0) {
        headerEnd = start + this.#heldHeaderEnd;
        scan[0] = this.#heldContentLength;
        this.#scanState = this.#heldState;
      } else if (this.#scanner !== undefined && !final && this.#headerMisses >= 2 && !hasEmptyLine(view, this.#headerResume, len)) {
        // No empty line in the bytes that came since the last scan: the scanner would read it all only to say so.
        headerEnd = -1;
        scan[1] = len;
      } else if (this.#scanner !== undefined) {
        const r = this.#scanner(view, start, len, this.#scanResume);
        if (r === undefined || r.headerEnd < 0) {
          headerEnd = -1;
          scan[1] = len;
          this.#headerMisses++;
          this.#scanResume = r?.state;
        } else {
          this.#scanResume = undefined;
          headerEnd = r.headerEnd;
          scan[0] = r.contentLength;
          this.#scanState = r.state;
        }
      } else {
        headerEnd = fast ? this.#findHeaderEndFast(view, start, len, scan) : scanHeaderSection(view, this.#headerResume, len, scan);
      }
      if (headerEnd < 0) {
        this.#headerResume = scan[1]!;
        if (len - start > this.#maxHeaderBytes) {
          // No end of headers within the limit: cut there and look for the next start line.
          const cut = start + this.#maxHeaderBytes;
          this.#emit(out, view, start, cut, zeroCopy, [
            {
              code: 'header-section-too-large',
              severity: 'error',
              message: `expected the header section to end within ${this.#maxHeaderBytes} bytes (maxHeaderBytes), found no empty line; message cut`,
              span: { start: 0, end: cut - start },
            },
          ]);
          pos = cut;
          continue;
        }
        if (!final) return start;
        this.#emit(out, view, start, len, zeroCopy, [
          {
            code: 'truncated-headers',
            severity: 'error',
            message: `expected an empty line ending the header section, found the end of the stream after ${len - start} bytes`,
            span: { start: 0, end: len - start },
          },
        ]);
        return len;
      }
      const cl = scan[0]!;
      const issues: Issue[] = [];
      let msgEnd: number;
      if (cl >= 0) {
        msgEnd = headerEnd + cl;
        if (cl > 0 && view[headerEnd - 2] !== CR) {
          // LF-only header section: logs often turn CRLF into LF while Content-Length still counts CRLF. Walk
          // the body counting each bare LF as two bytes and prefer that end when a message (or the end) follows it.
          const walked = walkCrlfLength(view, headerEnd, len, cl);
          if (walked < 0 && !final) return this.#hold(start, headerEnd, cl);
          if (walked >= 0 && walked !== msgEnd) {
            const atWalked = nextStartAt(view, walked, len);
            if (atWalked === -1 && !final) return this.#hold(start, headerEnd, cl);
            const atRaw = msgEnd <= len ? nextStartAt(view, msgEnd, len) : -1;
            if (atWalked !== 0 || atRaw !== 1) {
              msgEnd = walked;
              issues.push({
                code: 'content-length-counts-crlf',
                severity: 'info',
                message: `expected ${cl} body bytes (Content-Length), found ${walked - headerEnd}: the line ends were converted from CRLF to LF`,
                span: { start: headerEnd - start, end: walked - start },
              });
            }
          }
        }
        if (msgEnd - start > this.#maxMessageBytes) {
          issues.push({
            code: 'message-too-large',
            severity: 'error',
            message: `expected a message of at most ${this.#maxMessageBytes} bytes (maxMessageBytes), Content-Length makes it ${msgEnd - start}; body cut`,
            span: { start: 0, end: headerEnd - start },
          });
          msgEnd = Math.max(headerEnd, start + this.#maxMessageBytes);
        }
        if (msgEnd > len) {
          if (!final) return this.#hold(start, headerEnd, cl);
          issues.push({
            code: 'truncated-body',
            severity: 'error',
            message: `expected a body of ${cl} bytes (Content-Length), found ${len - headerEnd} before the end of the stream`,
            span: { start: headerEnd - start, end: len - start },
          });
          msgEnd = len;
        }
      } else {
        if (this.#lengthless === 'empty-body') {
          msgEnd = headerEnd;
        } else {
          const next = findNextStart(view, headerEnd, len, final);
          if (next < 0) {
            if (len - start <= this.#maxMessageBytes) return this.#hold(start, headerEnd, cl);
            msgEnd = start + this.#maxMessageBytes;
          } else {
            msgEnd = Math.min(next, start + this.#maxMessageBytes);
          }
        }
        const taken = this.#lengthless === 'empty-body' ? 'as empty' : 'up to the next start line';
        issues.push({
          code: cl === -1 ? 'missing-content-length' : 'bad-content-length',
          severity: 'warning',
          message:
            cl === -1
              ? `expected Content-Length on a stream (RFC 3261 §18.3), found none; body taken ${taken}`
              : `expected Content-Length to be a decimal number, found something else; body taken ${taken}`,
          span: { start: 0, end: headerEnd - start },
        });
      }
      this.#emit(out, view, start, msgEnd, zeroCopy, issues);
      pos = msgEnd;
    }
  }
}

/**
 * Whether an empty line ends in b[from, end): an LF followed by LF or CRLF, the LF at `from - 2` or later (so that an
 * empty line straddling the old end of the bytes is found). A header section of many pushes is searched once overall.
 */
function hasEmptyLine(b: Uint8Array, from: number, end: number): boolean {
  // A byte loop: the bytes are few (one segment) and Buffer's indexOf costs a native call per line.
  for (let i = from < 2 ? 0 : from - 2; i < end - 1; i++) {
    if (b[i] !== LF) continue;
    const c = b[i + 1];
    if (c === LF || (c === CR && i + 2 < end && b[i + 2] === LF)) return true;
  }
  return false;
}

function garbageIssue(start: number, end: number, severity: 'warning' | 'error'): Issue {
  return {
    code: 'framing-garbage',
    severity,
    message: `expected a SIP start line, found ${end - start} bytes that are not SIP at stream offset ${start}; skipped`,
    span: { start, end },
  };
}

/**
 * End of a body of `cl` bytes starting at `from` when each bare LF stands for CRLF, or -1 when the buffer ends first.
 */
function walkCrlfLength(b: Uint8Array, from: number, end: number, cl: number): number {
  let left = cl;
  let i = from;
  while (left > 0) {
    if (i >= end) return -1;
    const c = b[i]!;
    left -= c === LF && (i === from || b[i - 1] !== CR) ? 2 : 1;
    i++;
  }
  return i;
}

/** 1 when a start line (after keepalive line ends) or nothing follows `at`, 0 when other bytes do, -1 when unsure. */
function nextStartAt(b: Uint8Array, at: number, end: number): 1 | 0 | -1 {
  let i = at;
  while (i < end && (b[i] === CR || b[i] === LF)) i++;
  if (i >= end) return -1;
  return classifySipStart(b, i, end);
}

/** Index of the next line start (after an LF) at which a SIP start line begins, or `end` when final, or -1. */
function findNextStart(b: Uint8Array, from: number, end: number, final: boolean): number {
  let i = from;
  // The body may begin right away with a start line (no body at all).
  for (;;) {
    if (i >= end) return final ? end : -1;
    const c = classifySipStart(b, i, end);
    if (c === 1) return i;
    if (c === -1 && !final) return -1;
    const lf = b.indexOf(LF, i);
    if (lf < 0 || lf >= end) return final ? end : -1;
    i = lf + 1;
  }
}
