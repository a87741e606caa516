import type { Announcement, LinePrefix, LogDialect } from '../dialect.js';
import { readDateTime } from '../time.js';
import { confidenceFrom, countMatches, toAnnouncement } from './common.js';

// reSIProcate (resip stack, repro, recon): rutil Log.cxx writes each line as
// `LEVEL | YYYYMMDD-HHMMSS.mmm | app | SUBSYSTEM | thread | File.cxx:line | text` (Log::delim is " | ", the stamp is
// local time with milliseconds). TransportSelector::transmit logs every message it sends as
// `Transmitting to <tuple> tlsDomain=<domain> via <tuple>`, a blank line, then the message (CRLFs kept, other control
// bytes %-escaped by Data::escaped). A tuple prints as `[ V4 192.0.2.1:5060 UDP … ]` or `[ V6 2001:db8::1 port=5060
// UDP … ]` (Tuple.cxx operator<<). The stack's receive path does not log message bytes, so only sent messages are
// announced; a message printed by the application itself is still read by its start line.

const LEVELS = new Set(['EMERG', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG', 'STACK', 'NONE']);

/** Takes the `LEVEL | stamp | app | subsystem | thread | file:line | ` prefix off, with the time it gives. */
export function readResipPrefix(line: string): LinePrefix | undefined {
  const bar = line.indexOf(' | ');
  if (bar < 3 || bar > 8 || !LEVELS.has(line.slice(0, bar))) return undefined;
  const stamp = line.slice(bar + 3, bar + 22);
  // 20240115-101502.123
  if (stamp.length !== 19 || stamp.charAt(8) !== '-' || stamp.charAt(15) !== '.') return undefined;
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)} ${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}${stamp.slice(15)}`;
  const time = readDateTime(iso, 0)?.value;
  let at = bar + 22;
  // " | " after the stamp, app, subsystem, thread and file:line
  for (let k = 0; k < 5; k++) {
    const next = line.indexOf(' | ', at);
    if (next < 0) return undefined;
    at = next + 3;
  }
  return time === undefined ? { content: line.slice(at) } : { content: line.slice(at), time };
}

/** `[ V4 192.0.2.1:5060 UDP … ]` or `[ V6 2001:db8::1 port=5060 TCP … ]` → address and transport word. */
function readTuple(text: string): { address: string; transport: string } | undefined {
  const words = text.replace(/^\[\s*/u, '').split(' ');
  const family = words[0];
  if (family === 'V4') {
    const address = words[1];
    const transport = words[2];
    return address === undefined || transport === undefined ? undefined : { address, transport };
  }
  if (family === 'V6') {
    const host = words[1];
    const port = words[2]?.startsWith('port=') === true ? words[2].slice(5) : undefined;
    const transport = words[3];
    return host === undefined || port === undefined || transport === undefined ? undefined : { address: `[${host}]:${port}`, transport };
  }
  return undefined;
}

export function announceResip(content: string): Announcement | undefined {
  if (!content.startsWith('Transmitting to [')) return undefined;
  const close = content.indexOf(']', 17);
  if (close < 0) return undefined;
  const target = readTuple(content.slice(16, close));
  if (target === undefined) return undefined;
  const via = content.indexOf(' via [', close);
  const viaClose = via < 0 ? -1 : content.indexOf(']', via + 6);
  const source = via < 0 || viaClose < 0 ? undefined : readTuple(content.slice(via + 5, viaClose));
  return toAnnouncement('out', target.address, target.transport, source === undefined ? {} : { local: source.address });
}

export const resiprocate: LogDialect = {
  name: 'resiprocate',
  detect: (sample) =>
    confidenceFrom(
      countMatches(sample, (l) => {
        const p = readResipPrefix(l);
        return p !== undefined && announceResip(p.content) !== undefined;
      }),
      0.85,
    ),
  prefix: (line) => readResipPrefix(line),
  announce: (content) => announceResip(content),
};
