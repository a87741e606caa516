import type { Origin } from './origin.js';

export type Transport = 'UDP' | 'TCP' | 'TLS' | 'SCTP' | 'WS' | 'WSS';
export type Direction = 'in' | 'out';

/**
 * What the capture or log says about a message, beside the message itself. Nothing here is invented: a log that
 * gives no peer address leaves `src`/`dst` unset; a log with only a time of day or an uptime counter keeps it in
 * `timeText` and leaves `time` null.
 */
export interface MessageMeta {
  /** Absolute time in milliseconds since the Unix epoch (fractions allowed), or null when the source has none. */
  readonly time: number | null;
  /** The time as the source wrote it, when it is not an absolute date and time (`12:03:04.551`, `3309492437mS`). */
  readonly timeText?: string;
  /** Seconds on a clock of the source's own (uptime, time of day) to order messages when `time` is null. */
  readonly clock?: number;
  /** `ip:port`, IPv6 in brackets (`[2001:db8::1]:5060`); just `ip` where the port is unknown. */
  readonly src?: string;
  readonly dst?: string;
  readonly transport?: Transport;
  /** Seen from the device or server that wrote the log: `in` received, `out` sent. Unset for captures. */
  readonly direction?: Direction;
  readonly origin: Origin;
  /** The reader that produced it (`pcap`, `pjsip`, `sipp-trace`, `hep`, …). */
  readonly format?: string;
}
