import type { Announcement, LinePrefix, LogDialect } from '../dialect.js';
import { readDateTime, readTimeOfDay } from '../time.js';
import { confidenceFrom, countMatches, toFlow } from './common.js';

/** tcpdump's address form `1.2.3.4.5060` or `fd00::1.5060` → `1.2.3.4:5060`, `[fd00::1]:5060`. */
function fromDotted(text: string): string {
  const dot = text.lastIndexOf('.');
  if (dot < 0) return text;
  const host = text.slice(0, dot);
  const port = text.slice(dot + 1);
  if (!/^\d{1,5}$/.test(port)) return text;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** `18:02:26.094988 IP 127.0.0.1.25071 > 127.0.0.1.25070: UDP, length 514` (also `IP6`, `-tttt` dates, `-n`). */
function readTcpdumpLine(line: string): { prefix: LinePrefix; ann: Announcement } | undefined {
  const t = readDateTime(line, 0) ?? readTimeOfDay(line, 0);
  if (t === undefined) return undefined;
  let p = t.end;
  if (line.startsWith(' IP ', p)) p += 4;
  else if (line.startsWith(' IP6 ', p)) p += 5;
  else return undefined;
  const gt = line.indexOf(' > ', p);
  const colon = line.indexOf(': ', gt + 3);
  if (gt < 0 || colon < 0) return undefined;
  const rest = line.slice(colon + 2);
  const word = rest.startsWith('UDP') ? 'UDP' : rest.startsWith('Flags') ? 'TCP' : undefined;
  const a = toFlow(fromDotted(line.slice(p, gt)), fromDotted(line.slice(gt + 3, colon)), word);
  return { prefix: { content: line, time: t.value }, ann: { ...a, time: t.value } };
}

/**
 * `tcpdump -A`: a header line per packet, then the payload as text. The first payload line starts with the IP and
 * UDP/TCP header bytes shown as junk, so the start line is searched inside it; CRLF prints as a line end.
 */
export const tcpdump: LogDialect = {
  name: 'tcpdump',
  detect: (sample) => confidenceFrom(countMatches(sample, (l) => readTcpdumpLine(l) !== undefined), 0.7),
  prefix: (line) => readTcpdumpLine(line)?.prefix,
  announce: (content) => readTcpdumpLine(content)?.ann,
  findAnywhere: true,
};
