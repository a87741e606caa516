import type { Command } from 'commander';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { LiveInputs } from '../../index.js';
import { readLive } from '../../index.js';
import { startLiveAnalysis } from '../../web/analysis-engine.js';
import type { AnalysisEngine } from '../../web/analysis-engine.js';
import { LiveHub } from '../../web/hub.js';
import { createToken, DEFAULT_MAX_UPLOAD, isLoopback, startWebServer } from '../../web/server.js';
import type { WebServer } from '../../web/server.js';
import { openStoreInWorker } from '../../web/store/worker-store.js';
import type { SipStore } from '../../web/store/store.js';
import type { CliIo } from '../io.js';
import { ExitCode } from '../io.js';
import { parseExplainQuery } from './explain.js';

interface ServeOptions {
  readonly hep?: string;
  readonly follow?: string[];
  readonly db?: string;
  readonly listen: string;
  readonly maxAge: string;
  readonly maxSize: string;
  readonly maxUpload: string;
  readonly json?: boolean;
}

export const DEFAULT_LISTEN = '127.0.0.1:8460';
export const DEFAULT_MAX_AGE = '30d';
export const DEFAULT_MAX_SIZE = '1GiB';

const EXAMPLES = `
Examples:
  siplens serve --hep 9060                       the page on http://127.0.0.1:8460/, HEP from Homer agents or kamailio's siptrace
  siplens serve --follow /var/log/sip --hep 9060   a growing log (across rotation) and HEP together
  siplens serve --db ./case-123.db                 keep this case's history apart from the default one
  siplens serve --listen 0.0.0.0:8460 --hep 9060   reachable from other machines: a token is printed once, the page needs it
  siplens serve --hep 9060 --json                  one JSON line with the address and ports, for scripts

History is kept in $XDG_DATA_HOME/siplens/siplens.db (or ~/.local/share/siplens/siplens.db) unless --db is given,
for --max-age (default ${DEFAULT_MAX_AGE}) and up to --max-size of messages (default ${DEFAULT_MAX_SIZE}), oldest first.
Ctrl-C (SIGINT) or SIGTERM stops the server after storing what it has.
Exit codes: 0 stopped cleanly, 2 usage error, 4 the database or a port could not be opened.
`;

/** `8460`, `0.0.0.0:8460`, `[::1]:8460` → host and port; a bare port takes `defaultHost`. */
export function parseHostPort(text: string, defaultHost: string): { host: string; port: number } | undefined {
  const colon = text.lastIndexOf(':');
  const portText = colon < 0 ? text : text.slice(colon + 1);
  let host = colon < 0 ? defaultHost : text.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  else if (host.includes(':')) return undefined; // IPv6 needs brackets before the port
  if (host === '' || portText === '' || portText.length > 5 || ![...portText].every((c) => c >= '0' && c <= '9')) return undefined;
  const port = Number(portText);
  return port <= 65535 ? { host, port } : undefined;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1, b: 1, k: 1024, kb: 1000, kib: 1024, m: 1024 ** 2, mb: 1e6, mib: 1024 ** 2, g: 1024 ** 3, gb: 1e9, gib: 1024 ** 3, t: 1024 ** 4, tb: 1e12, tib: 1024 ** 4,
};

/** A number and a unit: `30d`, `12h`, `1.5GiB`, `200MB`; undefined when it is neither. */
function parseAmount(text: string, units: Readonly<Record<string, number>>): number | undefined {
  const t = text.trim().toLowerCase();
  let end = 0;
  while (end < t.length && ((t.charAt(end) >= '0' && t.charAt(end) <= '9') || t.charAt(end) === '.')) end++;
  const value = Number(t.slice(0, end));
  const unit = units[t.slice(end).trim()];
  if (end === 0 || !Number.isFinite(value) || unit === undefined) return undefined;
  return value * unit;
}

export function parseDuration(text: string): number | undefined {
  return parseAmount(text, DURATION_UNITS);
}

export function parseSize(text: string): number | undefined {
  return parseAmount(text, SIZE_UNITS);
}

