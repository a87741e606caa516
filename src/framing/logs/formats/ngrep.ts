import type { Announcement, LogDialect } from '../dialect.js';
import { readDateTime, readTimeOfDay } from '../time.js';
import { confidenceFrom, countMatches, toFlow } from './common.js';

/**
 * ngrep `-W byline`: `#` separators, then `U 2019/05/15 09:02:04.629378 1.2.3.4:50441 -> 5.6.7.8:5060` (`T` for TCP,
 * then TCP flags like `[AP]`), then the payload with each CR shown as a trailing `.`.
 */
export function announceNgrep(content: string): Announcement | undefined {
  const k = content.charCodeAt(0);
  if ((k !== 0x55 && k !== 0x54) || content.charCodeAt(1) !== 0x20) return undefined;
  const arrow = content.indexOf(' -> ');
  if (arrow < 0) return undefined;
  let p = 2;
  const dt = readDateTime(content, p) ?? readTimeOfDay(content, p);
  if (dt !== undefined) p = dt.end + 1;
  const src = content.slice(p, arrow);
  if (src.includes(' ')) return undefined;
  let dstEnd = content.indexOf(' ', arrow + 4);
  if (dstEnd < 0) dstEnd = content.length;
  const a = toFlow(src, content.slice(arrow + 4, dstEnd), k === 0x55 ? 'UDP' : 'TCP');
  return dt === undefined ? a : { ...a, time: dt.value };
}

export const ngrep: LogDialect = {
  name: 'ngrep',
  detect: (sample) => confidenceFrom(countMatches(sample, (l) => announceNgrep(l) !== undefined), 0.8),
  announce: (content) => announceNgrep(content),
  isEnd: (content) => content === '#' || content.startsWith('####'),
  isFiller: (content) => content === '.',
  // byline mode prints the CR of each CRLF as '.'; the empty line ending the headers is a lone '.'.
  clean: (content) => (content.endsWith('.') ? content.slice(0, -1) : content),
};
