import { Command, CommanderError } from 'commander';
import type { CliIo } from './io.js';
import { ExitCode, processIo } from './io.js';
import { commands } from './commands/index.js';

const EXAMPLES = `
Examples:
  siplens explain 486 --method INVITE      what a Busy Here means for a call
  siplens explain "interval too brief"     look a code up by its words
  siplens codes --class 4 --md             the 4xx table as Markdown
`;

/** Builds the command tree; every command writes through `io` and sets its exit code through the returned holder. */
export function buildProgram(io: CliIo, exit: { code: number }): Command {
  const program = new Command('siplens')
    .description('Explains why a SIP account will not register and why a call failed.')
    .version('0.1.0')
    .showHelpAfterError('(run siplens --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .addHelpText('after', EXAMPLES);
  for (const register of commands) register(program, io, exit);
  return program;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. Never calls process.exit. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const exit = { code: ExitCode.ok as number };
  const program = buildProgram(io, exit);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0; usage errors with 1, which we report as 2.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    io.stderr(`siplens: ${error instanceof Error ? error.message : String(error)}\n`);
    return ExitCode.inputError;
  }
  return exit.code;
}

/** Entry point for bin/siplens.js. */
export async function main(argv: readonly string[]): Promise<number> {
  return runCli(argv, processIo());
}