/** Where the history lives by default (XDG Base Directory: $XDG_DATA_HOME, else ~/.local/share). */
export function defaultDatabase(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const xdg = env['XDG_DATA_HOME'];
  if (xdg !== undefined && xdg.startsWith('/')) return join(xdg, 'siplens', 'siplens.db');
  const home = env['HOME'];
  return home === undefined || home === '' ? undefined : join(home, '.local', 'share', 'siplens', 'siplens.db');
}

interface Plan {
  readonly listen: { host: string; port: number };
  readonly hep: { host: string; port: number } | undefined;
  readonly follow: readonly string[];
  readonly db: string;
  readonly maxAgeMs: number;
  readonly maxBytes: number;
  readonly maxUpload: number;
}

function plan(options: ServeOptions, io: CliIo): Plan | string {
  const listen = parseHostPort(options.listen, '127.0.0.1');
  if (listen === undefined) return `--listen: expected HOST:PORT or PORT (port 0 to 65535, IPv6 in brackets), found "${options.listen}"`;
  const hep = options.hep === undefined ? undefined : parseHostPort(options.hep, '127.0.0.1');
  if (options.hep !== undefined && hep === undefined) return `--hep: expected PORT or HOST:PORT (port 0 to 65535), found "${options.hep}"`;
  const maxAgeMs = parseDuration(options.maxAge);
  if (maxAgeMs === undefined || maxAgeMs <= 0) return `--max-age: expected a duration such as 30d, 12h or 90m, found "${options.maxAge}"`;
  const maxBytes = parseSize(options.maxSize);
  if (maxBytes === undefined || maxBytes < 1024 * 1024) return `--max-size: expected a size of 1MiB or more such as 1GiB or 500MB, found "${options.maxSize}"`;
  const maxUpload = parseSize(options.maxUpload);
  if (maxUpload === undefined || maxUpload < 1) return `--max-upload: expected a size such as 100MiB, found "${options.maxUpload}"`;
  const db = options.db === undefined ? defaultDatabase(io.env) : options.db === ':memory:' ? ':memory:' : resolve(io.cwd, options.db);
  if (db === undefined) return 'no home folder to keep the history in (HOME and XDG_DATA_HOME are unset): give --db FILE';
  return { listen, hep, follow: (options.follow ?? []).map((f) => resolve(io.cwd, f)), db, maxAgeMs, maxBytes, maxUpload };
}

