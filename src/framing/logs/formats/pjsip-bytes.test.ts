import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { emptyCounts, generateTraffic } from '../../../../bench/traffic.js';
import { encodePacket, fileHeader } from '../../../../bench/writers.js';
import { corpusDir, corpusSkipReason, hasCorpus } from '../../../../test/helpers/corpus.js';
import type { InputReport, RawMessage } from '../../../model/index.js';
import type { ReaderSink } from '../dialect.js';
import { DialectReader } from '../dialect.js';
import { DETECT_SAMPLE_BYTES, detectLogFormat } from '../detect.js';
import { frameLog } from '../frame-log.js';
import { LineSplitter } from '../line-splitter.js';
import { pjsip } from './pjsip.js';
import { PjsipBytesReader } from './pjsip-bytes.js';
import { isHeaderLineAt, isHeaderLine as isHeaderLineText, readContentLengthAt, readContentLength as readContentLengthText } from '../text.js';

interface Limits {
  readonly maxLineBytes?: number;
  readonly maxMessageBytes?: number;
  readonly year?: number;
}

interface Read {
  readonly messages: RawMessage[];
  readonly report: InputReport;
}

function newSink(report: InputReport, messages: RawMessage[], limits: Limits): ReaderSink {
  // As frameLogBatches builds it.
  return {
    path: 'mem.log',
    format: 'pjsip',
    year: limits.year,
    maxMessageBytes: limits.maxMessageBytes ?? 1 << 20,
    message(raw) {
      report.messages++;
      messages.push(raw);
    },
    issue(issue) {
      report.issues.push(issue);
    },
    skip() {
      report.skipped++;
    },
  };
}

function newReport(): InputReport {
  return { path: 'mem.log', kind: 'log', format: null, messages: 0, skipped: 0, issues: [] };
}

/** The reference: LineSplitter into DialectReader(pjsip), as frame-log.ts wired it before the byte reader. */
function readWithEngine(pieces: readonly Uint8Array[], limits: Limits = {}): Read {
  const report = newReport();
  const messages: RawMessage[] = [];
  const reader = new DialectReader(pjsip, newSink(report, messages, limits));
  const splitter = new LineSplitter(limits.maxLineBytes ?? 1 << 20);
  const onLine = reader.line.bind(reader);
  for (const p of pieces) splitter.push(p, onLine);
  splitter.end(onLine);
  reader.end();
  return { messages, report };
}

function readWithBytes(pieces: readonly Uint8Array[], limits: Limits = {}): Read & { readHere: number } {
  const report = newReport();
  const messages: RawMessage[] = [];
  const reader = new PjsipBytesReader(newSink(report, messages, limits), limits.maxLineBytes ?? 1 << 20);
  for (const p of pieces) reader.push(p);
  reader.end();
  return { messages, report, readHere: reader.readHere };
}

/** Bytes as Buffers, so that a Uint8Array and a Buffer of the same bytes compare equal, and nothing else differs. */
function comparable(read: Read): unknown {
  return {
    messages: read.messages.map((m) => ({ ...m, bytes: Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength) })),
    report: read.report,
  };
}

/** Asserts that both readers give the same for these pieces; returns how many messages the byte path read itself. */
function expectSame(pieces: readonly Uint8Array[], limits: Limits = {}): { messages: number; readHere: number } {
  const want = readWithEngine(pieces, limits);
  const got = readWithBytes(pieces, limits);
  expect(comparable(got)).toEqual(comparable(want));
  return { messages: want.messages.length, readHere: got.readHere };
}

function cut(bytes: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let o = 0; o < bytes.length; o += size) pieces.push(bytes.subarray(o, o + size));
  return pieces;
}

/** Cuts at random places: sizes from 1 to `most` bytes, drawn from a seeded generator (mulberry32). */
function cutRandomly(bytes: Buffer, seed: number, most: number): Buffer[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const pieces: Buffer[] = [];
  for (let o = 0; o < bytes.length; ) {
    const n = 1 + Math.floor(next() ** 3 * most);
    pieces.push(bytes.subarray(o, o + n));
    o += n;
  }
  return pieces;
}

