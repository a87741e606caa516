import type { Announcement, LinePrefix, LogDialect } from '../dialect.js';
import { readInt } from '../text.js';
import { readClock, readDateTime } from '../time.js';
import { toAnnouncement, confidenceFrom, countMatches } from './common.js';

/**
 * Android logcat `2019-10-12 15:29:36.478 3750-3750/org.linphone.debug I/Linphone: ` (or threadtime `10-12 15:29:36.478
 * 3750 3750 I Linphone: `, without a year) and Apple os_log `2021-11-19 16:56:20.704995+0700 mifone[10737:1103557]
 * [Message] `. Every line of a message carries the prefix.
 */
function readMobilePrefix(line: string): LinePrefix | undefined {
  const dt = readDateTime(line, 0);
  let p: number;
  let time;
  if (dt !== undefined) {
    p = dt.end;
    time = dt.value;
  } else {
    // threadtime: MM-DD HH:MM:SS.mmm
    const mo = readInt(line, 0);
    if (mo === undefined || mo[1] !== 2 || line.charCodeAt(2) !== 0x2d) return undefined;
    const c = readClock(line, 6);
    if (c === undefined) return undefined;
    p = c.end;
    time = { time: null, timeText: line.slice(0, c.end), clock: c.seconds };
  }
  // logcat: "pid-tid/pkg L/Tag: " (the slash tells it from os_log)
  const tag = line.indexOf(': ', p);
  if (tag > 0 && tag - p < 120 && line.slice(p, tag).includes('/')) return { content: line.slice(tag + 2), time };
  // os_log: "proc[pid:tid] [Level] "
  const lvl = line.indexOf('] [', p);
  if (lvl > 0 && lvl - p < 80) {
    const close = line.indexOf('] ', lvl + 3);
    if (close > 0 && close - lvl < 20) return { content: line.slice(close + 2), time };
  }
  // threadtime: "pid tid L Tag: "
  if (tag > 0 && tag - p < 120 && dt === undefined) return { content: line.slice(tag + 2), time };
  return undefined;
}

/**
 * belle-sip (Linphone): `channel [0x…]: message sent to [TCP://192.168.1.181:5060], size: [442] bytes` and
 * `channel [0x…]: received [508] new bytes from [UDP://1.2.3.4:5060]:` (older builds: `message received from`).
 */
export function announceBelleSip(content: string): Announcement | undefined {
  const sent = content.indexOf('message sent to [');
  const recv = sent < 0 ? content.indexOf(' from [') : -1;
  if (sent < 0 && (recv < 0 || (!content.includes('received [') && !content.includes('message received')))) return undefined;
  const open = sent >= 0 ? sent + 16 : recv + 6;
  const close = content.indexOf(']', open);
  if (close < 0) return undefined;
  const url = content.slice(open + 1, close);
  const scheme = url.indexOf('://');
  const word = scheme > 0 ? url.slice(0, scheme) : undefined;
  const address = scheme > 0 ? url.slice(scheme + 3) : url;
  return toAnnouncement(sent >= 0 ? 'out' : 'in', address, word);
}

export const linphone: LogDialect = {
  name: 'belle-sip',
  detect: (sample) => confidenceFrom(countMatches(sample, (l) => announceBelleSip(readMobilePrefix(l)?.content ?? l) !== undefined), 0.8) ||
    confidenceFrom(countMatches(sample, (l) => readMobilePrefix(l)?.content.startsWith('\t') === true), 0.3),
  prefix: (line) => readMobilePrefix(line),
  announce: (content) => announceBelleSip(content),
  // os_log indents each message line with a tab.
  clean: (content) => (content.charCodeAt(0) === 0x09 ? content.slice(1) : content),
};
