import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarnessError, isListening, pollUntil, startProcess, stopProcess, waitWithin } from './processes.js';
import type { Started } from './processes.js';

export type Transport = 'udp' | 'tcp';

export interface SippOptions {
  readonly dir: string;
  /** Names the trace files: `<role>.messages.log`, `<role>.errors.log`, `<role>.screen.log`. */
  readonly role: string;
  /** A file in test/harness/scenarios/. */
  readonly scenario: string;
  /** host:port (IPv6 in brackets) the phone sends to. */
  readonly remote: string;
  readonly localPort: number;
  readonly transport: Transport;
  readonly ipv6: boolean;
  /** `-key name value`: values the scenario uses as [name]. */
  readonly keys?: Readonly<Record<string, string>>;
  readonly auth?: { readonly user: string; readonly password: string; readonly uri: string } | undefined;
  /** Prefix of Call-IDs, so each phone's dialogs are told apart in a capture. */
  readonly callIdPrefix: string;
  /** sipp -recv_timeout: a message the scenario waits for that never comes ends the call (ms). */
  readonly recvTimeoutMs?: number;
  /** sipp -timeout: the whole run (s). */
  readonly timeoutS?: number;
}

export interface Sipp {
  readonly role: string;
  readonly messageLog: string;
  readonly errorLog: string;
  readonly screenLog: string;
  readonly started: Started;
}

export const scenarioDir = fileURLToPath(new URL('./scenarios/', import.meta.url));

/**
 * Starts one sipp phone for exactly one call (-m 1), with its timers bounded so it always ends: -recv_timeout for a
 * message that never comes, -timeout (with -timeout_error) for the whole run.
 */
export function startSipp(options: SippOptions): Sipp {
  const messageLog = join(options.dir, `${options.role}.messages.log`);
  const errorLog = join(options.dir, `${options.role}.errors.log`);
  const screenLog = join(options.dir, `${options.role}.screen.log`);
  const localIp = options.ipv6 ? '::1' : '127.0.0.1';
  const args = [
    options.remote,
    '-sf',
    join(scenarioDir, options.scenario),
    '-i',
    localIp,
    '-p',
    String(options.localPort),
    '-t',
    options.transport === 'tcp' ? 't1' : 'u1',
    '-m',
    '1',
    '-nostdin',
    '-timeout',
    `${options.timeoutS ?? 20}s`,
    '-timeout_error',
    '-recv_timeout',
    String(options.recvTimeoutMs ?? 10_000),
    '-cid_str',
    `${options.callIdPrefix}-%u-%p@%s`,
    '-trace_msg',
    '-message_file',
    messageLog,
    '-trace_err',
    '-error_file',
    errorLog,
    '-trace_screen',
    '-screen_file',
    screenLog,
    '-mi',
    localIp,
  ];
  for (const [name, value] of Object.entries(options.keys ?? {})) args.push('-key', name, value);
  if (options.auth !== undefined) args.push('-au', options.auth.user, '-ap', options.auth.password, '-auth_uri', options.auth.uri);
  const started = startProcess(
    `sipp ${options.role}`,
    'sipp',
    args,
    join(options.dir, `${options.role}.stdout`),
    join(options.dir, `${options.role}.stderr`),
    options.dir,
  );
  return { role: options.role, messageLog, errorLog, screenLog, started };
}

/** Waits until a sipp that answers calls (a UAS) listens on its port. */
export async function waitSippListening(sipp: Sipp, port: number, transport: Transport, ipv6: boolean): Promise<void> {
  const ready = await pollUntil(async () => sipp.started.child.exitCode !== null || (await isListening(port, transport, ipv6)), 10_000);
  if (!ready || sipp.started.child.exitCode !== null) {
    await stopProcess(sipp.started, 'SIGKILL');
    throw new HarnessError('SIPP_FAILED', `sipp ${sipp.role} did not listen on ${transport} port ${port} (see ${sipp.errorLog})`);
  }
}

/** Waits for a sipp to end by itself (its -timeout bounds this), killing it past `ms`; returns its exit code. */
export async function waitSippExit(sipp: Sipp, ms: number): Promise<number | null> {
  const code = await waitWithin(sipp.started.exited, ms);
  if (code !== undefined) return code;
  return stopProcess(sipp.started, 'SIGKILL');
}
