import type { Transport } from '../../../model/index.js';
import type { Announcement, LogDialect } from '../dialect.js';
import { confidenceFrom, countMatches, toAnnouncement } from './common.js';

// eXosip2 over osip2's trace (osip_trace): each trace line starts `| INFO1 | <eXtl_udp.c: 412> ` (level, source file
// and line; osipparser2 port_misc.c), and the transport layers print the whole message after their own line:
//   eXosip2 3.x/4.x eXtl_udp.c   `Message sent: (to dest=%s:%i)\n%s\n` and `Received message: \n%s\n`
//   eXosip2 5.x  eXtl_*.c        `[eXosip] [UDP] [tid=%i] message sent [len=%d] to [%s][%d]\n%s\n`
// The source file names the transport (eXtl_udp.c, eXtl_tcp.c, eXtl_tls.c, eXtl_dtls.c).

const LEVEL_PREFIX = /^\|[ A-Z0-9]{7}\| <([^:>]{1,80}): \d{1,6}> /u;

function transportOfFile(file: string): string | undefined {
  const at = file.indexOf('eXtl_');
  if (at < 0) return undefined;
  const word = file.slice(at + 5, file.indexOf('.', at));
  return word === 'dtls' ? 'UDP' : word;
}

/** Reads an eXosip2 transport line; undefined for any other line. */
export function announceExosip(line: string): Announcement | undefined {
  let text = line;
  let fileTransport: string | undefined;
  const prefix = LEVEL_PREFIX.exec(text);
  if (prefix !== null) {
    fileTransport = transportOfFile(prefix[1] ?? '');
    text = text.slice(prefix[0].length);
  }
  if (text.startsWith('Message sent: (to dest=')) {
    const end = text.indexOf(')', 23);
    if (end < 0) return undefined;
    return toAnnouncement('out', text.slice(23, end), fileTransport);
  }
  if (text.startsWith('Received message:')) return toAnnouncement('in', undefined, fileTransport);
  if (text.startsWith('[eXosip] [')) {
    const close = text.indexOf(']', 10);
    const sent = text.indexOf('message sent [len=', close);
    const to = text.indexOf('] to [', sent);
    if (close < 0 || sent < 0 || to < 0) return undefined;
    const word = text.slice(10, close);
    const rest = text.slice(to + 6);
    const hostEnd = rest.indexOf('][');
    const portEnd = rest.indexOf(']', hostEnd + 2);
    if (hostEnd < 0 || portEnd < 0) return undefined;
    const host = rest.slice(0, hostEnd);
    const port = rest.slice(hostEnd + 2, portEnd);
    const peer = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const transport: Transport | undefined = word === 'DTLS' ? 'UDP' : undefined;
    return toAnnouncement('out', peer, transport ?? word);
  }
  return undefined;
}

export const exosip: LogDialect = {
  name: 'exosip',
  detect: (sample) => confidenceFrom(countMatches(sample, (l) => announceExosip(l) !== undefined), 0.8),
  announce: (content) => announceExosip(content),
};
