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

/** The process's own io. */
export function processIo(): CliIo {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
    stdin: process.stdin,
    signal: controller.signal,
  };
}
