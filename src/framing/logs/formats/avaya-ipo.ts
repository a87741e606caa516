import type { Announcement, LinePrefix, LogDialect } from '../dialect.js';
import { readInt } from '../text.js';
import { confidenceFrom, countMatches, toFlow } from './common.js';

/** IP Office System Monitor: every event starts with the uptime in milliseconds, `3309492437mS `. */
function readUptimePrefix(line: string): LinePrefix | undefined {
  const n = readInt(line, 0);
  if (n === undefined || line.charCodeAt(n[1]) !== 0x6d || line.charCodeAt(n[1] + 1) !== 0x53) return undefined;
  const text = line.slice(0, n[1] + 2);
  return { content: line.slice(n[1] + 2).trimStart(), time: { time: null, timeText: text, clock: n[0] / 1000 } };
}

/** `SIP Rx: TCP 213.148.136.222:5060 -> 10.255.1.21:23588` (Rx: received by IP Office, Tx: sent). */
export function announceIpo(content: string): Announcement | undefined {
  const rx = content.startsWith('SIP Rx: ');
  if (!rx && !content.startsWith('SIP Tx: ')) return undefined;
  const rest = content.slice(8).trim();
  const sp = rest.indexOf(' ');
  const arrow = rest.indexOf(' -> ');
  if (sp < 0 || arrow < sp) return undefined;
  return toFlow(rest.slice(sp + 1, arrow), rest.slice(arrow + 4).trim(), rest.slice(0, sp), rx ? 'in' : 'out');
}

/** Avaya IP Office System Monitor text: the message follows, each line indented by 20 spaces. */
export const avayaIpo: LogDialect = {
  name: 'avaya-ipo-monitor',
  detect: (sample) => confidenceFrom(countMatches(sample, (l) => announceIpo(readUptimePrefix(l)?.content ?? '') !== undefined), 0.85),
  prefix: (line) => readUptimePrefix(line),
  announce: (content) => announceIpo(content),
  wrapWidth: 255,
  clean(content) {
    let i = 0;
    while (i < 20 && content.charCodeAt(i) === 0x20) i++;
    return i === 0 ? content : content.slice(i);
  },
};
