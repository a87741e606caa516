import type { CliIo } from './io.js';

/** What a command tells its progress bar: bytes read of the total (null when unknown, as for stdin), and the end. */
export interface Progress {
  readonly update: (read: number, total: number | null) => void;
  /** Clears the bar's line, if one was drawn. */
  readonly done: () => void;
}

/** A progress bar on stderr, only when stderr is a terminal; redraws at most every 100 ms. */
export function createProgress(io: CliIo, label: string): Progress {
  if (!io.stderrIsTTY) return { update: () => undefined, done: () => undefined };
  let last = 0;
  let shown = false;
  const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
  return {
    update(read, total) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      if (total !== null && total > 0) {
        const frac = Math.min(1, read / total);
        const width = 30;
        const full = Math.round(frac * width);
        io.stderr(`\r${label} [${'#'.repeat(full)}${'-'.repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}% ${mb(read)} of ${mb(total)} `);
      } else {
        io.stderr(`\r${label} ${mb(read)} `);
      }
    },
    done() {
      if (shown) io.stderr('\r\u001b[2K');
    },
  };
}
