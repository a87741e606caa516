import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsharkSipPorts } from '../helpers/tools.js';
import { startCapture } from './capture.js';
import type { Capture } from './capture.js';
import { findSipdumpFile, startKamailio } from './kamailio.js';
import type { Kamailio } from './kamailio.js';
import { findFreePort, HarnessError, releasePort, stopProcess } from './processes.js';
import { expectScenario, frInvTimerMs, frTimerMs, harnessUsers, minExpires, scenarioDefinitions, scenarioNames } from './scenarios.js';
import type { HarnessUser, ScenarioDefinition, ScenarioExpected, ScenarioName } from './scenarios.js';
import { startSipp, waitSippExit, waitSippListening } from './sipp.js';
import type { Sipp, Transport } from './sipp.js';

export interface RunScenarioOptions {
  /** Where the files go; a fresh folder under os.tmpdir() when absent (removed by stop() unless `keep`). */
  readonly dir?: string;
  readonly transport?: Transport;
  /** Everything on ::1 instead of 127.0.0.1. */
  readonly ipv6?: boolean;
  /** Also mirror every SIP message kamailio receives and sends to this HEPv3 collector (UDP), via siptrace. */
  readonly hep?: { readonly host: string; readonly port: number };
  /** Keep a harness-made folder on stop(). */
  readonly keep?: boolean;
  /**
   * Use these ports (leased by the caller with findFreePort, released by it) instead of leasing new ones: runs one
   * after another then show the same addresses, as one device talking to one registrar does.
   */
  readonly ports?: ScenarioPorts;
}

/** The loopback ports of one run. */
export interface ScenarioPorts {
  readonly proxy: number;
  readonly caller: number;
  readonly callee: number;
  /** A port where nothing listens (register-no-response, call-dead-contact). */
  readonly dead: number;
}

export interface ScenarioRun {
  readonly name: ScenarioName;
  readonly description: string;
  readonly dir: string;
  readonly transport: Transport;
  readonly ipv6: boolean;
  /** tshark capture (pcapng) of everything on the run's loopback ports, UDP and TCP. */
  readonly pcap: string;
  /** sipp `-trace_msg` logs, one per sipp instance, in the order the phones ran. */
  readonly sippTraces: readonly string[];
  /** sipp `-trace_err` logs (unexpected messages; often empty). */
  readonly sippErrorLogs: readonly string[];
  /** sipp `-trace_screen` statistics screens. */
  readonly sippScreenLogs: readonly string[];
  /** Exit code per sipp role (0: the scenario ran as written; see `sipp -h`). */
  readonly sippExitCodes: Readonly<Record<string, number | null>>;
  /** kamailio's own record of every SIP message it received and sent: the sipdump module's text file. */
  readonly kamailioLog: string;
  readonly kamailioLogFormat: 'kamailio-sipdump-text';
  /** kamailio's stderr: core and script log lines, not the messages. */
  readonly kamailioStderr: string;
  readonly kamailioConfig: string;
  /** The registrar and proxy, 'ip:port' (IPv6 in brackets). */
  readonly proxy: string;
  readonly ports: ScenarioPorts;
  /** The accounts the scenario uses, by role. */
  readonly users: Readonly<Record<string, HarnessUser>>;
  readonly expected: ScenarioExpected;
  readonly durationMs: number;
  /** Everything has already ended when runScenario resolves; stop() removes a harness-made folder (unless keep). */
  readonly stop: () => Promise<void>;
}

/** tshark arguments that make it read every port of a run as SIP (tsharkSipPorts). */
export function tsharkDecodeAs(run: Pick<ScenarioRun, 'transport' | 'ports'>): string[] {
  const { proxy, caller, callee, dead } = run.ports;
  return tsharkSipPorts(run.transport, [proxy, caller, callee, dead]);
}

/** The scenario names with their descriptions and outcomes (over UDP; `expectedOverTcp` where TCP differs). */
export function listScenarios(): Array<{ name: ScenarioName; description: string; expected: ScenarioExpected; expectedOverTcp: ScenarioExpected }> {
  return scenarioNames.map((name) => {
    const definition = scenarioDefinitions[name];
    return { name, description: definition.description, expected: definition.expected, expectedOverTcp: expectScenario(definition, 'tcp') };
  });
}

