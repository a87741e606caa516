import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

/** An operational failure of the harness (a tool that would not start, a scenario that did not run as designed). */
export class HarnessError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HarnessError';
    this.code = code;
  }
}

/** A program the harness started, with its output going to a file and its exit awaited. */
export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything written to stderr so far (kept in memory too, to wait for start-up lines). */
  readonly stderrText: () => string;
  readonly exited: Promise<number | null>;
}

/**
 * Starts a program in its own process group (so it and its children can be ended together), with stdout and stderr
 * written to the given files.
 */
export function startProcess(name: string, command: string, args: readonly string[], outFile: string, errFile: string, cwd: string): Started {
  const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  watchGroup(child);
  const out = createWriteStream(outFile);
  const err = createWriteStream(errFile);
  let stderr = '';
  child.stdout?.pipe(out);
  child.stderr?.on('data', (chunk: Buffer) => {
    // Only the start of stderr is needed to see start-up lines; keep memory bounded.
    if (stderr.length < 65_536) stderr += chunk.toString('utf8');
    err.write(chunk);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', (error) => {
      err.write(`\n[harness] ${name} failed to start: ${error.message}\n`);
      resolve(null);
    });
    child.on('close', (code, signal) => {
      err.end(signal === null ? '' : `\n[harness] ${name} ended by ${signal}\n`);
      out.end();
      resolve(code);
    });
  });
  return { name, child, stderrText: () => stderr, exited };
}

/** The longest any harness process may live (a scenario takes seconds; this only ends orphans). */
export const watchdogSeconds = 300;

/** Process groups started here and still running: ended when this Node process exits, however it exits. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

// Detached children outlive their parent: a test process that dies (an uncaught error, a Vitest timeout) must not
// leave kamailio or a capture running, so the groups still alive are killed on the way out.
function watchGroup(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  liveGroups.add(pid);
  child.once('exit', () => liveGroups.delete(pid));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const group of liveGroups) signalGroup(group, 'SIGKILL');
    });
  }
}

/** Waits for a promise with a deadline; undefined when the deadline passed first. */
export async function waitWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `test` holds or the time is up; returns whether it held. */
export async function pollUntil(test: () => boolean | Promise<boolean>, ms: number, stepMs = 25): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await test()) return true;
    if (Date.now() >= end) return false;
    await sleep(stepMs);
  }
}

/**
 * Ends a started program: `signal` to its process group, then SIGKILL when it has not exited within `graceMs`.
 * Safe to call twice and on a program that already ended.
 */
export async function stopProcess(started: Started, signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<number | null> {
  const pid = started.child.pid;
  if (pid !== undefined && started.child.exitCode === null && started.child.signalCode === null) {
    signalGroup(pid, signal);
    const code = await waitWithin(started.exited, graceMs);
    if (code !== undefined) return code;
    signalGroup(pid, 'SIGKILL');
  }
  return (await waitWithin(started.exited, graceMs)) ?? null;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** Ports handed out by this process and not yet released: two runs in one process never get the same port. */
const reservedHere = new Set<number>();
const leaseDir = join(tmpdir(), 'siplens-harness-ports');
/** A lease older than this is left over from a run that died; its port may be taken again. */
const leaseMaxAgeMs = 10 * 60_000;

/**
 * A loopback port free on both UDP and TCP, reserved for this run until releasePort(). Ports are drawn at random
 * below the kernel's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range), so no outgoing connection of another
 * program (sipp's, kamailio's) can be given the port between this check and the bind; a lease file in
 * os.tmpdir()/siplens-harness-ports keeps two test processes (Vitest runs two files at once) from drawing the same
 * port. The port is then checked by binding it over TCP and UDP.
 */
export async function findFreePort(ipv6: boolean): Promise<number> {
  const host = ipv6 ? '::1' : '127.0.0.1';
  const [low, high] = await readEphemeralRange();
  // Below the ephemeral range, above the well-known and commonly configured ports (5060, 8080...).
  const from = 20_000;
  const to = Math.min(low, 32_768) - 1;
  await mkdir(leaseDir, { recursive: true });
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = attempt < 150 && to > from ? from + Math.floor(Math.random() * (to - from)) : await bindTcpZero(host);
    if (reservedHere.has(port) || (port >= low && port <= high && attempt < 150)) continue;
    if (!(await takeLease(port))) continue;
    if ((await canBindTcp(host, port)) && (await canBindUdp(host, port))) {
      reservedHere.add(port);
      return port;
    }
    await rm(join(leaseDir, String(port)), { force: true });
  }
  throw new HarnessError('NO_FREE_PORT', `no port free on both UDP and TCP at ${host} after 200 attempts`);
}

/** Gives a port from findFreePort() back once nothing of the run uses it any more. */
export async function releasePort(port: number): Promise<void> {
  reservedHere.delete(port);
  await rm(join(leaseDir, String(port)), { force: true });
}

async function takeLease(port: number): Promise<boolean> {
  const file = join(leaseDir, String(port));
  try {
    await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch {
    const age = await stat(file).then((st) => Date.now() - st.mtimeMs, () => 0);
    if (age < leaseMaxAgeMs) return false;
    await rm(file, { force: true });
    return writeFile(file, `${process.pid}\n`, { flag: 'wx' }).then(() => true, () => false);
  }
}

async function readEphemeralRange(): Promise<[number, number]> {
  const text = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '32768 60999');
  const [low, high] = text.trim().split(/\s+/).map(Number);
  return [low ?? 32_768, high ?? 60_999];
}

function canBindTcp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

function bindTcpZero(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function canBindUdp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.close(() => resolve(true));
    });
  });
}

/**
 * Whether something is bound to a loopback port: UDP sockets bound to it, TCP sockets listening on it (Linux
 * /proc/net tables, state 07 = UDP unconnected, 0A = TCP LISTEN).
 */
export async function isListening(port: number, transport: 'udp' | 'tcp', ipv6: boolean): Promise<boolean> {
  const table = `/proc/net/${transport}${ipv6 ? '6' : ''}`;
  let text: string;
  try {
    text = await readFile(table, 'utf8');
  } catch {
    return false;
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const wanted = transport === 'udp' ? '07' : '0A';
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    if (local?.endsWith(`:${hexPort}`) === true && fields[3] === wanted) return true;
  }
  return false;
}
