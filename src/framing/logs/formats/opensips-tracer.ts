import type { Announcement, LinePrefix, LogDialect } from '../dialect.js';
import { readDateTime } from '../time.js';
import { toHostPort, toTransport } from '../text.js';
import { confidenceFrom, countMatches } from './common.js';

/**
 * `ip:port` as OpenSIPS prints a socket (`ip_addr2a`, then `:` and the port): IPv6 comes without brackets, so the port
 * is what follows the last colon.
 */
function readSocket(text: string): string | undefined {
  const colon = text.lastIndexOf(':');
  if (colon <= 0 || colon === text.length - 1) return undefined;
  for (let i = colon + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  return toHostPort(text.slice(0, colon), text.slice(colon + 1));
}

/**
 * The line OpenSIPS's tracer module writes before each message to a `uri=file:` trace destination (tracer.c,
 * `trace_write_file`, OpenSIPS 3.2 and later): `in udp 2024-03-05 14:02:11 192.0.2.10:5060 -> 198.51.100.1:5060`, that
 * is the direction, the protocol (`proto2str`: udp, tcp, tls, sctp, ws, wss …), the server's local time to the second
 * (`strftime("%F %T")`, no zone), `from_ip:from_port -> to_ip:to_port`; then the message as received or sent and an
 * empty line. A `uri=syslog:` destination writes the same line without the time (`trace_write_syslog`), the log
 * prefix giving it. `in` is a message OpenSIPS received (from is the peer), `out` one it sent (to is the peer).
 */
export function announceOpensipsTracer(content: string): Announcement | undefined {
  let p: number;
  let direction: 'in' | 'out';
  if (content.startsWith('in ')) {
    direction = 'in';
    p = 3;
  } else if (content.startsWith('out ')) {
    direction = 'out';
    p = 4;
  } else {
    return undefined;
  }
  const sp = content.indexOf(' ', p);
  if (sp < 0 || sp - p < 2 || sp - p > 8) return undefined;
  const proto = content.slice(p, sp);
  for (let i = 0; i < proto.length; i++) {
    const c = proto.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || c === 0x5f)) return undefined;
  }
  p = sp + 1;
  const dt = readDateTime(content, p);
  if (dt !== undefined) {
    if (content.charCodeAt(dt.end) !== 0x20) return undefined;
    p = dt.end + 1;
  }
  const arrow = content.indexOf(' -> ', p);
  if (arrow < 0) return undefined;
  const src = readSocket(content.slice(p, arrow));
  const dstText = content.slice(arrow + 4).trimEnd();
  const dst = dstText.includes(' ') ? undefined : readSocket(dstText);
  if (src === undefined || dst === undefined || src.includes(' ')) return undefined;
  const transport = toTransport(proto);
  const a: { -readonly [K in keyof Announcement]: Announcement[K] } = { direction, src, dst };
  if (transport !== undefined) a.transport = transport;
  if (dt !== undefined) a.time = dt.value;
  return a;
}

/** OpenSIPS's own stderr log prefix left after the date (`Mar  5 14:02:11 [2345] …`): the process id in brackets. */
function readPidPrefix(line: string): LinePrefix | undefined {
  if (line.charCodeAt(0) !== 0x5b) return undefined;
  const close = line.indexOf('] ');
  if (close < 2 || close > 12) return undefined;
  for (let i = 1; i < close; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  return { content: line.slice(close + 2) };
}

/** The header line alone, where rsyslog kept a whole entry on one line (`#012` for each line end). */
function headerOf(line: string): string {
  const content = readPidPrefix(line)?.content ?? line;
  const esc = content.indexOf('#012');
  return esc < 0 ? content : content.slice(0, esc);
}

export const opensipsTracer: LogDialect = {
  name: 'opensips-tracer',
  detect: (sample) => confidenceFrom(countMatches(sample, (l) => announceOpensipsTracer(headerOf(l)) !== undefined), 0.8),
  prefix: (line) => readPidPrefix(line),
  announce: (content) => announceOpensipsTracer(content),
};
