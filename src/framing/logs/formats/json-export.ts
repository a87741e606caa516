import type { Issue, MessageMeta, Transport } from '../../../model/index.js';
import { StreamFramer } from '../../stream-framer.js';
import type { ReaderSink } from '../dialect.js';
import { findSipStart, isSipStartLine, readContentLength, toHostPort, toTransport } from '../text.js';
import { readEpochSeconds } from '../time.js';

/** Confidence that a sample is a JSON export holding SIP: tshark `-T ek` / `-T json`, Homer exports. */
export function detectJsonExport(sample: string): { format: string; confidence: number } | undefined {
  const t = sample.trimStart();
  const c = t.charCodeAt(0);
  if (c !== 0x7b && c !== 0x5b) return undefined;
  // `[2024-01-26 …]` and `[Sat, …]` are log prefixes: JSON opens with `{"`, `[{`, `["` or `[]`.
  const next = t.slice(1).trimStart().charCodeAt(0);
  if (c === 0x7b ? next !== 0x22 && next !== 0x7d : next !== 0x7b && next !== 0x22 && next !== 0x5d && next !== 0x5b) return undefined;
  // tshark's exports open with the packet's layers (the SIP fields may come after 64 KB of reassembled payload).
  if (t.includes('"layers"') && (t.includes('"_source"') || t.includes('"timestamp"') || t.includes('"_index"'))) {
    return { format: t.includes('"_source"') ? 'tshark-json' : 'tshark-ek', confidence: 0.95 };
  }
  if (t.includes('SIP/2.0')) return { format: 'homer-json', confidence: 0.6 };
  return undefined;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * Cuts a JSON stream into records without holding more than one: NDJSON lines and concatenated values are records;
 * a top-level array gives one record per element (tshark `-T json`). Scans bytes (latin1 chars) for braces outside
 * strings; a record over the limit is skipped with an issue.
 */
export class JsonRecordSplitter {
  #depth = 0;
  #inString = false;
  #escape = false;
  #topArray: boolean | undefined;
  #parts: string[] = [];
  #size = 0;
  #recording = false;
  #tooLarge = false;
  readonly #max: number;
  readonly #onRecord: (text: string) => void;
  readonly #onTooLarge: () => void;

  constructor(maxRecordBytes: number, onRecord: (text: string) => void, onTooLarge: () => void) {
    this.#max = maxRecordBytes;
    this.#onRecord = onRecord;
    this.#onTooLarge = onTooLarge;
  }

  push(text: string): void {
    let from = this.#recording ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.#inString) {
        if (this.#escape) this.#escape = false;
        else if (c === 0x5c) this.#escape = true;
        else if (c === 0x22) this.#inString = false;
        continue;
      }
      if (c === 0x22) {
        this.#inString = true;
      } else if (c === 0x7b || c === 0x5b) {
        if (this.#depth === 0 && this.#topArray === undefined) this.#topArray = c === 0x5b;
        const recordDepth = this.#topArray === true ? 1 : 0;
        if (this.#depth === recordDepth && !this.#recording) {
          this.#recording = true;
          from = i;
        }
        this.#depth++;
      } else if (c === 0x7d || c === 0x5d) {
        this.#depth--;
        const recordDepth = this.#topArray === true ? 1 : 0;
        if (this.#recording && this.#depth === recordDepth) {
          this.#take(text.slice(from, i + 1));
          this.#flush();
          from = -1;
        }
        if (this.#depth <= 0) {
          this.#depth = 0;
          this.#topArray = undefined;
        }
      }
    }
    if (this.#recording && from >= 0) this.#take(text.slice(from));
  }

  /** True when the input ended inside a record. */
  get unfinished(): boolean {
    return this.#recording;
  }

  #take(piece: string): void {
    if (this.#tooLarge) return;
    this.#size += piece.length;
    if (this.#size > this.#max) {
      this.#tooLarge = true;
      this.#parts = [];
      return;
    }
    this.#parts.push(piece);
  }

  #flush(): void {
    if (this.#tooLarge) this.#onTooLarge();
    else this.#onRecord(this.#parts.join(''));
    this.#parts = [];
    this.#size = 0;
    this.#recording = false;
    this.#tooLarge = false;
  }
}

function str(v: Json | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return str(v[0]);
  return undefined;
}

function obj(v: Json | undefined): JsonObject | undefined {
  // A layer seen twice (IP in IP) is a list in EK; the innermost, last, is the one that carried the message.
  if (Array.isArray(v)) return obj(v[v.length - 1]);
  return v !== null && typeof v === 'object' ? v : undefined;
}

/** A field under either naming: `-T json` dots (`ip.src`) or EK underscores (`ip_ip_src`). */
function field(layer: JsonObject | undefined, proto: string, name: string): Json | undefined {
  if (layer === undefined) return undefined;
  return layer[`${proto}.${name}`] ?? layer[`${proto}_${proto}_${name}`];
}

function hexToBytes(hex: string): Uint8Array {
  const clean = hex.includes(':') ? hex.replaceAll(':', '') : hex;
  return Buffer.from(clean, 'hex');
}

interface Found {
  readonly bytes: Uint8Array;
  readonly meta: Omit<MessageMeta, 'origin' | 'format'>;
  readonly issues: Issue[];
}

/** Messages of one tshark packet: the raw payload when the export has it (exact bytes), else rebuilt from SIP fields. */
function fromTsharkLayers(layers: JsonObject): Found[] {
  const frame = obj(layers['frame']);
  const time = readEpochSeconds(str(field(frame, 'frame', 'time_epoch')) ?? '');
  const ip = obj(layers['ip']) ?? obj(layers['ipv6']);
  const ipName = layers['ip'] !== undefined ? 'ip' : 'ipv6';
  const udp = obj(layers['udp']);
  const tcp = obj(layers['tcp']);
  const transport: Transport | undefined = udp !== undefined ? 'UDP' : tcp !== undefined ? 'TCP' : undefined;
  const l4 = udp ?? tcp;
  const l4Name = udp !== undefined ? 'udp' : 'tcp';
  const srcIp = str(field(ip, ipName, 'src'));
  const dstIp = str(field(ip, ipName, 'dst'));
  const meta = {
    time: time?.time ?? null,
    ...(srcIp !== undefined ? { src: toHostPort(srcIp, str(field(l4, l4Name, 'srcport'))) } : {}),
    ...(dstIp !== undefined ? { dst: toHostPort(dstIp, str(field(l4, l4Name, 'dstport'))) } : {}),
    ...(transport !== undefined ? { transport } : {}),
  };
  const segments = obj(layers['tcp.segments']);
  const raw =
    str(layers['tcp_tcp_reassembled_data']) ??
    str(segments?.['tcp.reassembled.data']) ??
    str(field(l4, l4Name, 'payload'));
  if (raw !== undefined) {
    const framer = new StreamFramer({ lengthless: transport === 'TCP' ? 'empty-body' : 'to-next-start-line' });
    const bytes = hexToBytes(raw);
    const framed = [...framer.push(bytes), ...framer.end()].map((f) => ({ bytes: f.bytes, meta, issues: f.issues }));
    if (transport !== 'UDP' || framed.length < 2) return framed;
    // RFC 3261 §18.3: a datagram holds one message; bytes after its Content-Length are discarded.
    const first = framed[0]!;
    const extra = framed.slice(1).reduce((n, f) => n + f.bytes.length, 0);
    first.issues.push({ code: 'bytes-after-body', severity: 'info', message: `expected the datagram to end with the body (Content-Length), found ${extra} more bytes; discarded (RFC 3261 §18.3)` });
    return [first];
  }
  const sip = obj(layers['sip']);
  if (sip === undefined) return [];
  const start = str(field(sip, 'sip', 'Request-Line')) ?? str(field(sip, 'sip', 'Status-Line'));
  const hdr = str(field(sip, 'sip', 'msg_hdr'));
  if (start === undefined || hdr === undefined) return [];
  const text = `${start}\r\n${hdr.endsWith('\r\n') ? hdr : hdr + '\r\n'}\r\n`;
  const issues: Issue[] = [];
  const lengths = hdr.split('\r\n').map((h) => readContentLength(h)).filter((v) => v !== undefined);
  if (lengths.length === 0 || lengths[0] !== 0) {
    issues.push({ code: 'body-not-rebuilt', severity: 'warning', message: 'expected the raw payload in the export (tshark -x or udp/tcp payload fields), found only dissected fields; body left out' });
  }
  return [{ bytes: Buffer.from(text, 'utf8'), meta, issues }];
}

const RAW_KEYS = ['raw', 'msg', 'message', 'payload', 'data', 'sip'];

function firstOf(o: JsonObject, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = str(o[k]);
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

/** Homer (v5/v7) and similar exports: objects with the message text and its addresses. */
function fromHomerObject(o: JsonObject): Found | undefined {
  let text: string | undefined;
  for (const k of RAW_KEYS) {
    const v = o[k];
    if (typeof v === 'string' && findSipStart(v.slice(0, v.indexOf('\n') < 0 ? v.length : v.indexOf('\n'))) === 0) {
      text = v;
      break;
    }
  }
  if (text === undefined) return undefined;
  const srcIp = firstOf(o, ['srcIp', 'src_ip', 'source_ip', 'sourceIp', 'srcip']);
  const dstIp = firstOf(o, ['dstIp', 'dst_ip', 'destination_ip', 'destinationIp', 'dstip']);
  const srcPort = firstOf(o, ['srcPort', 'src_port', 'source_port', 'sourcePort', 'srcport']);
  const dstPort = firstOf(o, ['dstPort', 'dst_port', 'destination_port', 'destinationPort', 'dstport']);
  const proto = o['protocol'] ?? o['proto'];
  const transport = proto === 17 ? 'UDP' : proto === 6 ? 'TCP' : typeof proto === 'string' ? toTransport(proto) : undefined;
  let time: number | null = null;
  const micro = o['micro_ts'];
  const seconds = o['timeSeconds'];
  const created = o['create_date'] ?? o['date'] ?? o['timestamp'];
  if (typeof micro === 'number') time = micro / 1000;
  else if (typeof seconds === 'number') time = seconds * 1000 + (typeof o['timeUseconds'] === 'number' ? o['timeUseconds'] / 1000 : 0);
  else if (typeof created === 'number') time = created > 1e14 ? created / 1000 : created > 1e11 ? created : created * 1000;
  else if (typeof created === 'string' && /^\d{4}-\d\d-\d\d/.test(created)) {
    const ms = Date.parse(created);
    time = Number.isNaN(ms) ? null : ms;
  }
  const norm = text.includes('\r\n') ? text : text.replaceAll('\n', '\r\n');
  return {
    bytes: Buffer.from(norm, 'utf8'),
    meta: {
      time,
      ...(srcIp !== undefined ? { src: toHostPort(srcIp, srcPort) } : {}),
      ...(dstIp !== undefined ? { dst: toHostPort(dstIp, dstPort) } : {}),
      ...(transport !== undefined ? { transport } : {}),
    },
    issues: [],
  };
}

function walk(v: Json, out: Found[], depth: number): void {
  if (depth > 8 || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (const e of v) walk(e, out, depth + 1);
    return;
  }
  const layers = obj(v['layers']) ?? obj(obj(v['_source'])?.['layers']);
  if (layers !== undefined) {
    out.push(...fromTsharkLayers(layers));
    return;
  }
  const homer = fromHomerObject(v);
  if (homer !== undefined) {
    out.push(homer);
    return;
  }
  for (const k of Object.keys(v)) walk(v[k]!, out, depth + 1);
}

/** Reads JSON exports record by record: each record's SIP messages go to the sink. */
export class JsonExportReader {
  readonly #sink: ReaderSink;
  readonly #splitter: JsonRecordSplitter;
  #offset = 0;
  #recordOffset = 0;
  #records = 0;

  constructor(sink: ReaderSink, maxRecordBytes: number) {
    this.#sink = sink;
    this.#splitter = new JsonRecordSplitter(
      maxRecordBytes,
      (text) => this.#record(text),
      () =>
        sink.issue({
          code: 'record-too-large',
          severity: 'error',
          message: `expected JSON records under ${maxRecordBytes} bytes, found a larger one near offset ${this.#offset}; skipped`,
          origin: { path: sink.path, offset: this.#offset },
        }),
    );
  }

  push(chunk: Uint8Array): void {
    this.#splitter.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1'));
    this.#offset += chunk.byteLength;
  }

  end(): void {
    if (this.#splitter.unfinished) {
      this.#sink.issue({
        code: 'truncated-json',
        severity: 'error',
        message: `expected the last JSON record to close, found the end of the input after record ${this.#records}; it was not read`,
        origin: { path: this.#sink.path, offset: this.#offset },
      });
    }
  }

  #record(text: string): void {
    this.#records++;
    this.#recordOffset = this.#offset;
    let value: Json;
    try {
      value = JSON.parse(Buffer.from(text, 'latin1').toString('utf8')) as Json;
    } catch (cause) {
      this.#sink.issue({
        code: 'bad-json',
        severity: 'error',
        message: `expected a JSON record, found text JSON.parse refused (${(cause as Error).message}) in record ${this.#records}; skipped`,
        origin: { path: this.#sink.path, offset: this.#recordOffset },
      });
      return;
    }
    const found: Found[] = [];
    walk(value, found, 0);
    for (const f of found) {
      if (!isSipStartLine(Buffer.from(f.bytes.subarray(0, Math.min(f.bytes.length, 8192))).toString('latin1').split('\r\n')[0] ?? '')) {
        this.#sink.skip();
        continue;
      }
      const origin = { path: this.#sink.path, offset: this.#recordOffset, packet: this.#records };
      this.#sink.message({ bytes: f.bytes, meta: { ...f.meta, origin, format: this.#sink.format }, issues: f.issues.map((i) => ({ ...i, origin })) });
    }
  }
}
