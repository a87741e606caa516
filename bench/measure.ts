// Runs a command under GNU time and returns wall time and peak RSS; the runner alternates tools over several runs.
import { spawn } from 'node:child_process';

export interface Measurement {
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly stdout: string;
  readonly exitCode: number;
}

/** Runs `bash -c script` (so pipes work) with GNU time around the part named by `timed`. */
export async function measure(script: string, options: { cwd?: string; keepStdout?: boolean } = {}): Promise<Measurement> {
  const marker = '__SIPLENS_TIME__';
  const started = process.hrtime.bigint();
  const child = spawn('bash', ['-c', script], {
    cwd: options.cwd,
    env: { ...process.env, TIME: `${marker} %e %M`, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    if (options.keepStdout === true) stdout += d;
  });
  child.stderr.on('data', (d: string) => {
    stderr += d;
    if (stderr.length > 1 << 20) stderr = stderr.slice(-65536);
  });
  const exitCode: number = await new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const line = stderr.split('\n').find((l) => l.startsWith(marker));
  const [, elapsed, rssKiB] = (line ?? '').split(' ');
  if (exitCode !== 0 && exitCode !== 1 && exitCode !== 3) {
    throw new Error(`command failed (${exitCode}): ${script}\n${stderr.slice(-2000)}`);
  }
  return {
    seconds: elapsed === undefined ? wall : Number(elapsed),
    peakRssMiB: rssKiB === undefined ? Number.NaN : Number(rssKiB) / 1024,
    stdout,
    exitCode,
  };
}

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { median, min: sorted[0] ?? Number.NaN, max: sorted[sorted.length - 1] ?? Number.NaN };
}