interface RunContext {
  readonly dir: string;
  readonly transport: Transport;
  readonly ipv6: boolean;
  readonly ports: ScenarioPorts;
  readonly sipps: Sipp[];
  readonly exitCodes: Record<string, number | null>;
}

/**
 * Runs one scenario with real software on loopback: tshark first, then kamailio (registrar and proxy with digest
 * authentication), then the sipp phones; everything it started has ended when it resolves (or rejects). Rejects with
 * a HarnessError when a tool fails to start or a phone does not follow its script (the files stay in `dir`).
 */
export async function runScenario(name: ScenarioName, options: RunScenarioOptions = {}): Promise<ScenarioRun> {
  const definition = scenarioDefinitions[name];
  const began = Date.now();
  const transport = options.transport ?? 'udp';
  const ipv6 = options.ipv6 ?? false;
  const madeDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), `siplens-${name}-`)));
  const leased: number[] = [];
  const lease = async (): Promise<number> => {
    const port = await findFreePort(ipv6);
    leased.push(port);
    return port;
  };
  let context: RunContext | undefined;
  let capture: Capture | undefined;
  let kamailio: Kamailio | undefined;
  try {
    const ports: ScenarioPorts = options.ports ?? { proxy: await lease(), caller: await lease(), callee: await lease(), dead: await lease() };
    context = { dir, transport, ipv6, ports, sipps: [], exitCodes: {} };
    capture = await startCapture(dir, [ports.proxy, ports.caller, ports.callee, ports.dead]);
    kamailio = await startKamailio({
      dir,
      port: ports.proxy,
      ipv6,
      users: Object.values(harnessUsers).filter((u) => u.known),
      minExpires,
      frTimerMs,
      frInvTimerMs,
      hep: options.hep,
    });
    await playScenario(definition, context);
  } finally {
    // Each step is guarded so that one failing to stop does not leave the others running.
    const sipps = context?.sipps ?? [];
    await Promise.all(sipps.map((sipp) => stopProcess(sipp.started, 'SIGKILL', 2000).catch(() => null)));
    // The grace in capture.stop() lets the last packets and kamailio's sipdump writer settle.
    await capture?.stop().catch(() => undefined);
    await kamailio?.stop().catch(() => undefined);
    await Promise.all(leased.map((port) => releasePort(port).catch(() => undefined)));
  }
  const { ports } = context;
  // sipdump creates its file on the first message: when kamailio saw none, an empty file says so.
  let kamailioLog = await findSipdumpFile(kamailio.dumpDir);
  if (kamailioLog === undefined) {
    kamailioLog = join(kamailio.dumpDir, 'kamailio-sipdump-empty.data');
    await writeFile(kamailioLog, '');
  }
  const files = (pick: (sipp: Sipp) => string): string[] => context.sipps.map(pick).filter((file) => existsSync(file));
  const users: Record<string, HarnessUser> =
    definition.plan.kind === 'register'
      ? { registrant: harnessUsers[definition.plan.user] }
      : {
          caller: harnessUsers.alice,
          ...(definition.plan.callee === 'helpdesk' ? {} : { callee: harnessUsers[definition.plan.callee] }),
        };
  return {
    name,
    description: definition.description,
    dir,
    transport,
    ipv6,
    pcap: capture.pcap,
    sippTraces: files((s) => s.messageLog),
    sippErrorLogs: files((s) => s.errorLog),
    sippScreenLogs: files((s) => s.screenLog),
    sippExitCodes: { ...context.exitCodes },
    kamailioLog,
    kamailioLogFormat: 'kamailio-sipdump-text',
    kamailioStderr: kamailio.log,
    kamailioConfig: kamailio.config,
    proxy: `${ipv6 ? '[::1]' : '127.0.0.1'}:${ports.proxy}`,
    ports,
    users,
    expected: expectScenario(definition, transport),
    durationMs: Date.now() - began,
    stop: async () => {
      if (madeDir && options.keep !== true) await rm(dir, { recursive: true, force: true });
    },
  };
}

function hostPort(context: RunContext, port: number): string {
  return context.ipv6 ? `[::1]:${port}` : `127.0.0.1:${port}`;
}

