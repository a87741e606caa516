import type { Announcement, LinePrefix, LogDialect } from '../dialect.js';
import { readDateTime, readTimeOfDay } from '../time.js';
import { toAnnouncement, confidenceFrom, countMatches, isDashLine } from './common.js';

/**
 * A time stamp at the start of a line, bare or in brackets, as PJSIP and many apps print it: `16:35:39.729`,
 * `2023-02-22 18:34:02.345`, `[2024-01-26 22:44:31.736]`, `[19:40:32.913][t:1436][pjsip][debug]` (further bracket
 * groups are taken off too).
 */
export function readTimestampPrefix(line: string): LinePrefix | undefined {
  const c = line.charCodeAt(0);
  let p = 0;
  const bracket = c === 0x5b;
  if (bracket) p = 1;
  else if (c < 0x30 || c > 0x39) return undefined;
  const t = readDateTime(line, p) ?? readTimeOfDay(line, p);
  if (t === undefined) return undefined;
  p = t.end;
  if (bracket) {
    if (line.charCodeAt(p) !== 0x5d) return undefined;
    p++;
    while (line.charCodeAt(p) === 0x5b) {
      const close = line.indexOf(']', p);
      if (close < 0 || close - p > 40) break;
      p = close + 1;
    }
  }
  while (line.charCodeAt(p) === 0x20 || line.charCodeAt(p) === 0x09) p++;
  return { content: line.slice(p), time: t.value };
}

/**
 * PJSIP's message trace (pjsip_msg_print via mod-msg-print / pjsua_core): `TX 713 bytes Request msg REGISTER/cseq=1
 * (tdta0x…) to UDP 1.2.3.4:5060:` or `RX 500 bytes Response msg 401/REGISTER/cseq=2 (rdata0x…) from TCP a:p:`, the
 * message on the next lines, then `--end msg--` (or a dashed line on some builds).
 */
export function announcePjsip(content: string): Announcement | undefined {
  const b = content.indexOf(' bytes ');
  if (b < 4) return undefined;
  let d = b;
  while (d > 0 && content.charCodeAt(d - 1) >= 0x30 && content.charCodeAt(d - 1) <= 0x39) d--;
  if (d === b || d < 3 || content.charCodeAt(d - 1) !== 0x20 || content.charCodeAt(d - 2) !== 0x58) return undefined;
  const dir = content.charCodeAt(d - 3);
  if (dir !== 0x54 && dir !== 0x52) return undefined; // T or R
  if (!content.startsWith('Re', b + 7)) return undefined; // Request msg / Response msg
  const out = dir === 0x54;
  const word = out ? ' to ' : ' from ';
  const w = content.lastIndexOf(word);
  if (w < b) return toAnnouncement(out ? 'out' : 'in', undefined, undefined);
  let rest = content.slice(w + word.length).trim();
  if (rest.endsWith(':')) rest = rest.slice(0, -1);
  const sp = rest.indexOf(' ');
  if (sp < 0) return toAnnouncement(out ? 'out' : 'in', rest, undefined);
  return toAnnouncement(out ? 'out' : 'in', rest.slice(sp + 1), rest.slice(0, sp));
}

/** The line that ends a PJSIP trace: `--end msg--` (trailing white space allowed), or a dashed line on some builds. */
export function isPjsipEnd(content: string): boolean {
  return content.charCodeAt(0) === 0x2d && (content === '--end msg--' || content.trimEnd() === '--end msg--' || isDashLine(content, 20));
}

export const pjsip: LogDialect = {
  name: 'pjsip',
  detect(sample) {
    return confidenceFrom(countMatches(sample, (l) => announcePjsip(l) !== undefined || l.trim() === '--end msg--'), 0.7);
  },
  prefix: (line) => readTimestampPrefix(line),
  announce: (content) => announcePjsip(content),
  isEnd: (content) => isPjsipEnd(content),
};

