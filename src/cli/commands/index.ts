import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerCodes } from './codes.js';
import { registerExplain } from './explain.js';
import { registerAnalyze } from './analyze.js';
import { registerFlow } from './flow.js';
import { registerStats } from './stats.js';
import { registerExport } from './export.js';
import { registerMessages } from './messages.js';
import { registerServe } from './serve.js';

/** A command module adds its subcommand to the program; it sets `exit.code` rather than exiting. */
export type RegisterCommand = (program: Command, io: CliIo, exit: { code: number }) => void;

/** Every subcommand, in the order `--help` lists them. */
export const commands: readonly RegisterCommand[] = [
  registerExplain,
  registerCodes,
  registerAnalyze,
  registerFlow,
  registerStats,
  registerExport,
  registerMessages,
  registerServe,
];
