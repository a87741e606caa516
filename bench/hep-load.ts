// Load benchmark of the Monitoring window (`siplens serve --hep`): the generated traffic of bench/traffic.ts, encoded
// with the library's HEP3 writer, sent over UDP at a steady rate (default 5 000 messages a second for 60 s) to a
// server in its own process, with pages listening on Server-Sent Events. It checks that every message sent was
// stored (count in = count stored), and reports the server's RSS over time, the rate it stored at each second, how
// far the analysis fell behind, and the memory of the live analyzer on its own: the library's createAnalyzer for a
// long run against the web app's LiveAnalysis (which hands over to a new analyzer every 50 000 messages).
//
//   node scripts/ensure.mjs --build --bench && node .bench-build/bench/hep-load.js   (compiled, the server from dist/)
//   node --import tsx bench/hep-load.ts [--rate 5000] [--seconds 60] [--clients 2] [--analyzer-messages 300000] [--json]
//   node --import tsx bench/hep-load.ts --hep 127.0.0.1:9060 --url http://127.0.0.1:8460/   (a server already running)
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { createAnalyzer, encodeHep3, parseMessage } from '../src/index.js';
import { LiveAnalysis } from '../src/web/live-analysis.js';
import { emptyCounts, formatIp, generateTraffic } from './traffic.js';
import type { GeneratedPacket } from './traffic.js';

// Compiled (.bench-build/bench/hep-load.js, as tsconfig.bench.json builds it) the server runs from dist/, as users run
// it; from source (`node --import tsx bench/hep-load.ts`) it runs from source too.
const built = import.meta.dirname.includes('.bench-build');
const root = built ? resolve(import.meta.dirname, '..', '..') : resolve(import.meta.dirname, '..');

interface Sample {
  readonly t: number;
  readonly sent: number;
  readonly received: number;
  readonly stored: number;
  readonly analysed: number;
  readonly backlog: number;
  readonly rssMiB: number;
  readonly serverHeapMiB: number;
  readonly analysisHeapMiB: number;
  readonly snapshotMs: number;
  readonly epoch: number;
}

interface ServerState {
  readonly store: { messages: number };
  readonly feeds: readonly { kind: string; messages: number; skipped: number; issues: number; lastIssues: string[] }[];
  readonly analysis: { backlog: number; skipped: number; failures: number; storeErrors: number };
  readonly view: { totals: { messages: number }; analysis: { snapshotMs: number; epoch: number } };
  readonly memory: { rssMiB: number; serverHeapMiB: number; analysisHeapMiB: number };
}

function ip4(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
}

function toHep(p: GeneratedPacket): Uint8Array {
  const packet = encodeHep3({
    timeMs: p.timeUs / 1000,
    src: { ip: ip4(p.src[0]), port: p.src[1] },
    dst: { ip: ip4(p.dst[0]), port: p.dst[1] },
    transport: 'UDP',
    payload: Buffer.from(p.text, 'latin1'),
  });
  if (packet === undefined) throw new Error('a generated message does not fit one HEP packet');
  return packet;
}

function getJson<T>(url: string): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    request(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          resolvePromise(JSON.parse(body) as T);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    })
      .on('error', reject)
      .end();
  });
}

/** A page's event stream: counts the states it receives and the bytes they take. */
function listen(url: string): { events: () => number; bytes: () => number; close: () => void } {
  let events = 0;
  let bytes = 0;
  const req = request(`${url}api/events`, (res) => {
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      bytes += c.length;
      for (let i = c.indexOf('event: state'); i >= 0; i = c.indexOf('event: state', i + 1)) events++;
    });
  });
  req.on('error', () => undefined);
  req.end();
  return { events: () => events, bytes: () => bytes, close: () => req.destroy() };
}

