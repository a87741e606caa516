// A yardstick for planning, not part of siplens: how long the analysis path would take per message if a message's
// facts went into typed-array columns with interned strings and transactions and calls were integer records, so that
// nothing per message is left for the garbage collector. It reads a capture as `analyze` does (readRawInputs), scans
// each message (the header index, borrowed), takes five facts (top Via branch, Call-ID, CSeq number and method,
// From and To tags, status) and matches transactions (branch + CSeq method, RFC 3261 §17.2.3) and calls (Call-ID).
// No dialogs, registrations, rules, message store or eviction: what it measures is a floor, not a design.
//
//   node .bench-build/bench/columns-floor.js FILE [scan|columns|plumb|shares]
//
// `scan` stops after the header index, so the difference between the two is what the columns cost. `plumb` and
// `shares` are the two-thread floor, split as `analyze` splits on two cores (diagnose/shares/): this thread reads,
// frames and routes every message by its call or account (Router, shareOf), keeps one share and packs the other into batches
// for a worker thread (RawBatchWriter, with analyze's BATCH_BYTES and MAX_IN_FLIGHT). `plumb` does no work on either share (what the
// split itself costs in time and memory), `shares` does the columns of `columns` on both. The figures it gave are in
// docs/PERFORMANCE.md ("What the targets would take").
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Router } from '../src/correlate/route-key.js';
import { RawBatchWriter, readRawBatch } from '../src/diagnose/raw-batch.js';
import { BATCH_BYTES, MAX_IN_FLIGHT, shareOf } from '../src/diagnose/shares/analyze-shares.js';
import type { RawBatch } from '../src/diagnose/raw-batch.js';
import { decodeText } from '../src/parse/decode.js';
import { H, identifyHeaderName } from '../src/parse/header-names.js';
import { scanMessage } from '../src/parse/parse-message.js';
import { readRawInputs } from '../src/parse/read-inputs.js';

const lower = (b: Uint8Array, i: number): number => b[i]! | 0x20;

/** The value range b[s, e) without white space around it; start in `range[0]`, end in `range[1]`. */
const range = [0, 0];
function trim(b: Uint8Array, s: number, e: number): void {
  while (s < e && (b[s] === 0x20 || b[s] === 0x09)) s++;
  while (e > s && (b[e - 1] === 0x20 || b[e - 1] === 0x09 || b[e - 1] === 0x0d)) e--;
  range[0] = s;
  range[1] = e;
}

/** Finds `;name=value` in b[s, e): true with the value's range in `range`. */
function findParam(b: Uint8Array, s: number, e: number, name: string): boolean {
  outer: for (let i = s; i + name.length < e; i++) {
    if (b[i] !== 0x3b) continue;
    let j = i + 1;
    while (j < e && b[j] === 0x20) j++;
    for (let k = 0; k < name.length; k++) if (lower(b, j + k) !== name.charCodeAt(k)) continue outer;
    j += name.length;
    let q = j;
    while (q < e && b[q] !== 0x3b && b[q] !== 0x2c && b[q] !== 0x20 && b[q] !== 0x3e) q++;
    range[0] = j;
    range[1] = q;
    return true;
  }
  return false;
}

const strings = new Map<string, number>();
function intern(b: Uint8Array, s: number, e: number): number {
  const text = decodeText(b, s, e);
  let v = strings.get(text);
  if (v === undefined) {
    v = strings.size;
    strings.set(text, v);
  }
  return v;
}

/** Columns that grow by doubling. */
class Column {
  data: Int32Array = new Int32Array(1 << 16);
  at(i: number): number {
    return i < this.data.length ? this.data[i]! : 0;
  }
  set(i: number, v: number): void {
    if (i >= this.data.length) {
      const next = new Int32Array(Math.max(this.data.length * 2, i + 1));
      next.set(this.data);
      this.data = next;
    }
    this.data[i] = v;
  }
}

/** The five facts of each message into columns, transactions and calls matched as integers. */
class Columns {
  readonly msgCall = new Column();
  readonly msgTx = new Column();
  readonly msgStatus = new Column();
  readonly msgCseq = new Column();
  readonly txFinal = new Column();
  readonly txCount = new Column();
  readonly txFirst = new Column();
  readonly callFinal = new Column();
  readonly txByKey = new Map<number, number>();
  readonly callById = new Map<number, number>();
  n = 0;
  retransmissions = 0;

