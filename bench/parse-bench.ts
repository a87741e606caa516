// Parse-stage benchmark: framing, start line + header index, full typed access, against npm `sip` and `jssip` in the
// same run, on the same generated messages (400-1500 bytes, most with SDP). `benchParse()` returns rows and prints
// nothing; run this file directly (`node --import tsx bench/parse-bench.ts [--json]`) to print a table (or JSON).
// Every case checks its own result (message count, a sample of parsed values) so a broken parser cannot look fast.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { StreamFramer } from '../src/framing/stream-framer.js';
import { Buffer } from 'node:buffer';
import { createSipStreamFramer, parseFrame } from '../src/parse/parse-frame.js';
import { parseMessage } from '../src/parse/parse-message.js';

export interface BenchRow {
  readonly name: string;
  /** Messages per second of CPU time on one core: the median of the case's timed slices. */
  readonly opsPerSec: number;
  /** The slowest and the fastest slice (absent on a case that was not measured). */
  readonly minOpsPerSec?: number;
  readonly maxOpsPerSec?: number;
  /** Megabytes (10^6) of SIP text per second. */
  readonly mbPerSec: number;
  readonly messages: number;
  readonly bytes: number;
  readonly seconds: number;
  /** Speed relative to the baseline row named in `relativeTo`, when set. */
  readonly note?: string;
}

export interface BenchParseOptions {
  /** How many distinct messages to generate. Default 20,000. */
  readonly messages?: number;
  /** Minimum time per case in seconds. Default 1. */
  readonly seconds?: number;
  readonly seed?: number;
}

/** Deterministic PRNG (mulberry32), so every run measures the same messages. */
function makeRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Generated {
  readonly text: string;
  readonly callId: string;
  readonly method: string;
}

/** Typical traffic: INVITE and 200 with SDP, 100/180, ACK, BYE, REGISTER with its 401 and 200. */
export function generateMessages(count: number, seed = 1): Generated[] {
  const rnd = makeRandom(seed);
  const hex = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(rnd() * 16).toString(16);
    return s;
  };
  const ip = (): string => `10.${Math.floor(rnd() * 250)}.${Math.floor(rnd() * 250)}.${1 + Math.floor(rnd() * 250)}`;
  const out: Generated[] = [];
  while (out.length < count) {
    const a = ip();
    const b = ip();
    const user = 1000 + Math.floor(rnd() * 9000);
    const callee = 1000 + Math.floor(rnd() * 9000);
    const callId = `${hex(16)}@${a}`;
    const tag = hex(8);
    const totag = hex(8);
    const branch = `z9hG4bK${hex(12)}`;
    const cseq = 1 + Math.floor(rnd() * 1000);
    const sdp =
      `v=0\r\no=- ${Math.floor(rnd() * 1e9)} ${Math.floor(rnd() * 1e9)} IN IP4 ${a}\r\ns=-\r\nc=IN IP4 ${a}\r\nt=0 0\r\n` +
      `m=audio ${10000 + 2 * Math.floor(rnd() * 10000)} RTP/AVP 0 8 18 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n` +
      `a=rtpmap:18 G729/8000\r\na=fmtp:18 annexb=no\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n`;
    const common = (method: string, n: number, toTag: boolean): string =>
      `Via: SIP/2.0/UDP ${a}:5060;branch=${branch};rport\r\n` +
      `From: "User ${user}" <sip:${user}@example.com>;tag=${tag}\r\n` +
      `To: <sip:${callee}@example.com>${toTag ? `;tag=${totag}` : ''}\r\n` +
      `Call-ID: ${callId}\r\nCSeq: ${n} ${method}\r\n`;
    const req = (method: string, body: string, extra = ''): string =>
      `${method} sip:${callee}@${b}:5060 SIP/2.0\r\n${common(method, cseq, method !== 'INVITE')}Max-Forwards: 70\r\n` +
      `Contact: <sip:${user}@${a}:5060;transport=udp>\r\nUser-Agent: Bench Phone 1.2.3\r\n${extra}` +
      `${body.length > 0 ? 'Content-Type: application/sdp\r\n' : ''}Content-Length: ${body.length}\r\n\r\n${body}`;
    const res = (status: string, method: string, body: string, extra = ''): string =>
      `SIP/2.0 ${status}\r\n${common(method, cseq, !status.startsWith('100'))}${extra}Server: Bench PBX 9.8\r\n` +
      `${body.length > 0 ? 'Content-Type: application/sdp\r\n' : ''}Content-Length: ${body.length}\r\n\r\n${body}`;
    const allow = 'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, INFO, UPDATE\r\nSupported: replaces, timer, 100rel\r\n';
    const msgs: [string, string][] = [
      [req('INVITE', sdp, allow), 'INVITE'],
      [res('100 Trying', 'INVITE', ''), 'INVITE'],
      [res('180 Ringing', 'INVITE', '', `Contact: <sip:${callee}@${b}:5060>\r\n`), 'INVITE'],
      [res('200 OK', 'INVITE', sdp, `Contact: <sip:${callee}@${b}:5060>\r\n${allow}`), 'INVITE'],
      [req('ACK', ''), 'ACK'],
      [req('BYE', ''), 'BYE'],
      [req('REGISTER', '', 'Expires: 3600\r\n'), 'REGISTER'],
      [
        res(
          '401 Unauthorized',
          'REGISTER',
          '',
          `WWW-Authenticate: Digest realm="example.com", nonce="${hex(32)}", algorithm=MD5, qop="auth"\r\n`,
        ),
        'REGISTER',
      ],
    ];
    for (const [text, method] of msgs) if (out.length < count) out.push({ text, callId, method });
  }
  return out;
}

