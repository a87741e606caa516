import type { Announcement, LinePrefix, LogDialect } from '../dialect.js';
import { readDateTime } from '../time.js';
import { toAnnouncement, confidenceFrom, countMatches } from './common.js';

/** `2020-10-14 16:53:24,836 [SipContainerPool : 7] Attendant FINER - Attendant-5.3.0.0.249 - ` (java.util.logging style). */
function readJavaPrefix(line: string): LinePrefix | undefined {
  const t = readDateTime(line, 0);
  if (t === undefined || line.charCodeAt(t.end) !== 0x20 || line.charCodeAt(t.end + 1) !== 0x5b) return undefined;
  const close = line.indexOf('] ', t.end);
  if (close < 0) return undefined;
  // "Logger LEVEL - component - message": the message is after the second " - ".
  const d1 = line.indexOf(' - ', close);
  const d2 = d1 < 0 ? -1 : line.indexOf(' - ', d1 + 3);
  const content = d2 > 0 ? line.slice(d2 + 3) : line.slice(close + 2);
  return { content, time: t.value };
}

/**
 * The Avaya Breeze Attendant snap-in's CallServer log: `CallServer.requestReceived ` / `CallServer.responseReceived `
 * (received) and `CallServer.sendingOut Request` / `CallServer.sendingOut Response` (sent), each at the end of a log
 * line, then the message on the next lines, started by a CR.
 */
export function announceAttendant(content: string): Announcement | undefined {
  const t = content.trimEnd();
  if (t.endsWith('CallServer.requestReceived') || t.endsWith('CallServer.responseReceived')) return toAnnouncement('in', undefined, undefined);
  if (t.endsWith('CallServer.sendingOut Request') || t.endsWith('CallServer.sendingOut Response')) return toAnnouncement('out', undefined, undefined);
  return undefined;
}

export const avayaAttendant: LogDialect = {
  name: 'avaya-attendant',
  detect: (sample) => confidenceFrom(countMatches(sample, (l) => announceAttendant(readJavaPrefix(l)?.content ?? '') !== undefined), 0.85) ||
    confidenceFrom(countMatches(sample, (l) => l.includes(' - CallServer.')), 0.5),
  prefix: (line) => readJavaPrefix(line),
  announce: (content) => announceAttendant(content),
};