  push(b: Uint8Array): void {
    const scan = scanMessage(b, 0, b.length, undefined, true, [], false)!;
    const layout = scan.layout;
    const idx = layout.index;
    let callId = -1;
    let branch = -1;
    let cseq = 0;
    let cseqMethod = -1;
    let sawVia = false;
    for (let k = 0; k < idx.length; k += 5) {
      const ls = idx[k + 1]!;
      const ne = idx[k + 2]!;
      const vs = idx[k + 3]!;
      const ve = idx[k + 4]!;
      // Names identified as the pipeline identifies them (long or compact form, any case).
      const id = identifyHeaderName(b, ls, ne);
      if (id === H.via && !sawVia) {
        sawVia = true;
        if (findParam(b, vs, ve, 'branch=')) branch = intern(b, range[0]!, range[1]!);
      } else if (id === H.callId) {
        trim(b, vs, ve);
        callId = intern(b, range[0]!, range[1]!);
      } else if (id === H.cseq) {
        trim(b, vs, ve);
        let s = range[0]!;
        const e = range[1]!;
        let v = 0;
        while (s < e && b[s]! >= 0x30 && b[s]! <= 0x39) v = v * 10 + b[s++]! - 0x30;
        while (s < e && b[s] === 0x20) s++;
        cseq = v;
        cseqMethod = intern(b, s, e);
      } else if (id === H.from || id === H.to) {
        // The tags are interned as a dialog would need them; this floor does not match dialogs.
        if (findParam(b, vs, ve, 'tag=')) intern(b, range[0]!, range[1]!);
      }
    }
    const n = this.n;
    const status = layout.status ?? 0;
    const key = branch * 4096 + cseqMethod;
    let tx = this.txByKey.get(key);
    if (tx === undefined) {
      tx = this.txByKey.size;
      this.txByKey.set(key, tx);
      this.txFirst.set(tx, n);
    } else if (status === 0 && this.msgStatus.at(this.txFirst.at(tx)) === 0) {
      this.retransmissions++;
    }
    this.txCount.set(tx, this.txCount.at(tx) + 1);
    if (status >= 200 && this.txFinal.at(tx) === 0) this.txFinal.set(tx, status);
    let call = this.callById.get(callId);
    if (call === undefined) {
      call = this.callById.size;
      this.callById.set(callId, call);
    }
    if (status >= 200) this.callFinal.set(call, status);
    this.msgCall.set(n, call);
    this.msgTx.set(n, tx);
    this.msgStatus.set(n, status);
    this.msgCseq.set(n, cseq);
    this.n = n + 1;
  }

  counts(): { transactions: number; calls: number; retransmissions: number } {
    return { transactions: this.txByKey.size, calls: this.callById.size, retransmissions: this.retransmissions };
  }
}

type Mode = 'scan' | 'columns' | 'plumb' | 'shares';
type Counts = { messages: number; transactions?: number; calls?: number; retransmissions?: number };

async function oneThread(file: string, mode: 'scan' | 'columns'): Promise<Counts> {
  const columns = new Columns();
  let n = 0;
  const { batches } = readRawInputs([file]);
  for await (const batch of batches) {
    for (const raw of batch) {
      const b = raw.bytes;
      if (mode === 'scan') scanMessage(b, 0, b.length, undefined, true, [], false);
      else columns.push(b);
      n++;
    }
  }
  return mode === 'scan' ? { messages: n } : { messages: n, ...columns.counts() };
}

/** What the worker thread answers: `ack` for each batch, then its counts. */
type FromFloorWorker = { type: 'ack' } | ({ type: 'done' } & Counts);

async function twoThreads(file: string, mode: 'plumb' | 'shares'): Promise<Counts & { local: number; worker: Counts }> {
  const worker = new Worker(new URL(import.meta.url), { workerData: mode, argv: [] });
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const done = new Promise<Counts>((resolve, reject) => {
    worker.on('message', (m: FromFloorWorker) => {
      if (m.type === 'ack') {
        inFlight--;
        wake?.();
      } else {
        const { type: _, ...counts } = m;
        resolve(counts);
      }
    });
    worker.on('error', reject);
  });
  const writer = new RawBatchWriter();
  const send = async (): Promise<void> => {
    if (writer.count === 0) return;
    while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
    const batch = writer.take();
    inFlight++;
    worker.postMessage(batch, [batch.bytes, batch.nums]);
  };
  const columns = new Columns();
  const router = new Router();
  let n = 0;
  let local = 0;
  const { batches } = readRawInputs([file]);
  for await (const batch of batches) {
    for (const raw of batch) {
      if (shareOf(router.key(raw.bytes), 2) === 0) {
        if (mode === 'shares') columns.push(raw.bytes);
        local++;
      } else {
        writer.add(raw, n);
        if (writer.byteLength >= BATCH_BYTES) await send();
      }
      n++;
    }
  }
  await send();
  worker.postMessage(null);
  const remote = await done;
  await worker.terminate();
  const own = mode === 'shares' ? columns.counts() : {};
  return { messages: n, local, ...own, worker: remote };
}

/** The worker of `plumb` and `shares`: each batch read back into messages, and in `shares` their columns. */
function floorWorker(mode: 'plumb' | 'shares'): void {
  const port = parentPort!;
  const columns = new Columns();
  let n = 0;
  port.on('message', (batch: RawBatch | null) => {
    if (batch === null) {
      const done: FromFloorWorker = { type: 'done', messages: n, ...(mode === 'shares' ? columns.counts() : {}) };
      port.postMessage(done);
      return;
    }
    readRawBatch(batch, (raw) => {
      if (mode === 'shares') columns.push(raw.bytes);
      n++;
    });
    port.postMessage({ type: 'ack' } satisfies FromFloorWorker);
  });
}

async function main(file: string, mode: Mode): Promise<void> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const counts = mode === 'scan' || mode === 'columns' ? await oneThread(file, mode) : await twoThreads(file, mode);
  const used = process.cpuUsage(cpu);
  process.stdout.write(
    `${JSON.stringify({
      mode,
      ...counts,
      seconds: (performance.now() - started) / 1000,
      cpuSeconds: (used.user + used.system) / 1e6,
      strings: strings.size,
      rssMiB: Math.round(process.memoryUsage().rss / 1048576),
    })}\n`,
  );
}

if (!isMainThread) floorWorker(workerData as 'plumb' | 'shares');
else {
  const [file, mode = 'columns'] = process.argv.slice(2);
  if (file === undefined || !['scan', 'columns', 'plumb', 'shares'].includes(mode)) {
    process.stderr.write('usage: node .bench-build/bench/columns-floor.js FILE [scan|columns|plumb|shares]\n');
    process.exit(2);
  }
  void main(file, mode as Mode);
}