/** A generated proxy's PJSIP trace (bench/writers.ts), about `bytes` of SIP. */
function generatedLog(seed: number, bytes: number): Buffer {
  return Buffer.concat([fileHeader('pjsip'), ...[...generateTraffic(seed, bytes, emptyCounts(seed))].map((p) => encodePacket('pjsip', p))]);
}

describe('PjsipBytesReader gives what the line engine gives', () => {
  for (const seed of [1, 2, 3]) {
    const log = generatedLog(seed, 400_000);
    it(`generated log, seed ${seed}: one chunk, 64 KiB chunks, random small chunks; every message read on the bytes`, () => {
      const whole = expectSame([log]);
      expect(whole.messages).toBeGreaterThan(300);
      expect(whole.readHere).toBe(whole.messages);
      expect(expectSame(cut(log, 64 << 10)).readHere).toBe(whole.messages);
      expect(expectSame(cutRandomly(log, seed, 600)).readHere).toBe(whole.messages);
    });
  }

  it('generated log cut into 1 to 64 byte pieces (inside announcements, `--end msg--` and CRLF pairs)', () => {
    const log = generatedLog(4, 60_000);
    const crlf = Buffer.from(log.toString('latin1').replaceAll('\n', '\r\n'), 'latin1');
    for (const [i, bytes] of [log, crlf].entries()) {
      const r = expectSame(cutRandomly(bytes, 40 + i, 64));
      expect(r.readHere).toBe(r.messages);
    }
  });

  it('CRLF line ends, and a mix of CRLF and LF lines', () => {
    const text = generatedLog(5, 100_000).toString('latin1');
    const crlf = Buffer.from(text.replaceAll('\n', '\r\n'), 'latin1');
    let k = 0;
    const mixed = Buffer.from(text.replaceAll('\n', () => (k++ % 3 === 0 ? '\r\n' : '\n')), 'latin1');
    for (const bytes of [crlf, mixed]) {
      const r = expectSame([bytes]);
      expect(r.readHere).toBe(r.messages);
      expectSame(cutRandomly(bytes, 9, 900));
    }
  });

  it('limits: lines cut at maxLineBytes, messages past maxMessageBytes', () => {
    const log = generatedLog(6, 100_000);
    for (const limits of [{ maxLineBytes: 120 }, { maxLineBytes: 60 }, { maxMessageBytes: 300 }, { maxMessageBytes: 700 }, { maxLineBytes: 100, maxMessageBytes: 500 }]) {
      expectSame([log], limits);
      expectSame(cut(log, 4096), limits);
      expectSame(cutRandomly(log, 11, 300), limits);
    }
  });

  describe.skipIf(!hasCorpus)('every corpus file the detector calls pjsip', () => {
    const files = hasCorpus ? walk(corpusDir).filter((f) => detectLogFormat(readFileSync(f).subarray(0, DETECT_SAMPLE_BYTES).toString('latin1'))?.format === 'pjsip') : [];
    it('finds the PJSIP files of the corpus', () => {
      expect(files.length, corpusSkipReason).toBeGreaterThanOrEqual(6);
    });
    for (const file of files) {
      it(file.slice(corpusDir.length + 1), () => {
        const bytes = readFileSync(file);
        expectSame([bytes]);
        expectSame(cut(bytes, 64 << 10));
        expectSame(cut(bytes, 7));
        for (const seed of [1, 2, 3]) expectSame(cutRandomly(bytes, seed, 200));
        expectSame([bytes], { year: 2024 });
        expectSame([bytes], { maxLineBytes: 80, maxMessageBytes: 400 });
      });
    }
  });

  describe('hand-made hostile inputs, cut at every place', () => {
    const ann = (dir: 'RX' | 'TX', n = 1): string =>
      `2026-11-02 08:00:0${n}.000           pjsua_core.c  .${dir} 398 bytes Request msg OPTIONS/cseq=${n} (rdata0x7f00000${n}) ${dir === 'RX' ? 'from' : 'to'} UDP 10.1.13.10:5060:\n`;
    const head = (cl: string | null, n = 1): string =>
      `OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP 10.1.13.10:5060;branch=z9hG4bK${n}\nCall-ID: c${n}@x\nCSeq: ${n} OPTIONS\n${cl === null ? '' : `Content-Length: ${cl}\n`}`;
    const body = 'v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\n';
    const ok = (n: number): string => `${ann('RX', n)}${head(String(body.length + 3), n)}\n${body}\n--end msg--\n`;
    const cases: Record<string, string | Buffer> = {
      'a good message (the baseline)': ok(1),
      'truncated message at EOF': ok(1) + ann('TX', 2) + head('0', 2).slice(0, 60),
      'truncated at EOF inside the headers, no LF at the end': ann('RX') + 'OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP 1.2.3.4',
      'announcement as the last line': ok(1) + ann('TX', 2).trimEnd(),
      'missing --end msg--, the next announcement follows': `${ann('RX', 1)}${head(null, 1)}\n${body}${ok(2)}`,
      'missing --end msg-- and the empty line': `${ann('RX', 1)}${head(null, 1)}${ok(2)}`,
      'body shorter than Content-Length': `${ann('RX')}${head('500')}\n${body}\n--end msg--\n${ok(2)}`,
      'body longer than Content-Length': `${ann('RX')}${head('10')}\n${body}Call-ID: stray@x\n--end msg--\n${ok(2)}`,
      'no Content-Length, body up to --end msg--': `${ann('RX')}${head(null)}\n${body}\n\n--end msg--\n${ok(2)}`,
      'no Content-Length, a start line in the body': `${ann('RX')}${head(null)}\n${body}SIP/2.0 200 OK\nCSeq: 1 OPTIONS\n\n--end msg--\n`,
      'Content-Length: 0 and no empty line': `${ann('RX')}${head('0')}--end msg--\n${ok(2)}`,
      'unreadable Content-Length': `${ann('RX')}${head('12x')}\n${body}--end msg--\n${ok(2)}`,
      'compact l: header, odd spacing': `${ann('RX')}${head(null)}l :  ${body.length}  \n\n${body}--end msg--\n`,
      'no empty line before the SDP body': `${ann('RX')}${head(String(body.length))}${body}--end msg--\n${ok(2)}`,
      'blank lines between announcement and start line': `${ann('RX')}\n\n  \n${head('0')}\n--end msg--\n${ann('RX', 2)}\n\n\n\n\n${head('0', 2)}\n--end msg--\n`,
      'announcement with no start line after it': `${ann('RX')}Not a start line\n${ok(2)}`,
      'two announcements in a row': `${ann('RX')}${ok(2)}`,
      'a start line that also announces': `${ann('RX')}SIP/2.0 200 OK .RX 5 bytes Request msg x from UDP 1.2.3.4:5:\nCSeq: 1 OPTIONS\n\n--end msg--\n`,
      'header section cut by a log line': `${ann('RX')}${head('0').slice(0, 50)}\n16:35:39.843  pjsua_acc.c  ...Registration sent\n${ok(2)}`,
      'a prefixed line inside a message': `${ann('RX')}${head(String(body.length))}\n2026-11-02 08:00:01.000 v=0\n${body}--end msg--\n${ok(2)}`,
      'a body line that looks like a syslog date': `${ann('RX')}${head('16')}\nMay 27 12:06:07 x\n--end msg--\n${ok(2)}`,
      'headers-only lines with no start line (orphans)': `Call-ID: lost@x\nCSeq: 1 INVITE\n${ok(1)}CSeq: 2 BYE\n`,
      'a dashed line ends the message': `${ann('RX')}${head(null)}\n${body}${'-'.repeat(30)}\n${ok(2)}`,
      '--end msg-- with trailing spaces': `${ann('RX')}${head(null)}\n${body}--end msg--   \n${ok(2)}`,
      'ANSI colours': `\x1b[32m${ann('RX')}\x1b[0m${head('0')}\x1b[36m\n--end msg--\n${ok(2)}`,
      'escaped line ends (#012) and backslashes': `${ann('RX').trimEnd()}#012${head('0').replaceAll('\n', '#012')}\n${ok(2)}${ann('TX', 3)}${head('0', 3)}X-Path: C:\\temp\\n\n\n--end msg--\n`,
      'lone CRs and ^M': `${ann('RX')}${head('0').replaceAll('\n', '\r')}\n\n${ok(2).replaceAll('\n', '^M\n')}${ok(3)}`,
      'syslog wrapping': `<135>Jan  1 01:05:23 konfsip[1028:1150]: ${ann('RX')}${head('0')}\n--end msg--\n${ok(2)}`,
      'split entry parts': `2026-11-02 08:00:01.000 [1/2] pjsua_core.c .RX 398 bytes Req\n2026-11-02 08:00:01.000 [2/2] uest msg OPTIONS/cseq=1 (rdata0x1) from UDP 1.2.3.4:5060:\n${head('0')}\n--end msg--\n${ok(2)}`,
      'an unset device clock': `1970-01-01 00:00:05.000   pjsua_core.c  .RX 1 bytes Request msg OPTIONS/cseq=1 (rdata0x1) from UDP 1.2.3.4:5060:\n${head('0')}\n--end msg--\n${ok(2)}1970-01-01 00:00:06.000   pjsua_core.c  .TX 1 bytes Request msg OPTIONS/cseq=1 (tdta0x1) to TCP 1.2.3.4:5060:\n${head('0', 3)}\n--end msg--\n`,
      'TCP and TLS announcements, no Content-Length': `${ann('RX').replace('UDP', 'TCP')}${head(null)}\n--end msg--\n${ann('TX', 2).replace('UDP', 'tls')}${head(null, 2)}\n${body}--end msg--\n`,
      'time of day and bracketed time prefixes': `16:35:39.843           pjsua_core.c  .RX 500 bytes Response msg 401/REGISTER/cseq=1 (rdata0x1) from TCP [::1]:5060:\n${head('0')}\n--end msg--\n[19:40:36.913][t:1436][p:1433][pjsip][debug] RX 514 bytes Request msg REGISTER/cseq=1 (rdata0x2) from UDP IP_TG2SIP:5060:\n${head('0', 2)}\n--end msg--\n`,
      'folded header lines and a header line that is only a space': `${ann('RX')}${head('0')}Subject: a\n  b\n \n--end msg--\n${ok(2)}`,
      'binary junk between messages and inside one': Buffer.concat([
        Buffer.from(ok(1), 'latin1'),
        Buffer.from([0x00, 0xff, 0x1b, 0x0d, 0x0a, 0x80, 0x9f, 0xa0, 0x3a, 0x0a, 0xc3, 0xa9, 0x0a]),
        Buffer.from(`${ann('RX', 2)}${head('0', 2)}X-Junk: \u00a0\u00ff\u0001\n\n--end msg--\n`, 'latin1'),
        Buffer.from(`${ann('RX', 3)}${head('3', 3)}\n\u0000\u0001\n--end msg--\n`, 'latin1'),
      ]),
      'two Content-Length headers, different values': `${ann('RX')}${head(String(body.length))}Content-Length: 3\n\n${body}--end msg--\n${ok(2)}`,
      'two Content-Length headers, only the last one matches the body': `${ann('RX')}${head(String(body.length + 99))}Content-Length: ${body.length + 3}\n\n${body}--end msg--\n${ok(2)}`,
      'a method name longer than the framer takes': `${ann('RX')}${'X'.repeat(70)} sip:a@b SIP/2.0\nCall-ID: x\nSubject : a SIP/2.0\nContent-Length: 0\n\n--end msg--\n${ok(2)}`,
      'two Content-Length headers, the same value': `${ann('RX')}${head('0')}l: 0\n\n--end msg--\n${ok(2)}`,
      'Content-Length spelt in lower case, with tabs, with a no-break space': `${ann('RX')}${head(null)}content-length:\t${body.length}\t\n\n${body}--end msg--\n${ann('RX', 2)}${head(null, 2)}Content-Length\u00a0: 0\n\n--end msg--\n${ann('RX', 3)}${head(null, 3)}Content-Length: 0\u00a0\n\n--end msg--\n`,
      'Content-Lengthy and a ten-digit Content-Length': `${ann('RX')}${head(null)}Content-Lengthy: 4\nContent-Length: 0\n\n--end msg--\n${ann('RX', 2)}${head('0000000000', 2)}\n--end msg--\n`,
      'a start line the framer does not take': `${ann('RX')}OPTIONS sip:a@b sip/2.0\nCall-ID: x\nContent-Length: 0\n\n--end msg--\n${ann('RX', 2)}sip/2.0 200 OK\nContent-Length: 0\n\n--end msg--\n`,
      'an overlong line in a message': `${ann('RX')}${head('0')}X-Long: ${'x'.repeat(300)}\n\n--end msg--\n${ok(2)}`,
      'an overlong line with no LF at the end': `${ok(1)}${'y'.repeat(400)}`,
      'empty input': '',
      'only LFs': '\n\n\n',
    };
    for (const [name, input] of Object.entries(cases)) {
      it(name, () => {
        const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
        for (const limits of [{}, { maxLineBytes: 200 }, { maxMessageBytes: 150 }, { maxMessageBytes: 174 }]) {
          expectSame([bytes], limits);
          expectSame(cut(bytes, 1), limits);
          for (let at = 1; at < bytes.length; at++) expectSame([bytes.subarray(0, at), bytes.subarray(at)], limits);
        }
      });
    }
    it('reads the good ones on the bytes', () => {
      const bytes = Buffer.from(ok(1) + ok(2) + ok(3), 'latin1');
      expect(expectSame([bytes])).toEqual({ messages: 3, readHere: 3 });
    });
  });

  it('frameLog reads PJSIP logs through it (detected or named)', async () => {
    const log = generatedLog(8, 200_000);
    const want = readWithEngine([log]);
    for (const format of [undefined, 'pjsip']) {
      const report: InputReport = { ...newReport(), format: 'pjsip' };
      const messages: RawMessage[] = [];
      for await (const m of frameLog(Readable.from(cut(log, 50_000)), { path: 'mem.log', ...(format !== undefined && { format }) }, report)) messages.push(m);
      expect(comparable({ messages, report })).toEqual(comparable({ messages: want.messages, report: { ...want.report, format: 'pjsip' } }));
    }
  });
});

