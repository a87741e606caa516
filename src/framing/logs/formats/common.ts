import type { Direction, Transport } from '../../../model/index.js';
import type { Announcement } from '../dialect.js';
import { readSyslogPrefix } from '../syslog.js';
import { normalizeAddress, toTransport } from '../text.js';
import type { LogTime } from '../time.js';

/** Lines of a detection sample, the syslog header taken off where there is one. */
export function sampleLines(sample: string): string[] {
  const lines = sample.split('\n');
  // The sample may end mid-line.
  if (lines.length > 1) lines.pop();
  return lines.map((l) => {
    const t = l.endsWith('\r') ? l.slice(0, -1) : l;
    return readSyslogPrefix(t)?.content ?? t;
  });
}

/** Confidence from how many lines of the sample a test matched: one match is a good hint, several are sure. */
export function confidenceFrom(count: number, strong = 0.6): number {
  if (count === 0) return 0;
  return Math.min(0.99, strong + 0.1 * (count - 1));
}

/** Counts the sample's lines for which `test` holds. */
export function countMatches(sample: string, test: (line: string) => boolean): number {
  let n = 0;
  for (const line of sampleLines(sample)) if (test(line)) n++;
  return n;
}

/** Builds an announcement from a direction, the peer (and local) address and a transport word. */
export function toAnnouncement(
  direction: Direction | undefined,
  peer: string | undefined,
  transportWord: string | undefined,
  extra: { local?: string; time?: LogTime; inline?: string } = {},
): Announcement {
  // Built by assignment, not object spread: this runs once per message.
  const a: Writable<Announcement> = {};
  const p = peer === undefined ? undefined : normalizeAddress(peer);
  const l = extra.local === undefined ? undefined : normalizeAddress(extra.local);
  if (direction !== undefined) a.direction = direction;
  const src = direction === 'in' ? p : direction === 'out' ? l : undefined;
  const dst = direction === 'in' ? l : direction === 'out' ? p : undefined;
  if (src !== undefined) a.src = src;
  if (dst !== undefined) a.dst = dst;
  const transport: Transport | undefined = transportWord === undefined ? undefined : toTransport(transportWord);
  if (transport !== undefined) a.transport = transport;
  if (extra.time !== undefined) a.time = extra.time;
  if (extra.inline !== undefined) a.inline = extra.inline;
  return a;
}

/** The same type with its fields writable, to build a value step by step. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** `src -> dst` with both addresses normalised, for logs that print the flow (ngrep, baresip, IP Office). */
export function toFlow(src: string, dst: string, transportWord: string | undefined, direction?: Direction): Announcement {
  const transport = transportWord === undefined ? undefined : toTransport(transportWord);
  return {
    src: normalizeAddress(src),
    dst: normalizeAddress(dst),
    ...(transport !== undefined ? { transport } : {}),
    ...(direction !== undefined ? { direction } : {}),
  };
}

/** True for a line of at least `min` dashes and nothing else but spaces (Sofia, B179, esp-adf separators). */
export function isDashLine(text: string, min = 10): boolean {
  const t = text.trim();
  if (t.length < min) return false;
  for (let i = 0; i < t.length; i++) if (t.charCodeAt(i) !== 0x2d) return false;
  return true;
}
