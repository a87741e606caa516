// A yardstick for planning, not part of siplens: how long the analysis path would take per message if a message's
// facts went into typed-array columns with interned strings and transactions and calls were integer records, so that
// nothing per message is left for the garbage collector. It reads a capture as `analyze` does (readRawInputs), scans
// each message (the header index, borrowed), takes five facts (top Via branch, Call-ID, CSeq number and method,
// From and To tags, status) and matches transactions (branch + CSeq method, RFC 3261 §17.2.3) and calls (Call-ID).
// No dialogs, registrations, rules, message store or eviction: what it measures is a floor, not a design.
//
//   node .bench-build/bench/columns-floor.js FILE [scan|columns]
//
// `scan` stops after the header index, so the difference between the two is what the columns cost. The figures it
// gave are in docs/PERFORMANCE.md ("What the targets would take").
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

async function main(file: string, mode: 'scan' | 'columns'): Promise<void> {
  const msgCall = new Column();
  const msgTx = new Column();
  const msgStatus = new Column();
  const msgCseq = new Column();
  const txFinal = new Column();
  const txCount = new Column();
  const txFirst = new Column();
  const callFinal = new Column();
  const txByKey = new Map<number, number>();
  const callById = new Map<number, number>();
  let n = 0;
  let retransmissions = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const { batches } = readRawInputs([file]);
  for await (const batch of batches) {
    for (const raw of batch) {
      const b = raw.bytes;
      const scan = scanMessage(b, 0, b.length, undefined, true, [], false)!;
      if (mode === 'scan') {
        n++;
        continue;
      }
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
      const status = layout.status ?? 0;
      const key = branch * 4096 + cseqMethod;
      let tx = txByKey.get(key);
      if (tx === undefined) {
        tx = txByKey.size;
        txByKey.set(key, tx);
        txFirst.set(tx, n);
      } else if (status === 0 && msgStatus.at(txFirst.at(tx)) === 0) {
        retransmissions++;
      }
      txCount.set(tx, txCount.at(tx) + 1);
      if (status >= 200 && txFinal.at(tx) === 0) txFinal.set(tx, status);
      let call = callById.get(callId);
      if (call === undefined) {
        call = callById.size;
        callById.set(callId, call);
      }
      if (status >= 200) callFinal.set(call, status);
      msgCall.set(n, call);
      msgTx.set(n, tx);
      msgStatus.set(n, status);
      msgCseq.set(n, cseq);
      n++;
    }
  }
  const used = process.cpuUsage(cpu);
  process.stdout.write(
    `${JSON.stringify({
      mode,
      messages: n,
      seconds: (performance.now() - started) / 1000,
      cpuSeconds: (used.user + used.system) / 1e6,
      transactions: txByKey.size,
      calls: callById.size,
      strings: strings.size,
      retransmissions,
      rssMiB: Math.round(process.memoryUsage().rss / 1048576),
    })}\n`,
  );
}

const [file, mode = 'columns'] = process.argv.slice(2);
if (file === undefined || (mode !== 'scan' && mode !== 'columns')) {
  process.stderr.write('usage: node .bench-build/bench/columns-floor.js FILE [scan|columns]\n');
  process.exit(2);
}
void main(file, mode);
