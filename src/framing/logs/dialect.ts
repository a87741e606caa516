import type { Direction, Issue, MessageMeta, RawMessage, Transport } from '../../model/index.js';
import { StreamFramer } from '../stream-framer.js';
import { MessageAssembler, frameLoggedMessage } from './assembler.js';
import type { LogLine } from './line-splitter.js';
import { readEntryPart, readSyslogPrefix, splitEscapedLines } from './syslog.js';
import { findSipStart, isBlank, isHeaderLine, isLooseSipStartLine, isSipStartLine, stripAnsi } from './text.js';
import type { LogTime } from './time.js';
import { readMonth } from './time.js';
import type { Writable } from './formats/common.js';

/** What a log line says about the message printed after it (or on it). */
export interface Announcement {
  readonly direction?: Direction;
  readonly src?: string;
  readonly dst?: string;
  readonly transport?: Transport;
  readonly time?: LogTime;
  /** The message starts on this same line, with this text. */
  readonly inline?: string;
}

/** A log line's own prefix (time stamp, thread, level …) taken off, with the time it gave. */
export interface LinePrefix {
  readonly content: string;
  readonly time?: LogTime;
}

/**
 * One text log format: how its lines are prefixed, which lines announce a message (direction, peer, transport), and
 * which lines end one. The shared engine (DialectReader) does the rest: syslog layer, ANSI colours, escaped line ends,
 * message rebuilding and issues.
 */
export interface LogDialect {
  readonly name: string;
  /** Confidence (0..1) that a sample of the file's start is in this format. */
  detect(sample: string): number;
  prefix?(line: string, year: number | undefined): LinePrefix | undefined;
  announce(content: string, year: number | undefined): Announcement | undefined;
  /** A line that ends the message being read (`--end msg--`, a separator). */
  isEnd?(content: string): boolean;
  /** A line allowed between an announcement and the start line (separators, `#`). Blank lines always are. */
  isFiller?(content: string): boolean;
  /** Cleans a message line (indentation, ngrep's trailing `.` for CR, a tab). */
  clean?(content: string): string;
  /** The log wraps lines at this many characters; a line after one that long continues it. */
  readonly wrapWidth?: number;
  /** Start lines inside other text (after junk) are taken: the generic fallback and `tcpdump -A`. */
  readonly findAnywhere?: boolean;
  /** Messages must be announced; unannounced start lines are still read, as the generic fallback does. */
  readonly trimTrailing?: boolean;
}

/** Where messages, per-input issues and counts go, and the limits a reader keeps. */
export interface ReaderSink {
  readonly path: string;
  readonly format: string;
  readonly year: number | undefined;
  readonly maxMessageBytes: number;
  message(raw: RawMessage): void;
  issue(issue: Issue): void;
  skip(): void;
}

/**
 * A message a byte reader of the same format (formats/pjsip-bytes.ts) rebuilt from lines it read itself, handed to the
 * line engine as if the engine had read them: its bytes with CRLF line ends, not yet cut by Content-Length, what the
 * announcement said, the time of the announcement line's prefix, and where the start line is.
 */
export interface ReadElsewhere {
  readonly bytes: Uint8Array;
  readonly ann: Announcement;
  readonly time: LogTime;
  readonly line: number;
  readonly offset: number;
  /**
   * The reader made sure that the shared framer would take these bytes whole and find nothing to say (one
   * Content-Length, as the framer reads it, that the body matches; a strict start line; within maxMessageBytes).
   */
  readonly framed?: boolean;
}

/** A reader fed line by line. */
export interface LineReader {
  line(line: LogLine): void;
  end(): void;
}

interface Pending {
  readonly ann: Announcement;
  readonly time: LogTime | undefined;
  readonly line: number;
  readonly offset: number;
  readonly text: string;
  waited: number;
}

interface Current {
  readonly asm: MessageAssembler;
  readonly ann: Announcement | undefined;
  readonly time: LogTime | undefined;
  readonly line: number;
  readonly offset: number;
  /** The start line had a log prefix: every line of this message has one, and prefixed lines do not end it. */
  readonly everyLine: boolean;
}

const TRANSPORTS_STREAM = new Set(['TCP', 'TLS', 'WS', 'WSS']);

/** Reads any line-based text log through a dialect. */
export class DialectReader implements LineReader {
  readonly #d: LogDialect;
  readonly #sink: ReaderSink;
  #cur: Current | undefined;
  #pending: Pending | undefined;
  #lastTime: LogTime | undefined;
  #lastOrphan = -100;
  /** Whether a line with content was seen: a raw SIP file's first line may be a start line the strict test refuses. */
  #sawContent = false;
  #unsetReported = false;
  #prevLength = -1;
  #parts: { text: string; next: number; total: number; line: number; offset: number } | undefined;

