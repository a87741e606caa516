import type { Announcement, LogDialect } from '../dialect.js';
import { readTimeOfDay } from '../time.js';
import { confidenceFrom, countMatches, toFlow } from './common.js';

const WORDS = new Set(['UDP', 'TCP', 'TLS', 'WS', 'WSS']);

/**
 * baresip's SIP trace (`-s`, `sip_trace yes`): a `#` line (newer versions put the time of day before it,
 * `20:25:11.561#`), then `UDP 1.2.3.4:37472 -> 5.6.7.8:5060`, then the message. The trace does not say which side is
 * baresip, so the direction stays unset.
 */
export function announceBaresip(content: string): Announcement | undefined {
  const sp = content.indexOf(' ');
  if (sp < 2 || sp > 3 || !WORDS.has(content.slice(0, sp))) return undefined;
  const arrow = content.indexOf(' -> ', sp);
  if (arrow < 0) return undefined;
  const dst = content.slice(arrow + 4).trim();
  if (dst.includes(' ')) return undefined;
  return toFlow(content.slice(sp + 1, arrow), dst, content.slice(0, sp));
}

export const baresip: LogDialect = {
  name: 'baresip',
  detect: (sample) => confidenceFrom(countMatches(sample, (l) => announceBaresip(l) !== undefined), 0.75),
  prefix(line) {
    // `20:25:11.561#`: the time of the message that follows.
    if (!line.endsWith('#') || line.length < 9) return undefined;
    const t = readTimeOfDay(line, 0);
    return t === undefined || t.end !== line.length - 1 ? undefined : { content: '#', time: t.value };
  },
  announce: (content) => announceBaresip(content),
  isFiller: (content) => content === '#',
};
