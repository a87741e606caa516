import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HarnessError, isListening, pollUntil, startProcess, stopProcess, watchdogSeconds } from './processes.js';
import type { Started } from './processes.js';

export interface KamailioUser {
  readonly user: string;
  readonly password: string;
  readonly blocked?: boolean;
}

export interface KamailioOptions {
  readonly dir: string;
  readonly port: number;
  readonly ipv6: boolean;
  readonly users: readonly KamailioUser[];
  readonly minExpires: number;
  /** tm fr_timer: no response at all (ms). */
  readonly frTimerMs: number;
  /** tm fr_inv_timer: provisional but no final response (ms). */
  readonly frInvTimerMs: number;
  readonly hep?: { readonly host: string; readonly port: number } | undefined;
}

export interface Kamailio {
  readonly config: string;
  /** kamailio's stderr log (core and script lines). */
  readonly log: string;
  readonly dumpDir: string;
  readonly stop: () => Promise<void>;
}

const moduleDirs = [
  '/usr/lib/x86_64-linux-gnu/kamailio/modules',
  '/usr/lib/aarch64-linux-gnu/kamailio/modules',
  '/usr/lib64/kamailio/modules',
  '/usr/lib/kamailio/modules',
  '/usr/local/lib64/kamailio/modules',
  '/usr/local/lib/kamailio/modules',
];

function findModuleDir(): string {
  const fromEnv = process.env['SIPLENS_KAMAILIO_MODULES'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const found = moduleDirs.find((dir) => existsSync(join(dir, 'tm.so')));
  if (found === undefined) {
    throw new HarnessError('KAMAILIO_MODULES_NOT_FOUND', `no kamailio module folder with tm.so among ${moduleDirs.join(', ')}; set SIPLENS_KAMAILIO_MODULES`);
  }
  return found;
}

/** Fills the config template (test/harness/kamailio.cfg.tpl) for one run. */
export async function renderKamailioConfig(options: KamailioOptions, dumpDir: string): Promise<string> {
  const template = await readFile(new URL('./kamailio.cfg.tpl', import.meta.url), 'utf8');
  const host = options.ipv6 ? '[::1]' : '127.0.0.1';
  const listen = [`listen=udp:${host}:${options.port}`, `listen=tcp:${host}:${options.port}`].join('\n');
  const users = options.users
    .flatMap((u) => [
      `\t$sht(users=>${u.user}) = "${u.password}";`,
      ...(u.blocked === true ? [`\t$sht(blocked=>${u.user}) = 1;`] : []),
    ])
    .join('\n');
  const hep = options.hep;
  const hepHost = hep === undefined ? '' : hep.host.includes(':') ? `[${hep.host}]` : hep.host;
  const values: Record<string, string> = {
    LISTEN: listen,
    MODULES: findModuleDir(),
    FR_TIMER: String(options.frTimerMs),
    FR_INV_TIMER: String(options.frInvTimerMs),
    MIN_EXPIRES: String(options.minExpires),
    DUMP_DIR: dumpDir,
    USERS: users,
    SIPTRACE_LOAD: hep === undefined ? '' : 'loadmodule "siptrace.so"',
    SIPTRACE_PARAMS:
      hep === undefined
        ? ''
        : [
            // Mirrors every SIP message kamailio receives and sends to the HEP collector (HEPv3).
            `modparam("siptrace", "duplicate_uri", "sip:${hepHost}:${hep.port}")`,
            'modparam("siptrace", "hep_mode_on", 1)',
            'modparam("siptrace", "hep_version", 3)',
            'modparam("siptrace", "trace_to_database", 0)',
            'modparam("siptrace", "trace_on", 1)',
            'modparam("siptrace", "trace_mode", 1)',
          ].join('\n'),
  };
  // The template's placeholders are @@NAME@@: split on the markers, the odd pieces are the names.
  return template
    .split('@@')
    .map((piece, i) => (i % 2 === 1 ? (values[piece] ?? `@@${piece}@@`) : piece))
    .join('');
}

/**
 * Starts kamailio in the foreground (-DD -E) with its own pid file and runtime folder in `dir`, and resolves once it
 * listens on UDP and TCP and its first worker has run event_route[core:worker-one-init].
 */
export async function startKamailio(options: KamailioOptions): Promise<Kamailio> {
  const dumpDir = join(options.dir, 'kamailio-sipdump');
  const runDir = join(options.dir, 'kamailio-run');
  await mkdir(dumpDir, { recursive: true });
  await mkdir(runDir, { recursive: true });
  const config = join(options.dir, 'kamailio.cfg');
  await writeFile(config, await renderKamailioConfig(options, dumpDir));
  const log = join(options.dir, 'kamailio.log');
  // Run under timeout(1) as a watchdog for a kamailio whose runner died; SIGTERM to the group reaches both.
  const kamailio: Started = startProcess(
    'kamailio',
    'timeout',
    ['-k', '5', String(watchdogSeconds), 'kamailio', '-f', config, '-DD', '-E', '-P', join(runDir, 'kamailio.pid'), '-Y', runDir, '-m', '32', '-M', '4'],
    join(options.dir, 'kamailio.out'),
    log,
    options.dir,
  );
  const ready = await pollUntil(
    async () =>
      kamailio.child.exitCode !== null ||
      (kamailio.stderrText().includes('siplens-harness: ready') &&
        (await isListening(options.port, 'udp', options.ipv6)) &&
        (await isListening(options.port, 'tcp', options.ipv6))),
    15_000,
  );
  if (!ready || kamailio.child.exitCode !== null) {
    await stopProcess(kamailio, 'SIGKILL');
    throw new HarnessError('KAMAILIO_FAILED', `kamailio did not become ready within 15 s (see ${log}): ${kamailio.stderrText().slice(-800)}`);
  }
  return {
    config,
    log,
    dumpDir,
    stop: async () => {
      await stopProcess(kamailio, 'SIGTERM', 5000);
    },
  };
}

/** The sipdump text file kamailio wrote (one per run: rotation is far longer than a scenario). */
export async function findSipdumpFile(dumpDir: string): Promise<string | undefined> {
  const names = await readdir(dumpDir).catch(() => [] as string[]);
  const data = names.filter((name) => name.endsWith('.data')).sort();
  const first = data[0];
  return first === undefined ? undefined : join(dumpDir, first);
}