/** Timed slices per case: the row gives their median rate, with the slowest and the fastest. */
const SLICES = 5;

interface Timed {
  readonly messages: number;
  readonly seconds: number;
  /** Messages per CPU second: the median slice, the slowest and the fastest. */
  readonly rate: number;
  readonly minRate: number;
  readonly maxRate: number;
}

/**
 * Runs `body` repeatedly in SLICES slices of at least `seconds` / 3 of CPU time each; returns messages handled, CPU
 * seconds and the slices' rates. CPU time (process.cpuUsage) rather than wall time, so a busy machine (CI, shared
 * runners) does not make every row slower by a different amount; every case, rivals included, is measured the same
 * way. One long measurement hid how much a run wanders on this kind of machine (by a tenth or more between slices).
 */
function time(seconds: number, perRound: number, body: () => number): Timed {
  // Warm-up: let the JIT settle before measuring.
  const warmEnd = performance.now() + 300;
  while (performance.now() < warmEnd) body();
  let messages = 0;
  let total = 0;
  const rates: number[] = [];
  for (let k = 0; k < SLICES; k++) {
    const start = process.cpuUsage();
    let used = 0;
    let n = 0;
    while (used < (seconds / 3) * 1e6) {
      const got = body();
      if (got !== perRound) throw new Error(`bench self-check failed: expected ${perRound} messages per round, got ${got}`);
      n += got;
      const d = process.cpuUsage(start);
      used = d.user + d.system;
    }
    messages += n;
    total += used / 1e6;
    rates.push(n / (used / 1e6));
  }
  rates.sort((a, b) => a - b);
  return { messages, seconds: total, rate: rates[SLICES >> 1]!, minRate: rates[0]!, maxRate: rates[SLICES - 1]! };
}

function row(name: string, r: Timed, bytesPerMessage: number): BenchRow {
  return {
    name,
    opsPerSec: r.rate,
    minOpsPerSec: r.minRate,
    maxOpsPerSec: r.maxRate,
    mbPerSec: (r.rate * bytesPerMessage) / 1e6,
    messages: r.messages,
    bytes: Math.round(r.messages * bytesPerMessage),
    seconds: r.seconds,
  };
}

interface NpmSipMessage {
  method?: string;
  status?: number;
  headers: Record<string, unknown>;
}
interface JssipMessage {
  method?: string;
  status_code?: number;
  call_id?: string;
}

