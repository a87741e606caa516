import type { Announcement, LogDialect } from '../dialect.js';
import { confidenceFrom, countMatches, toAnnouncement } from './common.js';

/** `udp:1.2.3.4:5060` → transport word and address. */
function splitEndPoint(text: string): [string | undefined, string] {
  const c = text.indexOf(':');
  if (c > 0 && c <= 4) return [text.slice(0, c), text.slice(c + 1)];
  return [undefined, text];
}

/**
 * SIPSorcery: `Request sent: tls:192.168.1.2:5061->tls:187.28.102.101:5061` and `Response received:
 * tls:192.168.1.2:53692<-tls:187.28.102.101:5061`: the local end point first, the arrow pointing the way it went.
 */
export function announceSipSorcery(content: string): Announcement | undefined {
  const c = content.indexOf(': ');
  if (c < 0) return undefined;
  const head = content.slice(0, c);
  if (!/^(?:Request|Response) (?:sent|received)$/.test(head)) return undefined;
  const rest = content.slice(c + 2).trim();
  const out = rest.indexOf('->');
  const inn = rest.indexOf('<-');
  const arrow = out >= 0 ? out : inn;
  if (arrow < 0) return undefined;
  const [lw, local] = splitEndPoint(rest.slice(0, arrow));
  const [rw, remote] = splitEndPoint(rest.slice(arrow + 2));
  return toAnnouncement(out >= 0 ? 'out' : 'in', remote, rw ?? lw, { local });
}

export const sipsorcery: LogDialect = {
  name: 'sipsorcery',
  detect: (sample) => confidenceFrom(countMatches(sample, (l) => announceSipSorcery(l) !== undefined), 0.8),
  announce: (content) => announceSipSorcery(content),
};
