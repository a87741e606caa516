import type { MessageRecord } from '../model/index.js';
import { formatOrigin } from '../model/index.js';

/**
 * A message as the reports show it: plain strings only, so one redaction pass over them covers every output format.
 * Built from a MessageRecord by `viewMessage`.
 */
export interface MessageView {
  readonly index: number;
  readonly kind: 'request' | 'response';
  readonly method: string | null;
  readonly status: number | null;
  readonly reason: string | null;
  /** CSeq method: for a response, the method it answers. */
  readonly cseqMethod: string | null;
  readonly cseq: number | null;
  readonly callId: string | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly fromUser: string | null;
  readonly toUser: string | null;
  readonly fromDisplay: string | null;
  /** Absolute time (ms since epoch) or null. */
  readonly time: number | null;
  /** A relative clock (seconds) when there is no absolute time. */
  readonly clock: number | null;
  /** The time as shown: `HH:MM:SS.mmm` (UTC) or the source's own text. */
  readonly timeLabel: string;
  readonly src: string;
  readonly dst: string;
  readonly transport: string | null;
  readonly direction: 'in' | 'out' | null;
  /** `file:line`, `file#packet`. */
  readonly origin: string;
  readonly format: string | null;
  readonly startLine: string;
  /** The lines a finding quotes: Warning, Reason, Min-Expires, Retry-After, Unsupported, Require… as `Name: value`. */
  readonly keyLines: readonly string[];
  /** The whole message as text. */
  readonly text: string;
}

/** Headers whose lines explain a failure by themselves (RFC 3261 §20.43 Warning, RFC 3326 Reason, §20.23, §20.33). */
const KEY_HEADERS = new Set([
  'Warning',
  'Reason',
  'Min-Expires',
  'Retry-After',
  'Unsupported',
  'Require',
  'Min-SE',
  'Server',
  'User-Agent',
  'Expires',
]);

const decoder = new TextDecoder('utf-8');

/** Label for the device that wrote a log, when the log names no address of its own. */
export const LOCAL_LABEL = 'this device';
/** Label for the peer of a log line that names no address. */
export const PEER_LABEL = 'peer';

/** Time of day, UTC, with milliseconds. */
export function formatTimeOfDay(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

/** Makes the string view of one parsed message. */
export function viewMessage(record: MessageRecord): MessageView {
  const { message: m, meta } = record;
  const text = decoder.decode(m.raw);
  const nl = text.indexOf('\n');
  const startLine = (nl < 0 ? text : text.slice(0, nl)).replace(/\r$/, '');
  const keyLines: string[] = [];
  for (const h of m.headers) {
    // Who sent a response matters (Server, User-Agent); a request's own software rarely explains a failure.
    if (m.kind === 'request' && (h.canonical === 'User-Agent' || h.canonical === 'Server')) continue;
    if (KEY_HEADERS.has(h.canonical)) keyLines.push(`${h.name}: ${h.value}`);
  }
  const cseq = m.cseq;
  const from = m.from;
  const to = m.to;
  const direction = meta.direction ?? null;
  const src = meta.src ?? (direction === 'out' ? LOCAL_LABEL : direction === 'in' ? PEER_LABEL : 'unknown');
  const dst = meta.dst ?? (direction === 'in' ? LOCAL_LABEL : direction === 'out' ? PEER_LABEL : 'unknown');
  return {
    index: record.index,
    kind: m.kind,
    method: m.method ?? null,
    status: m.status ?? null,
    reason: m.reason ?? null,
    cseqMethod: cseq?.method ?? m.method ?? null,
    cseq: cseq?.seq ?? null,
    callId: m.callId ?? null,
    from: from?.uri.raw ?? null,
    to: to?.uri.raw ?? null,
    fromUser: from?.uri.user ?? null,
    toUser: to?.uri.user ?? null,
    fromDisplay: from?.displayName ?? null,
    time: meta.time,
    clock: meta.clock ?? null,
    timeLabel: meta.time !== null ? formatTimeOfDay(meta.time) : (meta.timeText ?? ''),
    src,
    dst,
    transport: meta.transport ?? null,
    direction,
    origin: formatOrigin(meta.origin),
    format: meta.format ?? null,
    startLine,
    keyLines,
    text,
  };
}

/** A short arrow label: `INVITE`, `486 Busy Here`. */
export function labelMessage(m: MessageView): string {
  if (m.kind === 'request') return m.method ?? '?';
  return `${m.status ?? '?'} ${m.reason ?? ''}`.trim();
}

/** Seconds on the best clock the message has, for ordering and durations; null when it has none. */
export function secondsOf(m: MessageView): number | null {
  if (m.time !== null) return m.time / 1000;
  return m.clock;
}
