import type { Announcement, LogDialect } from '../dialect.js';
import { readDateTime } from '../time.js';
import { confidenceFrom, countMatches, toFlow } from './common.js';

/**
 * sngrep's "save as text": each message after a line `2019/05/15 09:02:04.629378 1.2.3.4:50441 -> 5.6.7.8:5060` and
 * an empty line. The transport is not written.
 */
export function announceSngrep(content: string): Announcement | undefined {
  const c = content.charCodeAt(0);
  if (c < 0x30 || c > 0x39) return undefined;
  const dt = readDateTime(content, 0);
  if (dt === undefined || content.charCodeAt(dt.end) !== 0x20) return undefined;
  const arrow = content.indexOf(' -> ', dt.end);
  if (arrow < 0) return undefined;
  const src = content.slice(dt.end + 1, arrow);
  const dst = content.slice(arrow + 4).trim();
  if (src.includes(' ') || dst.includes(' ') || !src.includes(':')) return undefined;
  return { ...toFlow(src, dst, undefined), time: dt.value };
}

export const sngrep: LogDialect = {
  name: 'sngrep',
  detect: (sample) => confidenceFrom(countMatches(sample, (l) => announceSngrep(l) !== undefined), 0.75),
  announce: (content) => announceSngrep(content),
};
