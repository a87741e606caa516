import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HarnessError, pollUntil, sleep, startProcess, stopProcess } from './processes.js';
import type { Started } from './processes.js';

export interface Capture {
  readonly pcap: string;
  /** Waits a short grace period for the last packets, then ends tshark (SIGINT, as a user's Ctrl-C). */
  readonly stop: () => Promise<void>;
}

/** The capture filter for SIP on the given loopback ports, UDP and TCP alike. */
export function buildCaptureFilter(ports: readonly number[]): string {
  return ports.map((port) => `port ${port}`).join(' or ');
}

/**
 * Starts tshark on the loopback interface writing pcapng, and resolves once it says it is capturing (dumpcap prints
 * "Capturing on" after the capture handle is open, so nothing sent afterwards is missed).
 */
export async function startCapture(dir: string, ports: readonly number[]): Promise<Capture> {
  const pcap = join(dir, 'capture.pcapng');
  const tshark: Started = startProcess(
    'tshark',
    'tshark',
    ['-i', 'lo', '-f', buildCaptureFilter(ports), '-w', pcap, '-q'],
    join(dir, 'tshark.out'),
    join(dir, 'tshark.err'),
    dir,
  );
  const ready = await pollUntil(() => tshark.stderrText().includes('Capturing on') || tshark.child.exitCode !== null, 15_000);
  if (!ready || tshark.child.exitCode !== null) {
    await stopProcess(tshark, 'SIGKILL');
    throw new HarnessError('CAPTURE_FAILED', `tshark did not start capturing on lo within 15 s: ${tshark.stderrText().slice(0, 500)}`);
  }
  return {
    pcap,
    stop: async () => {
      await sleep(300);
      await stopProcess(tshark, 'SIGINT', 5000);
      await pollUntil(async () => (await stat(pcap).catch(() => undefined)) !== undefined, 1000);
    },
  };
}
