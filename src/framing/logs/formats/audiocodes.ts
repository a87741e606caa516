import type { Announcement, LinePrefix, LogDialect } from '../dialect.js';
import { readHttpDate, readTimeOfDay } from '../time.js';
import { toAnnouncement, confidenceFrom, countMatches } from './common.js';

/**
 * AudioCodes syslog: `---- Incoming SIP Message from 52.114.75.24:5061 to SIPInterface #2 (Teams) TLS TO(#134)
 * SocketID(200) ----` and `---- Outgoing SIP Message to 52.114.75.24:8577 from SIPInterface #2 (Teams) TLS …`. The
 * message is escaped on the same line (`#012`) or follows on continuation lines.
 */
export function announceAudioCodes(content: string): Announcement | undefined {
  const inc = content.indexOf('---- Incoming SIP Message from ');
  const out = inc < 0 ? content.indexOf('---- Outgoing SIP Message to ') : -1;
  if (inc < 0 && out < 0) return undefined;
  const start = inc >= 0 ? inc + 31 : out + 29;
  const sp = content.indexOf(' ', start);
  const peer = content.slice(start, sp < 0 ? content.length : sp);
  const close = content.indexOf(' ----', start);
  const desc = close < 0 ? content.slice(start) : content.slice(start, close);
  const word = /\b(UDP|TCP|TLS)\b/.exec(desc)?.[1];
  const tail = close < 0 ? '' : content.slice(close + 5).trimStart();
  return toAnnouncement(inc >= 0 ? 'in' : 'out', peer, word, tail.length > 0 ? { inline: tail } : {});
}

/** `[Sat, 19 Dec 2020 10:45:08 GMT] ` (a collector's stamp) or `12:56:34.000  10.160.21.20  local0.notice  ` (a syslog viewer). */
function readAudioCodesPrefix(line: string): LinePrefix | undefined {
  if (line.charCodeAt(0) === 0x5b) {
    const t = readHttpDate(line, 1);
    if (t !== undefined && line.charCodeAt(t.end) === 0x5d) return { content: line.slice(t.end + 1).trimStart(), time: t.value };
    return undefined;
  }
  const t = readTimeOfDay(line, 0);
  if (t === undefined) return undefined;
  return { content: line.slice(t.end).trimStart(), time: t.value };
}

export const audiocodes: LogDialect = {
  name: 'audiocodes',
  detect: (sample) =>
    confidenceFrom(countMatches(sample, (l) => announceAudioCodes(l) !== undefined), 0.8) ||
    confidenceFrom(countMatches(sample, (l) => l.includes('[SID=') && l.includes('(N ')), 0.5),
  prefix: (line) => readAudioCodesPrefix(line),
  announce: (content) => announceAudioCodes(content),
  // Continuation lines are indented, each with its own `(N 5725461) ` sequence number.
  clean(content) {
    const t = content.trimStart();
    if (t.startsWith('(N ')) {
      const close = t.indexOf(') ');
      if (close > 0) return t.slice(close + 2);
    }
    return content;
  },
  trimTrailing: true,
};