/** `siplens serve`: the Monitoring window, a local web page fed by HEP and followed logs, with history. */
export function registerServe(program: Command, io: CliIo, exit: { code: number }): void {
  program
    .command('serve')
    .description('the Monitoring window: a local web page of accounts, calls and findings, live from HEP and logs, with history')
    .option('--hep <[host:]port>', 'listen for HEP (v1-v3) on this UDP and TCP port (of 127.0.0.1 unless a host is given)')
    .option('--follow <files...>', 'follow growing log files, across rotation')
    .option('--db <file>', 'the history database (SQLite; created if missing; :memory: keeps nothing)')
    .option('--listen <[host:]port>', 'the address of the page; any but loopback needs the token printed at start', DEFAULT_LISTEN)
    .option('--max-age <duration>', 'delete stored messages older than this (s, m, h, d, w)', DEFAULT_MAX_AGE)
    .option('--max-size <size>', 'keep at most this many bytes of messages, oldest deleted first (KiB, MiB, GiB, MB, GB)', DEFAULT_MAX_SIZE)
    .option('--max-upload <size>', 'largest file the page may open', `${DEFAULT_MAX_UPLOAD / 1024 / 1024}MiB`)
    .option('--json', 'one JSON line when listening (address, ports, database, token) and one when stopped')
    .addHelpText('after', EXAMPLES)
    .action(async (options: ServeOptions) => {
      const planned = plan(options, io);
      if (typeof planned === 'string') {
        io.stderr(`siplens serve: ${planned}\n`);
        exit.code = ExitCode.usage;
        return;
      }
      exit.code = await runServe(planned, options.json === true, io);
    });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Resolves when `signal` aborts. */
function stopped(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

async function runServe(p: Plan, json: boolean, io: CliIo): Promise<number> {
  const stop = new AbortController();
  const onTerm = (): void => stop.abort();
  io.signal?.addEventListener('abort', onTerm, { once: true });
  if (io.signal?.aborted === true) stop.abort();
  process.on('SIGTERM', onTerm);
  let store: SipStore | undefined;
  let engine: AnalysisEngine | undefined;
  let hub: LiveHub | undefined;
  let web: WebServer | undefined;
  let feeding: Promise<void> = Promise.resolve();
  let step = 'the history database';
  try {
    if (p.db !== ':memory:') {
      mkdirSync(dirname(p.db), { recursive: true, mode: 0o700 });
      // The history holds credentials in clear (digest responses, SDP keys): readable by its owner only. SQLite gives
      // its -wal file the same mode.
      try {
        closeSync(openSync(p.db, 'a', 0o600));
      } catch {
        // A folder or a file not ours: the store says what is wrong with it, naming the file.
      }
    }
    store = await openStoreInWorker(p.db);
    step = 'the analysis';
    engine = await startLiveAnalysis();
    hub = await LiveHub.open({ store, engine, retention: { maxAgeMs: p.maxAgeMs, maxBytes: p.maxBytes } });
    let live: LiveInputs | undefined;
    if (p.hep !== undefined || p.follow.length > 0) {
      step = p.hep === undefined ? 'the followed logs' : `HEP on ${p.hep.host}:${p.hep.port}`;
      live = await readLive({ ...(p.hep === undefined ? {} : { hep: p.hep }), ...(p.follow.length === 0 ? {} : { follow: p.follow }), signal: stop.signal });
      const h = hub;
      feeding = h.consume(live.records, live.reports).catch((error: unknown) => io.stderr(`siplens serve: a feed stopped: ${describe(error)}\n`));
    }
    const token = isLoopback(p.listen.host) ? undefined : createToken();
    step = `the page on ${p.listen.host}:${p.listen.port}`;
    web = await startWebServer({ hub, host: p.listen.host, port: p.listen.port, maxUploadBytes: p.maxUpload, readQuery: parseExplainQuery, ...(token === undefined ? {} : { token }) });
    const stats = hub.storeStats();
    const ports = live?.hepPorts;
    if (json) {
      io.stdout(`${JSON.stringify({
        event: 'listening',
        url: web.url,
        listen: { host: p.listen.host, port: web.port },
        hep: p.hep === undefined ? null : { host: p.hep.host, udp: ports?.udp ?? null, tcp: ports?.tcp ?? null },
        follow: p.follow,
        db: p.db,
        stored: stats.messages,
        token: token ?? null,
      })}\n`);
    } else {
      io.stdout(`siplens serve: open ${web.url}\n`);
      if (token !== undefined) io.stdout('  listening beyond loopback: the address above carries the token, printed only this once\n');
      if (p.hep !== undefined) io.stdout(`  HEP on ${p.hep.host} udp ${ports?.udp ?? '-'} tcp ${ports?.tcp ?? '-'}${isLoopback(p.hep.host) ? '' : ' (open to the network: anyone who reaches it can add messages)'}\n`);
      for (const f of p.follow) io.stdout(`  following ${f}\n`);
      io.stdout(`  history: ${p.db} (${stats.messages} messages; kept ${formatAge(p.maxAgeMs)}, at most ${formatBytes(p.maxBytes)})\n  Ctrl-C stops.\n`);
    }
    await stopped(stop.signal);
    return ExitCode.ok;
  } catch (error) {
    io.stderr(`siplens serve: cannot start ${step}: ${describe(error)}\n`);
    return ExitCode.inputError;
  } finally {
    process.off('SIGTERM', onTerm);
    io.signal?.removeEventListener('abort', onTerm);
    stop.abort();
    await web?.close();
    // The feeds end with the signal; what they had is stored by hub.close().
    await Promise.race([feeding, new Promise((r) => setTimeout(r, 2000).unref())]);
    await hub?.close().catch((error: unknown) => io.stderr(`siplens serve: while stopping: ${describe(error)}\n`));
    if (hub === undefined) await engine?.close();
    await store?.close();
    if (hub !== undefined) {
      const total = hub.storeStats().messages;
      io.stdout(json ? `${JSON.stringify({ event: 'stopped', stored: total })}\n` : `siplens serve: stopped; ${total} messages stored\n`);
    }
  }
}

function formatAge(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000]] as const) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${Math.round(ms / 1000)}s`;
}

function formatBytes(n: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) if (n >= size) return `${Math.round((n / size) * 10) / 10} ${unit}`;
  return `${n} B`;
}
