/** What a command may touch of the outside world; tests pass their own to run the CLI in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stdout is a terminal (colours, tables, Unicode). */
  readonly stdoutIsTTY: boolean;
  /** Whether stderr is a terminal (progress bars). */
  readonly stderrIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Standard input, for `-` as an input path. */
  readonly stdin?: NodeJS.ReadableStream;
  /** Aborted on SIGINT, so long-running commands (`serve`, `--follow`) can stop cleanly. */
  readonly signal?: AbortSignal;
}

/** Exit codes, documented in the README. */
export const ExitCode = {
  ok: 0,
  /** `--fail-on` threshold reached: findings of that severity or worse. */
  findings: 1,
  usage: 2,
  /** Nothing matched the query, or no SIP message was found in the inputs. */
  noMatch: 3,
  /** An input could not be read at all (missing file, permission). */
  inputError: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** True when output may be coloured: a terminal, and NO_COLOR unset or empty (https://no-color.org). */
export function useColor(io: CliIo): boolean {
  const noColor = io.env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  if (io.env['FORCE_COLOR'] !== undefined && io.env['FORCE_COLOR'] !== '0') return true;
  return io.stdoutIsTTY;
}

/** The streams `processIo` writes to and reads from; tests pass their own. */
export interface ProcessStreams {
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream;
}

/** A write error that means the reader went away (`siplens codes | head`): not a fault of ours. */
function isReaderGone(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END';
}

/**
 * The process's own io. When the reader of stdout goes away (EPIPE), output stops, long commands are aborted and the
 * process ends quietly with exit code 0 through `exitProcess`: a pipe into `head` is a normal way to use a CLI, and
 * Node would otherwise die on the unhandled 'error' event with a stack trace. Any other write error on stdout is
 * reported in one line and ends the process with exit code 4.
 */
export function processIo(
  streams: ProcessStreams = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin },
  exitProcess: (code: number) => void = (code) => process.exit(code),
): CliIo {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  let stdoutOpen = true;
  let stderrOpen = true;
  streams.stdout.on('error', (error: unknown) => {
    if (!stdoutOpen) return;
    stdoutOpen = false;
    controller.abort();
    if (isReaderGone(error)) {
      exitProcess(ExitCode.ok);
      return;
    }
    if (stderrOpen) streams.stderr.write(`siplens: cannot write to standard output: ${error instanceof Error ? error.message : String(error)}\n`);
    exitProcess(ExitCode.inputError);
  });
  // Nothing is left to tell anyone when stderr itself is gone; stop writing to it.
  streams.stderr.on('error', () => {
    stderrOpen = false;
  });
  return {
    stdout: (t) => {
      if (stdoutOpen) streams.stdout.write(t);
    },
    stderr: (t) => {
      if (stderrOpen) streams.stderr.write(t);
    },
    stdoutIsTTY: streams.stdout.isTTY === true,
    stderrIsTTY: streams.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
    stdin: streams.stdin,
    signal: controller.signal,
  };
}