function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const line = status.split('\n').find((l) => l.startsWith('VmRSS:')) ?? '';
    return Number(line.split(/\s+/)[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** `siplens serve` in its own process, on loopback with a fresh database. */
async function startServer(db: string): Promise<{ child: ChildProcess; url: string; hep: { host: string; port: number } }> {
  const entry = built ? [join(root, 'bin', 'siplens.js')] : ['--import', 'tsx', join(root, 'test', 'web', 'run-cli.ts')];
  const child = spawn(process.execPath, [...entry, 'serve', '--hep', '0', '--listen', '127.0.0.1:0', '--db', db, '--json'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolvePromise, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolvePromise(out.split('\n')[0] ?? '');
    });
    child.once('exit', (code) => reject(new Error(`siplens serve exited ${String(code)}`)));
  });
  const info = JSON.parse(line) as { url: string; hep: { host: string; udp: number } };
  return { child, url: info.url, hep: { host: info.hep.host, port: info.hep.udp } };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] ?? 0) - mx) * ((ys[i] ?? 0) - my);
    den += ((xs[i] ?? 0) - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function sendLoad(
  packets: readonly Uint8Array[],
  target: { host: string; port: number },
  rate: number,
  sample: (sent: number) => Promise<void>,
): Promise<{ sent: number; seconds: number; errors: number }> {
  const socket = createSocket('udp4');
  let sent = 0;
  let errors = 0;
  const started = performance.now();
  let nextSample = 1000;
  await new Promise<void>((done) => {
    const tick = (): void => {
      const elapsed = performance.now() - started;
      const due = Math.min(packets.length, Math.floor((elapsed / 1000) * rate));
      while (sent < due) {
        socket.send(packets[sent] as Uint8Array, target.port, target.host, (error) => {
          if (error) errors++;
        });
        sent++;
      }
      if (elapsed >= nextSample) {
        nextSample += 1000;
        void sample(sent);
      }
      if (sent >= packets.length) done();
      else setTimeout(tick, 5);
    };
    tick();
  });
  const seconds = (performance.now() - started) / 1000;
  await new Promise<void>((r) => socket.close(() => r()));
  return { sent, seconds, errors };
}

/** Heap after a full collection, in MiB (gc exposed at run time, so the bench needs no node flag). */
function heapMiB(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

/** Heap of the bare library analyzer and of the web app's LiveAnalysis as the same traffic goes through each. */
function measureAnalyzers(messages: number, step: number): { messages: number; bare: number[]; live: number[]; bareRate: number; liveRate: number } {
  const out = { messages, bare: [] as number[], live: [] as number[], bareRate: 0, liveRate: 0 };
  for (const kind of ['bare', 'live'] as const) {
    const bare = kind === 'bare' ? createAnalyzer({ keepMessages: 'none' }) : undefined;
    const live = kind === 'live' ? new LiveAnalysis() : undefined;
    const before = heapMiB();
    let i = 0;
    let busy = 0;
    for (const p of generateTraffic(11, 1e12, emptyCounts(11))) {
      const bytes = Buffer.from(p.text, 'latin1');
      const meta = { time: p.timeUs / 1000, src: `${formatIp(p.src[0])}:${p.src[1]}`, dst: `${formatIp(p.dst[0])}:${p.dst[1]}`, transport: 'UDP' as const, origin: { path: 'hep', offset: 0 } };
      const t = performance.now();
      if (bare !== undefined) bare.push({ index: i, message: parseMessage(bytes), meta });
      else live?.push({ id: i + 1, bytes, meta });
      busy += performance.now() - t;
      i++;
      if (i % step === 0) {
        // A view every step, as the page would ask for: the bare analyzer's snapshot, LiveAnalysis's view.
        if (bare !== undefined) bare.snapshot();
        else live?.view();
        out[kind].push(Math.round(heapMiB() - before));
        process.stderr.write(`hep-load: ${kind} analyzer ${i} messages, heap +${out[kind].at(-1) ?? 0} MiB\n`);
      }
      if (i >= messages) break;
    }
    out[kind === 'bare' ? 'bareRate' : 'liveRate'] = Math.round(messages / (busy / 1000));
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string', default: '5000' },
      seconds: { type: 'string', default: '60' },
      clients: { type: 'string', default: '2' },
      hep: { type: 'string' },
      url: { type: 'string' },
      'analyzer-messages': { type: 'string', default: '300000' },
      json: { type: 'boolean', default: false },
    },
  });
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const total = Math.round(rate * seconds);
  const log = (text: string): void => void process.stderr.write(`hep-load: ${text}\n`);

  log(`generating ${total} messages of traffic as HEP3…`);
  const packets: Uint8Array[] = [];
  const counts = emptyCounts(5);
  for (const p of generateTraffic(5, 1e12, counts)) {
    packets.push(toHep(p));
    if (packets.length >= total) break;
  }

  let dir: string | undefined;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let url = values.url;
  let target: { host: string; port: number } | undefined;
  if (values.hep !== undefined) {
    const [host = '127.0.0.1', port = '9060'] = values.hep.includes(':') ? values.hep.split(':') : ['127.0.0.1', values.hep];
    target = { host, port: Number(port) };
    if (url === undefined) throw new Error('--hep needs --url (the page of the same server)');
  } else {
    dir = mkdtempSync(join(tmpdir(), 'siplens-hep-load-'));
    server = await startServer(join(dir, 'siplens.db'));
    url = server.url;
    target = server.hep;
  }
  const pageUrl = url ?? '';
  const pid = server?.child.pid;
  const clients = Array.from({ length: Number(values.clients) }, () => listen(pageUrl));
  const baseline = await getJson<ServerState>(`${pageUrl}api/state`);
  const stored0 = baseline.store.messages;
  const received0 = baseline.feeds.find((f) => f.kind === 'hep')?.messages ?? 0;
  const samples: Sample[] = [];
  const t0 = Date.now();
  const take = async (sent: number): Promise<void> => {
    const s = await getJson<ServerState>(`${pageUrl}api/state`);
    samples.push({
      t: Math.round((Date.now() - t0) / 1000),
      sent,
      received: (s.feeds.find((f) => f.kind === 'hep')?.messages ?? 0) - received0,
      stored: s.store.messages - stored0,
      analysed: s.view.totals.messages,
      backlog: s.analysis.backlog,
      rssMiB: pid === undefined ? s.memory.rssMiB : Math.round(rssMiB(pid)),
      serverHeapMiB: s.memory.serverHeapMiB,
      analysisHeapMiB: s.memory.analysisHeapMiB,
      snapshotMs: s.view.analysis.snapshotMs,
      epoch: s.view.analysis.epoch,
    });
  };
  log(`sending ${total} messages at ${rate}/s to ${target.host}:${target.port}, ${clients.length} pages listening`);
  const sending = await sendLoad(packets, target, rate, take);
  // Let the server store and analyse what it has, then read its counts.
  let last: ServerState = await getJson<ServerState>(`${pageUrl}api/state`);
  for (let i = 0; i < 120; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await getJson<ServerState>(`${pageUrl}api/state`);
    const settled = now.store.messages === last.store.messages && now.analysis.backlog === 0;
    last = now;
    if (settled && now.store.messages - stored0 >= sending.sent) break;
    if (settled && i > 10) break;
  }
  await take(sending.sent);
  for (const c of clients) c.close();
  const hepFeed = last.feeds.find((f) => f.kind === 'hep');
  const stored = last.store.messages - stored0;
  const received = (hepFeed?.messages ?? 0) - received0;

  const perSecond = samples.slice(1, -1).map((s, i) => s.stored - (samples[i]?.stored ?? 0));
  // After the first hand-overs (a new analyzer every 50 000 messages): the level memory settles at.
  const running = samples.filter((s) => s.t > seconds / 3 && s.t <= seconds);
  const rss = running.map((s) => s.rssMiB);
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    rate,
    seconds,
    sent: sending.sent,
    sendSeconds: Math.round(sending.seconds * 10) / 10,
    sendRate: Math.round(sending.sent / sending.seconds),
    sendErrors: sending.errors,
    received,
    stored,
    countInEqualsStored: stored === sending.sent,
    hepIssues: hepFeed?.lastIssues ?? [],
    storedPerSecond: { median: median(perSecond), min: Math.min(...perSecond), max: Math.max(...perSecond) },
    rssMiB: { from: running[0]?.t, first: rss[0], last: rss.at(-1), min: Math.min(...rss), max: Math.max(...rss), slopePerMinute: Math.round(slope(running.map((s) => s.t), rss) * 60 * 10) / 10 },
    analysis: {
      analysed: last.view.totals.messages,
      maxBacklog: Math.max(...samples.map((s) => s.backlog)),
      skipped: last.analysis.skipped,
      failures: last.analysis.failures,
      epochs: last.view.analysis.epoch,
      snapshotMs: { median: median(samples.map((s) => s.snapshotMs)), max: Math.max(...samples.map((s) => s.snapshotMs)) },
    },
    pages: clients.map((c) => ({ events: c.events(), megabytes: Math.round(c.bytes() / 1e5) / 10 })),
    samples,
    analyzerMemory: undefined as ReturnType<typeof measureAnalyzers> | undefined,
  };

  if (server !== undefined) {
    const exited = new Promise<number | null>((r) => server?.child.once('exit', (code) => r(code)));
    server.child.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) log(`the server exited ${String(code)} on SIGTERM`);
  }
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });

  const analyzerMessages = Number(values['analyzer-messages']);
  if (analyzerMessages > 0) result.analyzerMemory = measureAnalyzers(analyzerMessages, Math.max(10_000, Math.round(analyzerMessages / 10)));

  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'hep-load.json'), `${JSON.stringify(result, null, 2)}\n`);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const lines = [
      `## HEP load: ${rate}/s for ${seconds} s (${result.machine.cpus} CPUs, Node ${result.machine.node})`,
      `sent ${result.sent} in ${result.sendSeconds} s (${result.sendRate}/s, ${result.sendErrors} send errors); received ${received}; stored ${stored}: count in ${result.countInEqualsStored ? '=' : '≠'} count stored`,
      `stored per second: median ${result.storedPerSecond.median}, min ${result.storedPerSecond.min}, max ${result.storedPerSecond.max}`,
      `server RSS MiB from ${result.rssMiB.from} s to ${seconds} s: ${result.rssMiB.first} → ${result.rssMiB.last}, min ${result.rssMiB.min}, max ${result.rssMiB.max}, slope ${result.rssMiB.slopePerMinute} MiB/min`,
      `analysis: ${result.analysis.analysed} analysed, ${result.analysis.epochs} analyzers, backlog max ${result.analysis.maxBacklog}, snapshot median ${result.analysis.snapshotMs.median} ms (max ${result.analysis.snapshotMs.max}), ${result.analysis.skipped} skipped, ${result.analysis.failures} failures`,
      `pages: ${result.pages.map((p) => `${p.events} states (${p.megabytes} MB)`).join(', ')}`,
      `RSS over time (s:MiB): ${samples.map((s) => `${s.t}:${s.rssMiB}`).join(' ')}`,
      `heaps over time (s:server/analysis MiB): ${samples.map((s) => `${s.t}:${s.serverHeapMiB}/${s.analysisHeapMiB}`).join(' ')}`,
    ];
    const a = result.analyzerMemory;
    if (a !== undefined) {
      lines.push(`analyzer heap growth over ${a.messages} messages, MiB per tenth: createAnalyzer ${a.bare.join(' ')} (${a.bareRate}/s); LiveAnalysis ${a.live.join(' ')} (${a.liveRate}/s)`);
    }
    process.stdout.write(`${lines.join('\n')}\nresults: bench/results/hep-load.json\n`);
  }
  if (!result.countInEqualsStored) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`hep-load: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
