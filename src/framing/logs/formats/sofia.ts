import type { Announcement, LinePrefix, LogDialect } from '../dialect.js';
import { readDateTime, readTimeOfDay } from '../time.js';
import { toAnnouncement, confidenceFrom, countMatches, isDashLine } from './common.js';

/**
 * Sofia-SIP's tport log (FreeSWITCH `sofia global siptrace on`, drachtio): `recv 494 bytes from udp/[1.2.3.4]:5060 at
 * 11:46:10.771343:` or `send 1052 bytes to tcp/[…]:5060 at …:`, a dashed line, the message, an empty line.
 */
export function announceSofia(content: string): Announcement | undefined {
  const send = content.startsWith('send ');
  if (!send && !content.startsWith('recv ')) return undefined;
  const b = content.indexOf(' bytes ', 5);
  if (b < 0) return undefined;
  const word = send ? ' to ' : ' from ';
  const w = content.indexOf(word, b);
  if (w < 0) return undefined;
  const slash = content.indexOf('/', w);
  const atWord = content.indexOf(' at ', w);
  if (slash < 0 || atWord < 0 || slash > atWord) return undefined;
  const transport = content.slice(w + word.length, slash);
  const address = content.slice(slash + 1, atWord);
  const tod = readTimeOfDay(content, atWord + 4);
  return toAnnouncement(send ? 'out' : 'in', address, transport, tod === undefined ? {} : { time: tod.value });
}

/** FreeSWITCH and drachtio write `2021-04-02 17:28:11.060938 ` before their own log lines. */
function readSofiaPrefix(line: string): LinePrefix | undefined {
  const t = readDateTime(line, 0);
  if (t === undefined) return undefined;
  return { content: line.slice(t.end).trimStart(), time: t.value };
}

export const sofia: LogDialect = {
  name: 'sofia',
  detect: (sample) => confidenceFrom(countMatches(sample, (l) => announceSofia(readSofiaPrefix(l)?.content ?? l) !== undefined), 0.8),
  prefix: (line) => readSofiaPrefix(line),
  announce: (content) => announceSofia(content),
  isFiller: (content) => isDashLine(content),
};