/** Measures the parse stage. Prints nothing. */
export async function benchParse(options: BenchParseOptions = {}): Promise<BenchRow[]> {
  const count = options.messages ?? 20_000;
  const seconds = options.seconds ?? 1;
  const generated = generateMessages(count, options.seed ?? 1);
  const texts = generated.map((g) => g.text);
  const totalBytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  const avg = totalBytes / count;
  // One stream of back-to-back messages; each message also as its own Buffer (a datagram, a log record).
  const stream = Buffer.from(texts.join(''), 'utf8');
  const messages = texts.map((t) => Buffer.from(t, 'utf8'));
  const chunked = (size: number): Buffer[] => {
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i += size) out.push(stream.subarray(i, i + size));
    return out;
  };
  const chunks64k = chunked(65536);
  const chunksSegment = chunked(1460);

  const rows: BenchRow[] = [];

  // Reference for this machine: a plain JS loop that only counts LF bytes over the same stream. Every parser row can
  // be read against it (how close to "the speed of memory" a stage runs on this CPU).
  rows.push(
    row(
      'reference: JS loop counting LF bytes over the stream',
      time(seconds, count, () => {
        let lf = 0;
        const b = stream;
        for (let i = 0; i < b.length; i++) if (b[i] === 0x0a) lf++;
        return lf > 0 ? count : 0;
      }),
      avg,
    ),
  );

  const framerRow = (name: string, chunks: readonly Uint8Array[]): BenchRow =>
    row(
      name,
      time(seconds, count, () => {
        const framer = new StreamFramer();
        let n = 0;
        for (const c of chunks) n += framer.push(c).length;
        return n + framer.end().length;
      }),
      avg,
    );
  rows.push(framerRow('siplens framing only (StreamFramer, 64 KiB chunks)', chunks64k));

  const onePass = (name: string, chunks: readonly Uint8Array[]): BenchRow =>
    row(
      name,
      time(seconds, count, () => {
        const framer = createSipStreamFramer();
        let n = 0;
        for (const c of chunks) {
          for (const f of framer.push(c)) {
            const m = parseFrame(f);
            if (m.status !== undefined || m.kind === 'request') n++;
          }
        }
        return n;
      }),
      avg,
    );
  rows.push(onePass('siplens framing + start line + header index (64 KiB chunks)', chunks64k));
  rows.push(onePass('siplens framing + start line + header index (1460 B segments)', chunksSegment));

  rows.push(
    row(
      'siplens start line + header index, per message (parseMessage)',
      time(seconds, count, () => {
        let n = 0;
        for (const b of messages) {
          const m = parseMessage(b);
          if (m.status !== undefined || m.kind === 'request') n++;
        }
        return n;
      }),
      avg,
    ),
  );

  let checked = 0;
  rows.push(
    row(
      'siplens full typed access (Via, From, To, CSeq, Call-ID, Contact, SDP…)',
      time(seconds, count, () => {
        let n = 0;
        for (let i = 0; i < messages.length; i++) {
          const m = parseMessage(messages[i]!);
          const via = m.via;
          const from = m.from;
          const to = m.to;
          const cseq = m.cseq;
          const callId = m.callId;
          void m.contacts;
          void m.maxForwards;
          void m.contentType;
          void m.wwwAuthenticate;
          const sdp = m.sdp;
          if (via.length === 1 && from?.tag !== undefined && to !== undefined && cseq !== undefined) n++;
          if (i % 997 === 0) {
            // Self-check on a sample: the values must be the generated ones.
            const g = generated[i]!;
            if (callId !== g.callId || cseq?.method !== g.method) throw new Error(`bench self-check failed at ${i}`);
            if (g.text.includes('m=audio') && sdp?.media[0]?.codecs.length !== 4) throw new Error('bench SDP check failed');
            checked++;
          }
        }
        return n;
      }),
      avg,
    ),
  );
  if (checked === 0) throw new Error('bench self-check did not run');

  const require = createRequire(import.meta.url);
  try {
    const sip = require('sip') as {
      parse: (s: string | Buffer) => NpmSipMessage | undefined;
      makeStreamParser: (
        onMessage: (m: NpmSipMessage) => void,
        onFlood?: () => void,
        maxBytesHeaders?: number,
      ) => (data: Buffer) => void;
    };
    const sipStream = (name: string, chunks: readonly Buffer[]): BenchRow =>
      row(
        name,
        time(seconds, count, () => {
          let n = 0;
          // Its default header limit (60480 bytes of unparsed text) floods on 64 KiB reads: raised so it can keep up.
          const feed = sip.makeStreamParser(
            (m) => {
              if (m.method !== undefined || m.status !== undefined) n++;
            },
            undefined,
            1 << 20,
          );
          for (const c of chunks) feed(c);
          return n;
        }),
        avg,
      );
    rows.push(sipStream('npm sip makeStreamParser: framing + parse (64 KiB chunks)', chunks64k));
    rows.push(sipStream('npm sip makeStreamParser: framing + parse (1460 B segments)', chunksSegment));
    const sipParse = (name: string, inputs: readonly (string | Buffer)[]): BenchRow =>
      row(
        name,
        time(seconds, count, () => {
          let n = 0;
          for (const t of inputs) {
            const m = sip.parse(t);
            if (m !== undefined && (m.method !== undefined || m.status !== undefined)) n++;
          }
          return n;
        }),
        avg,
      );
    rows.push(sipParse('npm sip parse, per message Buffer (as its UDP transport calls it)', messages));
    rows.push(sipParse('npm sip parse, per message string (decoding not counted)', texts));
  } catch (cause) {
    rows.push({ name: `npm sip: not measured (${String(cause).slice(0, 80)})`, opsPerSec: 0, mbPerSec: 0, messages: 0, bytes: 0, seconds: 0 });
  }
  try {
    // jssip's Parser module runs in Node without a browser: it only needs a UA object for requests. Its transports
    // hand it strings (WebSocket text frames), so it gets strings here.
    const parser = require('jssip/lib/Parser') as { parseMessage: (s: string, ua: object) => JssipMessage | undefined };
    const ua = {};
    const jssipCount = Math.min(count, 2000);
    const jssipTexts = texts.slice(0, jssipCount);
    const jssipAvg = jssipTexts.reduce((n, t) => n + Buffer.byteLength(t), 0) / jssipCount;
    rows.push(
      row(
        'jssip Parser.parseMessage, per message string',
        time(seconds, jssipCount, () => {
          let n = 0;
          for (const t of jssipTexts) {
            const m = parser.parseMessage(t, ua);
            if (m !== undefined && m.call_id !== undefined) n++;
          }
          return n;
        }),
        jssipAvg,
      ),
    );
  } catch (cause) {
    rows.push({ name: `jssip: not measured (${String(cause).slice(0, 80)})`, opsPerSec: 0, mbPerSec: 0, messages: 0, bytes: 0, seconds: 0 });
  }

  // Ratios: each rival against the siplens row doing the same job.
  const find = (prefix: string): BenchRow | undefined => rows.find((r) => r.name.startsWith(prefix));
  const pairs: [string, string][] = [
    ['npm sip makeStreamParser: framing + parse (64 KiB', 'siplens framing + start line + header index (64 KiB'],
    ['npm sip makeStreamParser: framing + parse (1460', 'siplens framing + start line + header index (1460'],
    ['npm sip parse, per message Buffer', 'siplens start line + header index, per message'],
    ['npm sip parse, per message string', 'siplens start line + header index, per message'],
    ['jssip Parser.parseMessage', 'siplens start line + header index, per message'],
  ];
  const reference = rows[0]!;
  return rows.map((r) => {
    const pair = pairs.find(([rival]) => r.name.startsWith(rival));
    const ours = pair === undefined ? undefined : find(pair[1]);
    if (pair !== undefined && ours !== undefined && r.opsPerSec > 0) {
      return { ...r, note: `siplens ${(ours.opsPerSec / r.opsPerSec).toFixed(1)}x faster` };
    }
    if (r !== reference && r.name.startsWith('siplens')) {
      return { ...r, note: `${((r.opsPerSec / reference.opsPerSec) * 100).toFixed(0)}% of the LF-counting loop` };
    }
    return r;
  });
}

/** Formats rows as a plain table. */
export function formatBenchRows(rows: readonly BenchRow[]): string {
  const k = (n: number | undefined): string => (n === undefined ? '' : `${Math.round(n / 1000).toLocaleString('en-US')}k`);
  const lines = [`${'case'.padEnd(74)} ${'msg/s'.padStart(12)} ${'slices'.padStart(17)} ${'MB/s'.padStart(6)}  note`];
  for (const r of rows) {
    const range = r.minOpsPerSec === undefined ? '' : `${k(r.minOpsPerSec)}-${k(r.maxOpsPerSec)}`;
    lines.push(
      `${r.name.padEnd(74)} ${Math.round(r.opsPerSec).toLocaleString('en-US').padStart(12)} ${range.padStart(17)} ${r.mbPerSec.toFixed(0).padStart(6)}  ${r.note ?? ''}`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // `--json` (used by bench/run.ts): the rows as JSON; otherwise a table.
  const json = process.argv.includes('--json');
  void benchParse().then((rows) => process.stdout.write(json ? `${JSON.stringify(rows)}\n` : `${formatBenchRows(rows)}\n`));
}
