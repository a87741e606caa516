// Runs the CLI in-process with a captured io, as a user's shell would, for the command tests.
import { Readable } from 'node:stream';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRunOptions {
  readonly env?: Record<string, string>;
  /** stdout is a terminal (colours, tables). */
  readonly tty?: boolean;
  readonly stderrTty?: boolean;
  readonly stdin?: Uint8Array | string;
  readonly cwd?: string;
}

export async function runSiplens(argv: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdoutIsTTY: options.tty ?? false,
    stderrIsTTY: options.stderrTty ?? false,
    env: options.env ?? { LANG: 'C.UTF-8' },
    cwd: options.cwd ?? process.cwd(),
    ...(options.stdin !== undefined ? { stdin: Readable.from([Buffer.from(options.stdin)]) } : {}),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