  readonly #framer: StreamFramer;
  /** Lines need no cleaning or joining in this dialect, so the header fast path applies. */
  readonly #plain: boolean;

  constructor(dialect: LogDialect, sink: ReaderSink) {
    this.#d = dialect;
    this.#sink = sink;
    this.#plain = dialect.clean === undefined && dialect.wrapWidth === undefined && dialect.prefix !== undefined;
    this.#framer = new StreamFramer({ maxMessageBytes: sink.maxMessageBytes, lengthless: 'to-next-start-line' });
  }

  line(l: LogLine): void {
    if (l.cut === true) {
      this.#sink.issue({
        code: 'line-too-long',
        severity: 'warning',
        message: `expected lines shorter than the limit, found a longer one at line ${l.line}; the rest of it was skipped`,
        origin: { path: this.#sink.path, line: l.line, offset: l.offset },
      });
    }
    // Fast path for the bulk of a trace: a plain header line of the message being read. No log prefix can start with
    // a letter and then look like `Name:` (syslog months are refused by readMonth), so the prefix readers are skipped.
    const cur = this.#cur;
    if (cur !== undefined && l.mayHaveEsc === false && l.mayHaveCr === false && l.mayHaveEscapes === false && this.#plain && !cur.everyLine && !cur.asm.inBody) {
      const t = l.text;
      const c = t.charCodeAt(0) | 0x20;
      if (c >= 0x61 && c <= 0x7a && readMonth(t, 0) < 0 && t.charCodeAt(t.length - 2) !== 0x5e && isHeaderLine(t)) {
        if (cur.asm.add(t) === 'done') this.#finish();
        return;
      }
    }
    let text = l.mayHaveEsc === false ? l.text : stripAnsi(l.text);
    let prefixed = false;
    let time: LogTime | undefined;
    const year = this.#sink.year;
    const sys = readSyslogPrefix(text, year);
    if (sys !== undefined) {
      prefixed = true;
      time = sys.time;
      text = sys.content;
    }
    const p = this.#d.prefix?.(text, year);
    if (p !== undefined) {
      prefixed = true;
      if (p.time !== undefined && (time === undefined || time.time === null || p.time.time !== null)) time = p.time;
      text = p.content;
    }
    if (prefixed && time !== undefined) this.#lastTime = time;
    // Parts joined from other lines may hold what this line's chunk did not (escapes, CRs).
    let joinedParts = false;
    if (prefixed && (text.charCodeAt(0) === 0x5b || text.charCodeAt(0) === 0x28 || text.charCodeAt(0) === 0x70)) {
      const joined = this.#joinParts(text, l);
      if (joined === undefined) return;
      if (joined !== text) joinedParts = true;
      text = joined;
    }
    this.#process(text, prefixed, time, l, joinedParts);
  }

  /** The rest of a line's way once its prefixes are off: `^M`, lone CRs, escaped line ends, wrapped lines. */
  #process(input: string, prefixed: boolean, time: LogTime | undefined, l: LogLine, scanAll: boolean): void {
    let text = input;
    const joinedParts = scanAll;
    // `cat -v` and some viewers show each CR as a literal `^M` at the line's end.
    if (text.charCodeAt(text.length - 1) === 0x4d && text.charCodeAt(text.length - 2) === 0x5e) text = text.slice(0, -2);
    if ((l.mayHaveCr !== false || joinedParts) && text.includes('\r')) {
      // A lone CR is a line end too (old Mac style, or a log that printed "\r\n" after its own line).
      const parts = text.split('\r');
      for (let i = 0; i < parts.length; i++) this.#feed(parts[i]!, prefixed && i === 0, time, l);
      return;
    }
    const escaped = l.mayHaveEscapes === false && !joinedParts ? undefined : splitEscapedLines(text);
    if (escaped !== undefined) {
      for (let i = 0; i < escaped.length; i++) this.#feed(escaped[i]!, prefixed && i === 0, time, l, true);
      return;
    }
    const wrapped = this.#prevLength === this.#d.wrapWidth && !prefixed && this.#cur !== undefined;
    this.#prevLength = l.text.length;
    if (wrapped) {
      this.#cur!.asm.appendToLast(text);
      return;
    }
    this.#feed(text, prefixed, time, l);
  }

  /**
   * Puts together a log entry a device split into numbered syslog lines (`[1/3] …`, `[2/3] …`): returns the whole
   * entry when its last part arrives, undefined while parts are still missing, the text itself when it is no part.
   */
  #joinParts(text: string, l: LogLine): string | undefined {
    const part = readEntryPart(text);
    const held = this.#parts;
    if (part === undefined) {
      if (held !== undefined) this.#partsLost(held.line, held.next, held.total);
      return text;
    }
    if (part.index === 1) {
      if (held !== undefined) this.#partsLost(held.line, held.next, held.total);
      if (part.total === 1) return part.text;
      this.#parts = { text: part.text, next: 2, total: part.total, line: l.line, offset: l.offset };
      return undefined;
    }
    if (held === undefined || part.index !== held.next || part.total !== held.total) {
      if (held !== undefined) this.#partsLost(held.line, held.next, held.total);
      this.#partsLost(l.line, 1, part.total);
      return part.text;
    }
    held.text += part.text;
    held.next++;
    if (part.index < part.total) return undefined;
    this.#parts = undefined;
    return held.text;
  }

  /** Reads what arrived of an entry whose other parts never came, and says so. */
  #partsLost(line: number, next: number, total: number): void {
    const held = this.#parts;
    this.#parts = undefined;
    if (held !== undefined && held.line === line) {
      this.#process(held.text, true, this.#lastTime, { text: held.text, line: held.line, offset: held.offset }, true);
    }
    this.#sink.issue({
      code: 'entry-part-missing',
      severity: 'warning',
      message: `expected part ${next} of ${total} of the log entry split at line ${line}, found another line; read what came`,
      origin: { path: this.#sink.path, line, offset: held?.offset ?? 0 },
    });
  }

  end(): void {
    if (this.#parts !== undefined) this.#partsLost(this.#parts.line, this.#parts.next, this.#parts.total);
    if (this.#cur !== undefined) this.#finish();
    if (this.#pending !== undefined) this.#missing(this.#pending);
  }

  #feed(content: string, prefixed: boolean, time: LogTime | undefined, l: LogLine, escaped = false): void {
    const d = this.#d;
    const cur = this.#cur;
    if (cur !== undefined) {
      // Fast path: a header line of a message that is not over (announcements and end lines are never header lines).
      if ((!prefixed || cur.everyLine) && !cur.asm.inBody && d.clean === undefined && isHeaderLine(content)) {
        if (cur.asm.add(content) === 'done') this.#finish();
        return;
      }
      if (d.isEnd?.(content) === true) {
        this.#finish();
        return;
      }
      if (!prefixed || cur.everyLine) {
        const line = d.clean === undefined ? content : d.clean(content);
        // Without Content-Length a body runs to the next start line (a message/sipfrag body with one keeps it).
        const nextStart = cur.asm.inBody && !cur.asm.hasContentLength && isSipStartLine(line);
        if (!nextStart && d.announce(content, this.#sink.year) === undefined) {
          const r = cur.asm.add(line);
          if (r === 'more') return;
          if (r === 'done') {
            this.#finish();
            return;
          }
        }
      }
      this.#finish();
    }
    const ann = d.announce(content, this.#sink.year);
    if (ann !== undefined) {
      if (this.#pending !== undefined) this.#missing(this.#pending);
      const lineTime = prefixed ? time : this.#lastTime;
      // The line's own absolute stamp beats a time of day in the announcement (Sofia's `at 11:46:10.771343`).
      const pending: Pending = { ann, time: ann.time === undefined || (ann.time.time === null && lineTime?.time != null) ? lineTime : ann.time, line: l.line, offset: l.offset, text: content, waited: 0 };
      if (ann.inline !== undefined) {
        const at = findSipStart(ann.inline);
        if (at >= 0) {
          this.#start(ann.inline.slice(at), pending.ann, pending.time, l, prefixed, escaped);
          return;
        }
      }
      this.#pending = pending;
      return;
    }
    const c = d.clean === undefined ? content : d.clean(content);
    const pending = this.#pending;
    if (pending !== undefined) {
      if ((isBlank(c) || d.isFiller?.(c) === true) && pending.waited < 4) {
        pending.waited++;
        return;
      }
      const at = isSipStartLine(c) ? 0 : d.findAnywhere === true || prefixed ? findSipStart(c) : -1;
      this.#pending = undefined;
      if (at >= 0) {
        this.#start(c.slice(at), pending.ann, pending.time, l, prefixed, escaped);
        return;
      }
      this.#missing(pending);
    }
    let at = isSipStartLine(c) ? 0 : d.findAnywhere === true ? findSipStart(c) : -1;
    // A file of bare SIP (no log format) that opens with a malformed start line is still one message: the parser
    // says what is wrong with it (RFC 4475 §3.1.2: bad version, overlarge code, extra white space, no version).
    const bare = at < 0 && !this.#sawContent && d.name === 'generic' && !prefixed && isLooseSipStartLine(c);
    if (bare) at = 0;
    if (!isBlank(c)) this.#sawContent = true;
    if (at >= 0) {
      this.#start(c.slice(at), undefined, prefixed ? time : this.#lastTime, l, prefixed, escaped, bare);
      return;
    }
    this.#orphan(c, l);
  }

  #start(startLine: string, ann: Announcement | undefined, time: LogTime | undefined, l: LogLine, prefixed: boolean, escaped: boolean, bare = false): void {
    const asm = new MessageAssembler(startLine, { maxMessageBytes: this.#sink.maxMessageBytes }, escaped || this.#d.trimTrailing === true, bare);
    this.#cur = { asm, ann, time, line: l.line, offset: l.offset, everyLine: prefixed };
  }

  /** Between messages: no message or announcement open, no split entry waiting for its parts. */
  get idle(): boolean {
    return this.#cur === undefined && this.#pending === undefined && this.#parts === undefined;
  }

  /**
   * Takes a message whose lines another reader read while this one was idle (the announcement line, prefixed with
   * `m.time`, then the message lines, unprefixed): the same result as reading those lines here.
   */
  take(m: ReadElsewhere): void {
    this.#lastTime = m.time;
    const stream = m.ann.transport !== undefined && TRANSPORTS_STREAM.has(m.ann.transport);
    const { bytes, issues } = m.framed === true ? { bytes: m.bytes, issues: [] } : frameLoggedMessage(m.bytes, [], stream, this.#framer);
    this.#emit(bytes, issues, m.ann, m.time, m.line, m.offset);
  }

  #finish(): void {
    const cur = this.#cur;
    if (cur === undefined) return;
    this.#cur = undefined;
    const stream = cur.ann?.transport !== undefined && TRANSPORTS_STREAM.has(cur.ann.transport);
    const { bytes, issues } = cur.asm.finish(stream, this.#framer);
    this.#emit(bytes, issues, cur.ann, cur.time, cur.line, cur.offset);
  }

  #emit(bytes: Uint8Array, issues: Issue[], ann: Announcement | undefined, t: LogTime | undefined, line: number, offset: number): void {
    const origin = { path: this.#sink.path, line, offset };
    if (t?.unsetClock === true) {
      const text = t.timeText ?? (t.time === null ? '' : new Date(t.time).toISOString());
      const issue: Issue = {
        code: 'device-clock-unset',
        severity: 'warning',
        message: `expected a set clock, found ${text}, which looks like a device clock that was never set; times kept as written`,
        origin,
      };
      issues.push(issue);
      if (!this.#unsetReported) {
        this.#unsetReported = true;
        this.#sink.issue(issue);
      }
    }
    // Built by assignment, not object spread: this runs once per message.
    const meta: Writable<MessageMeta> = { time: t?.time ?? null, origin, format: this.#sink.format };
    if (t?.timeText !== undefined) meta.timeText = t.timeText;
    if (t?.clock !== undefined) meta.clock = t.clock;
    if (ann !== undefined) {
      if (ann.src !== undefined) meta.src = ann.src;
      if (ann.dst !== undefined) meta.dst = ann.dst;
      if (ann.transport !== undefined) meta.transport = ann.transport;
      if (ann.direction !== undefined) meta.direction = ann.direction;
    }
    this.#sink.message({ bytes, meta, issues: issues.length === 0 ? issues : issues.map((i) => (i.origin === undefined ? { ...i, origin } : i)) });
  }

  #missing(p: Pending): void {
    this.#pending = undefined;
    this.#sink.skip();
    this.#sink.issue({
      code: 'message-missing',
      severity: 'warning',
      message: `expected a SIP message after "${p.text.trim().slice(0, 80)}" at line ${p.line}, found none (the log lost or cut it)`,
      origin: { path: this.#sink.path, line: p.line, offset: p.offset },
    });
  }

  /** Headers with no start line before them: the log lost the start of a message. Reported once per run of lines. */
  #orphan(c: string, l: LogLine): void {
    const ch = c.charCodeAt(0) | 0x20;
    if (ch !== 0x63 && ch !== 0x69) return;
    const lower = c.slice(0, 8).toLowerCase();
    if (!lower.startsWith('call-id:') && !lower.startsWith('cseq:') && !lower.startsWith('i:')) return;
    if (l.line - this.#lastOrphan > 30) {
      this.#sink.issue({
        code: 'headers-without-start-line',
        severity: 'warning',
        message: `expected a SIP start line before the header "${c.slice(0, 60)}" at line ${l.line}, found none (the log lost the start of this message); not read`,
        origin: { path: this.#sink.path, line: l.line, offset: l.offset },
      });
      this.#sink.skip();
    }
    this.#lastOrphan = l.line;
  }
}
