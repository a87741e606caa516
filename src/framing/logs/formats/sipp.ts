import type { Announcement, LogDialect } from '../dialect.js';
import { readDateTime } from '../time.js';
import { toAnnouncement, confidenceFrom, countMatches } from './common.js';

/**
 * SIPp `-trace_msg`: `----------------------------------------------- 2026-11-24 18:02:26.094988` then
 * `UDP message sent (514 bytes):` or `UDP message received [313] bytes :`, an empty line and the message.
 */
export function announceSipp(content: string): Announcement | undefined {
  const m = content.indexOf(' message ');
  if (m < 2 || m > 6) return undefined;
  const rest = content.slice(m + 9);
  const word = content.slice(0, m);
  if (rest.startsWith('sent')) return toAnnouncement('out', undefined, word);
  if (rest.startsWith('received')) return toAnnouncement('in', undefined, word);
  return undefined;
}

export const sipp: LogDialect = {
  name: 'sipp-trace',
  detect: (sample) => confidenceFrom(countMatches(sample, (l) => announceSipp(l) !== undefined), 0.8),
  prefix(line) {
    // The dashed line carries the time of the message after it; taking it as a prefix also ends the message before.
    if (!line.startsWith('----------')) return undefined;
    let p = 0;
    while (line.charCodeAt(p) === 0x2d) p++;
    const t = readDateTime(line, p + 1);
    return t === undefined ? undefined : { content: '', time: t.value };
  },
  announce: (content) => announceSipp(content),
};