/** Runs one sipp phone to its end and checks it ended as planned. */
async function runPhone(context: RunContext, role: string, start: Omit<Parameters<typeof startSipp>[0], 'dir' | 'role' | 'transport' | 'ipv6'>, wantExit: (code: number | null) => boolean): Promise<void> {
  const sipp = startSipp({ ...start, dir: context.dir, role, transport: context.transport, ipv6: context.ipv6 });
  context.sipps.push(sipp);
  const code = await waitSippExit(sipp, ((start.timeoutS ?? 20) + 5) * 1000);
  context.exitCodes[role] = code;
  if (!wantExit(code)) {
    throw new HarnessError('SCENARIO_FAILED', `sipp ${role} (${start.scenario}) exited with ${String(code)}; see ${sipp.messageLog} and ${sipp.errorLog}`);
  }
}

function registerPhone(context: RunContext, role: string, user: HarnessUser, password: string, expires: number, scenario: string, localPort: number, contactPort: number, remotePort: number, wantExit: (code: number | null) => boolean, recvTimeoutMs?: number): Promise<void> {
  return runPhone(
    context,
    role,
    {
      scenario,
      remote: hostPort(context, remotePort),
      localPort,
      keys: { user: user.user, expires: String(expires), contact_port: String(contactPort) },
      auth: { user: user.user, password, uri: 'siplens.test' },
      callIdPrefix: `reg-${user.user}`,
      ...(recvTimeoutMs === undefined ? {} : { recvTimeoutMs }),
      timeoutS: 15,
    },
    wantExit,
  );
}

const exitedOk = (code: number | null): boolean => code === 0;

async function playScenario(definition: ScenarioDefinition, context: RunContext): Promise<void> {
  const plan = definition.plan;
  const { ports } = context;
  if (plan.kind === 'register') {
    const user = harnessUsers[plan.user];
    if (plan.toDeadPort === true) {
      // The phone gives up after 4 s without any answer (its Timer F, shortened): sipp counts the call as failed.
      await registerPhone(context, 'alice-register', user, plan.password, plan.expires, plan.scenario, ports.caller, ports.caller, ports.dead, (code) => code !== 0 && code !== null, 4000);
      return;
    }
    await registerPhone(context, `${user.user}-register`, user, plan.password, plan.expires, plan.scenario, ports.caller, ports.caller, ports.proxy, exitedOk);
    return;
  }

  const bob = harnessUsers.bob;
  if (plan.calleeRegisters !== 'no') {
    const contactPort = plan.calleeRegisters === 'dead-port' ? ports.dead : ports.callee;
    await registerPhone(context, 'bob-register', bob, bob.password, 3600, 'register.xml', ports.callee, contactPort, ports.proxy, exitedOk);
  }
  let callee: Sipp | undefined;
  if (plan.calleeScenario !== undefined) {
    callee = startSipp({
      dir: context.dir,
      role: 'bob-answer',
      scenario: plan.calleeScenario,
      remote: hostPort(context, ports.proxy),
      localPort: ports.callee,
      transport: context.transport,
      ipv6: context.ipv6,
      keys: { user: 'bob' },
      callIdPrefix: 'uas-bob',
      timeoutS: 20,
    });
    context.sipps.push(callee);
    await waitSippListening(callee, ports.callee, context.transport, context.ipv6);
  }
  const alice = harnessUsers.alice;
  await registerPhone(context, 'alice-register', alice, alice.password, 3600, 'register.xml', ports.caller, ports.caller, ports.proxy, exitedOk);
  await runPhone(
    context,
    'alice-call',
    {
      scenario: plan.callerScenario,
      remote: hostPort(context, ports.proxy),
      localPort: ports.caller,
      keys: { user: alice.user, callee: plan.callee },
      auth: { user: alice.user, password: alice.password, uri: `${plan.callee}@siplens.test` },
      callIdPrefix: 'call-alice',
      timeoutS: 20,
    },
    exitedOk,
  );
  if (callee !== undefined) {
    const code = await waitSippExit(callee, 5000);
    context.exitCodes['bob-answer'] = code;
    if (code !== 0) {
      throw new HarnessError('SCENARIO_FAILED', `sipp bob-answer (${plan.calleeScenario ?? ''}) exited with ${String(code)}; see ${callee.messageLog} and ${callee.errorLog}`);
    }
  }
}
