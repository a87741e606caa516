import type { LogTime } from './time.js';
import { readDateTime, readSyslogDate } from './time.js';
import { readInt } from './text.js';

export interface SyslogPrefix {
  readonly content: string;
  readonly time?: LogTime;
}

/**
 * Strips a syslog header when a line has one: `<PRI>` (RFC 5424 §6.2.1), then an RFC 3164 date (`Mmm dd hh:mm:ss`)
 * or an RFC 5424 / high-precision date, then an optional host and the `tag[pid]:`. Returns undefined for other lines.
 * A line with neither `<PRI>` nor an RFC 3164 date is left to the format's own prefix reader.
 */
export function readSyslogPrefix(text: string, year?: number): SyslogPrefix | undefined {
  let p = 0;
  let hasPri = false;
  if (text.charCodeAt(0) === 0x3c) {
    const pri = readInt(text, 1);
    if (pri === undefined || pri[1] > 4 || text.charCodeAt(pri[1]) !== 0x3e) return undefined;
    p = pri[1] + 1;
    hasPri = true;
    // RFC 5424: VERSION SP after PRI
    if (text.charCodeAt(p) === 0x31 && text.charCodeAt(p + 1) === 0x20) p += 2;
  }
  const c = text.charCodeAt(p);
  let time: LogTime | undefined;
  if (c >= 0x41 && c <= 0x5a) {
    const d = readSyslogDate(text, p, year);
    if (d === undefined) return hasPri ? { content: text.slice(p) } : undefined;
    time = d.value;
    p = d.end;
  } else if (hasPri && c >= 0x30 && c <= 0x39) {
    const d = readDateTime(text, p);
    if (d === undefined) return { content: text.slice(p) };
    time = d.value;
    p = d.end;
  } else {
    return hasPri ? { content: text.slice(p) } : undefined;
  }
  if (text.charCodeAt(p) === 0x20) p++;
  // [host SP] tag ":" SP: take at most two words, the one ending in ':' is the tag.
  const w1 = text.indexOf(' ', p);
  const first = w1 < 0 ? text.slice(p) : text.slice(p, w1);
  if (first.endsWith(':')) return withTime(text.slice(w1 < 0 ? text.length : w1 + 1), time);
  if (w1 > 0) {
    const w2 = text.indexOf(' ', w1 + 1);
    const second = w2 < 0 ? text.slice(w1 + 1) : text.slice(w1 + 1, w2);
    if (second.endsWith(':') && second.length > 1) return withTime(text.slice(w2 < 0 ? text.length : w2 + 1), time);
  }
  return withTime(text.slice(p), time);
}

function withTime(content: string, time: LogTime | undefined): SyslogPrefix {
  return time === undefined ? { content } : { content, time };
}

/**
 * Splits a line that holds a whole message with its line ends escaped: rsyslog's `#012`/`#015` (octal control
 * characters), a literal `\r\n` / `\n`. Returns undefined when the line has no such escapes.
 */
export function splitEscapedLines(text: string): string[] | undefined {
  if (text.includes('#012')) return text.split('#012').map((s) => (s.includes('#015') ? s.replaceAll('#015', '') : s));
  if (text.includes('\\n') && hasEscapedStartLine(text)) {
    return text.replaceAll('\\r\\n', '\n').replaceAll('\\r', '').split('\\n').flatMap((s) => s.split('\n'));
  }
  return undefined;
}

/** A start line followed by a literal `\r\n` or `\n`: `…SIP/2.0\r\n` (request) or `SIP/2.0 200 OK\r\n` (response). */
function hasEscapedStartLine(text: string): boolean {
  if (text.includes('SIP/2.0\\r\\n') || text.includes('SIP/2.0\\n')) return true;
  const at = text.indexOf('SIP/2.0 ');
  if (at < 0) return false;
  const nl = text.indexOf('\\n', at);
  return nl > 0 && nl - at < 200;
}

/** One numbered part of a log entry that was split to fit a syslog packet: `[2/3] text`, `(2/3) text`, `part 2/3: text`. */
export interface EntryPart {
  readonly index: number;
  readonly total: number;
  readonly text: string;
}

/** Reads a part marker at the start of a line's content, or undefined. */
export function readEntryPart(content: string): EntryPart | undefined {
  const c = content.charCodeAt(0);
  let p: number;
  let close: number;
  if (c === 0x5b || c === 0x28) {
    p = 1;
    close = c === 0x5b ? 0x5d : 0x29;
  } else if (content.startsWith('part ')) {
    p = 5;
    close = 0x3a;
  } else {
    return undefined;
  }
  const index = readInt(content, p);
  if (index === undefined || content.charCodeAt(index[1]) !== 0x2f) return undefined;
  const total = readInt(content, index[1] + 1);
  if (total === undefined || content.charCodeAt(total[1]) !== close) return undefined;
  if (index[0] < 1 || index[0] > total[0] || total[0] > 999) return undefined;
  let e = total[1] + 1;
  if (content.charCodeAt(e) === 0x20) e++;
  return { index: index[0], total: total[0], text: content.slice(e) };
}
