import type { Issue } from './issue.js';

/** What reading one input (a file, an archive member, a live feed) gave. `siplens messages --json` prints these. */
export interface InputReport {
  readonly path: string;
  /** `pcap`, `pcapng`, `log`, `zip`, `tar`, `gzip`, `directory`, `hep`, `stdin`, … */
  readonly kind: string;
  /** The log format or capture link type that was detected (`pjsip`, `sipp-trace`, `ethernet`), or null. */
  readonly format: string | null;
  messages: number;
  /** Items passed over (non-SIP packets, binary files); `issues` says why where it matters. */
  skipped: number;
  readonly issues: Issue[];
  /** For a file found inside an archive or folder: the input it was found in (whose counts include it). */
  readonly parent?: string;
}
