import { execFileSync } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HarnessError, pollUntil, sleep, startProcess, stopProcess, watchdogSeconds } from './processes.js';
import type { Started } from './processes.js';

export interface Capture {
  readonly pcap: string;
  /** Waits a short grace period for the last packets, then ends the capture (SIGINT, as a user's Ctrl-C). */
  readonly stop: () => Promise<void>;
}

/** The capture filter for SIP on the given loopback ports, UDP and TCP alike. */
export function buildCaptureFilter(ports: readonly number[]): string {
  return ports.map((port) => `port ${port}`).join(' or ');
}

/**
 * Records the loopback interface to pcapng with tshark's capture engine, dumpcap (tshark -w runs it too, after
 * loading every dissector first: seconds of CPU per run that only slow parallel scenarios down), or tshark itself
 * when dumpcap is not on PATH. Resolves once it says "Capturing on", which it prints after the capture handle is
 * open, so nothing sent afterwards is missed.
 */
export async function startCapture(dir: string, ports: readonly number[]): Promise<Capture> {
  const pcap = join(dir, 'capture.pcapng');
  const program = hasProgram('dumpcap') ? 'dumpcap' : 'tshark';
  const tshark: Started = startProcess(
    program,
    program,
    // -a duration: a watchdog for a capture whose runner died; a scenario takes seconds.
    ['-i', 'lo', '-f', buildCaptureFilter(ports), '-w', pcap, '-q', '-a', `duration:${watchdogSeconds}`],
    join(dir, 'capture.out'),
    join(dir, 'capture.err'),
    dir,
  );
  const ready = await pollUntil(() => tshark.stderrText().includes('Capturing on') || tshark.child.exitCode !== null, 15_000);
  if (!ready || tshark.child.exitCode !== null) {
    await stopProcess(tshark, 'SIGKILL');
    throw new HarnessError('CAPTURE_FAILED', `${program} did not start capturing on lo within 15 s: ${tshark.stderrText().slice(0, 500)}`);
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

let dumpcapFound: boolean | undefined;

function hasProgram(name: 'dumpcap'): boolean {
  if (dumpcapFound === undefined) {
    try {
      execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
      dumpcapFound = true;
    } catch {
      dumpcapFound = false;
    }
  }
  return dumpcapFound;
}
