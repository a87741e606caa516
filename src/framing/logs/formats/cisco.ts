import type { LinePrefix, LogDialect } from '../dialect.js';
import { readSyslogDate, readTimeOfDay } from '../time.js';
import { toAnnouncement, confidenceFrom, countMatches } from './common.js';

/**
 * Cisco IOS time stamps: uptime `00:11:29: ` (`service timestamps debug uptime`) or a date `*Mar  1 00:11:29.123: `
 * (the `*` marks a clock that was never set by NTP). Neither has a year, so both stay text.
 */
function readCiscoPrefix(line: string, year: number | undefined): LinePrefix | undefined {
  let p = 0;
  let unsynced = false;
  if (line.charCodeAt(0) === 0x2a || line.charCodeAt(0) === 0x2e) {
    unsynced = line.charCodeAt(0) === 0x2a;
    p = 1;
  }
  const t = readSyslogDate(line, p, year) ?? readTimeOfDay(line, p);
  if (t === undefined) return undefined;
  let e = t.end;
  if (line.startsWith(' UTC', e)) e += 4;
  if (line.charCodeAt(e) !== 0x3a) return undefined;
  const time = unsynced ? { ...t.value, unsetClock: true } : t.value;
  return { content: line.slice(e + 1).trimStart(), time };
}

/** `debug ccsip messages`: a `…/SIP/Msg/ccsipDisplayMsg:` line, then `Sent:` or `Received:`, then the message. */
export const cisco: LogDialect = {
  name: 'cisco-ccsip',
  detect: (sample) => confidenceFrom(countMatches(sample, (l) => l.includes('ccsipDisplayMsg')), 0.8),
  prefix: (line, year) => readCiscoPrefix(line, year),
  announce(content) {
    if (content === 'Sent:' || content === 'Sent: ') return toAnnouncement('out', undefined, undefined);
    if (content === 'Received:' || content === 'Received: ') return toAnnouncement('in', undefined, undefined);
    return undefined;
  },
};
