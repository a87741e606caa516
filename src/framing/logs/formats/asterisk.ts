import type { Announcement, LinePrefix, LogDialect } from '../dialect.js';
import { readDateTime, readSyslogDate } from '../time.js';
import { toAnnouncement, confidenceFrom, countMatches } from './common.js';

/** Asterisk's log prefix: `[Dec 12 10:00:00] VERBOSE[1234][C-00000001] chan_sip.c: ` or `[2020-12-10 12:00:00.123] …`. */
function readAsteriskPrefix(line: string, year: number | undefined): LinePrefix | undefined {
  if (line.charCodeAt(0) !== 0x5b) return undefined;
  const t = readDateTime(line, 1) ?? readSyslogDate(line, 1, year);
  if (t === undefined || line.charCodeAt(t.end) !== 0x5d) return undefined;
  let p = t.end + 1;
  while (line.charCodeAt(p) === 0x20) p++;
  // LEVEL[pid][callid] file.c: message
  const colon = line.indexOf(': ', p);
  const firstSpace = line.indexOf(' ', p);
  if (colon > 0 && firstSpace > 0 && line.indexOf(' ', firstSpace + 1) > colon) p = colon + 2;
  return { content: line.slice(p), time: t.value };
}

/** `UDP:1.2.3.4:5060` → transport and address (IPv6 in brackets). */
function splitTransportAddress(text: string): [string | undefined, string] {
  const c = text.indexOf(':');
  const word = c > 0 ? text.slice(0, c) : '';
  if (/^(?:UDP|TCP|TLS|WS|WSS|SCTP)$/i.test(word)) return [word, text.slice(c + 1)];
  return [undefined, text];
}

/**
 * chan_pjsip (res_pjsip_logger): `<--- Received SIP request (3126 bytes) from WSS:1.2.3.4:48850 --->`,
 * `<--- Transmitting SIP response (512 bytes) to UDP:1.2.3.4:5060 --->`. chan_sip: `<--- SIP read from UDP:a:p --->`,
 * `<--- Transmitting (NAT) to a:p --->`, `<--- Reliably Transmitting (no NAT) to a:p --->`.
 */
export function announceAsterisk(content: string): Announcement | undefined {
  const s = content.indexOf('<--- ');
  if (s < 0) return undefined;
  const e = content.indexOf(' --->', s);
  if (e < 0) return undefined;
  const body = content.slice(s + 5, e);
  let direction: 'in' | 'out';
  let at: number;
  if (body.startsWith('Received SIP') || body.startsWith('SIP read from')) {
    direction = 'in';
    at = body.lastIndexOf(' from ');
    at = at < 0 ? -1 : at + 6;
  } else if (body.startsWith('Transmitting') || body.startsWith('Reliably Transmitting')) {
    direction = 'out';
    at = body.lastIndexOf(' to ');
    at = at < 0 ? -1 : at + 4;
  } else {
    return undefined;
  }
  if (at < 0) return toAnnouncement(direction, undefined, undefined);
  const [word, address] = splitTransportAddress(body.slice(at).trim());
  return toAnnouncement(direction, address, word);
}

export const asterisk: LogDialect = {
  name: 'asterisk',
  detect: (sample) => confidenceFrom(countMatches(sample, (l) => announceAsterisk(l) !== undefined), 0.8),
  prefix: (line, year) => readAsteriskPrefix(line, year),
  announce: (content) => announceAsterisk(content),
  // chan_sip closes each message with `<------------->` and a summary `--- (12 headers 0 lines) ---`.
  isEnd: (content) => content.startsWith('<------') || (content.startsWith('--- (') && content.includes(' headers ')),
};