describe('the byte versions of the line tests', () => {
  const lines = [
    'Via: x', 'Via : x', 'Via', ' x', ' ', '\t', '', ':', 'a:', '-:', 'Content-Length: 12', 'content-length:0', 'CONTENT-LENGTH :  7 ',
    'Content-Length: ', 'Content-Length: 1234567890', 'Content-Length: 12a', 'l: 5', 'L:5', 'l : 5', 'lx: 5', 'Contact: <sip:a>',
    '\u00a0Content-Length: 3', 'Content-Length:\u00a03\u00a0', 'Content-Length\u000b: 3', 'C', 'l', 'l:', 'Call-ID: 1', 'v=0',
  ];
  it('isHeaderLineAt and readContentLengthAt (text.ts) read what the string versions read', () => {
    for (const line of lines) {
      const b = Buffer.from(line, 'latin1');
      expect(isHeaderLineAt(b, 0, b.length), line).toBe(isHeaderLineText(line));
      const text = readContentLengthText(line);
      expect(readContentLengthAt(b, 0, b.length), line).toBe(text === null ? -1 : text);
    }
  });
  it('on random latin1 lines', () => {
    let state = 7;
    const rand = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    const alphabet = 'Content-Lengthl: \t0123456789\u00a0\u000b\u00ffxX;';
    for (let k = 0; k < 20_000; k++) {
      let line = rand(3) === 0 ? 'Content-Length' : rand(2) === 0 ? 'l' : '';
      const n = rand(12);
      for (let i = 0; i < n; i++) line += alphabet[rand(alphabet.length)];
      const b = Buffer.from(line, 'latin1');
      expect(isHeaderLineAt(b, 0, b.length), line).toBe(isHeaderLineText(line));
      const text = readContentLengthText(line);
      expect(readContentLengthAt(b, 0, b.length), line).toBe(text === null ? -1 : text);
    }
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
}
