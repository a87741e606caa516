import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpusFiles, hasCorpus } from '../../test/helpers/corpus.js';
import { StreamFramer } from '../framing/stream-framer.js';
import { checkStrict, touchAccessors } from './check-strict.js';
import { createSipStreamFramer, parseFrame } from './parse-frame.js';
import { parseMessage } from './parse-message.js';
import { serializeMessage, type SerializableMessage } from './serialize-message.js';

const tokenChars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`\'~'.split('');
const token = fc.string({ unit: fc.constantFrom(...tokenChars), minLength: 1, maxLength: 16 });
// Printable ASCII and some UTF-8, no line breaks; no white space at either end (values are stored trimmed).
const valueChar = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 3, arbitrary: fc.constant(' ') },
  { weight: 1, arbitrary: fc.constantFrom('é', 'ж', '€', '日') },
);
const value = fc
  .string({ unit: valueChar, maxLength: 60 })
  .map((s) => s.trim())
  .filter((s) => !s.includes('  '));
const header = fc.record({ name: token, value });
const uri = fc
  .tuple(token, fc.domain(), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }))
  .map(([user, host, port]) => `sip:${user}@${host}${port === undefined ? '' : `:${port}`}`);
const request = fc.record({
  kind: fc.constant('request' as const),
  method: token,
  requestUri: uri,
  status: fc.constant(undefined),
  reason: fc.constant(undefined),
});
const response = fc.record({
  kind: fc.constant('response' as const),
  method: fc.constant(undefined),
  requestUri: fc.constant(undefined),
  status: fc.integer({ min: 100, max: 699 }),
  reason: value,
});
const message = fc
  .tuple(fc.oneof(request, response), fc.array(header, { maxLength: 20 }), fc.uint8Array({ maxLength: 300 }))
  .map(
    ([start, headers, body]): SerializableMessage => ({
      ...start,
      version: 'SIP/2.0',
      // Content-Length is written by serializeMessage from the body.
      headers: headers.filter((h) => !['content-length', 'l'].includes(h.name.toLowerCase())),
      body,
    }),
  );

describe('serialise then parse', () => {
  it('gives back the same start line, headers and body (CRLF and LF line ends)', () => {
    fc.assert(
      fc.property(message, fc.constantFrom('\r\n' as const, '\n' as const), (m, lineEnd) => {
        const bytes = serializeMessage(m, { fixContentLength: true, lineEnd });
        const parsed = parseMessage(bytes);
        expect(parsed.kind).toBe(m.kind);
        expect(parsed.method).toBe(m.method);
        expect(parsed.requestUri).toBe(m.requestUri);
        expect(parsed.status).toBe(m.status);
        expect(parsed.reason).toBe(m.reason);
        expect(parsed.version).toBe('SIP/2.0');
        expect(parsed.headers.map((h) => ({ name: h.name, value: h.value }))).toEqual([
          ...m.headers,
          { name: 'Content-Length', value: String(m.body.length) },
        ]);
        expect(Array.from(parsed.body)).toEqual(Array.from(m.body));
        expect(parsed.issues.filter((i) => i.severity === 'error')).toEqual([]);
        // And writing the parsed message again gives the same bytes.
        expect(Array.from(serializeMessage(parsed, { lineEnd }))).toEqual(Array.from(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('frames back-to-back generated messages cut at any position, one pass or two', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 5 }), fc.nat(), (ms, cutSeed) => {
        const parts = ms.map((m) => serializeMessage(m, { fixContentLength: true }));
        const stream = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let o = 0;
        for (const p of parts) {
          stream.set(p, o);
          o += p.length;
        }
        const cut = cutSeed % (stream.length + 1);
        for (const framer of [new StreamFramer(), createSipStreamFramer()]) {
          const frames = [...framer.push(stream.subarray(0, cut)), ...framer.push(stream.subarray(cut)), ...framer.end()];
          expect(frames.map((f) => Array.from(f.bytes))).toEqual(parts.map((p) => Array.from(p)));
          expect(frames.map((f) => parseFrame(f).headers.length)).toEqual(ms.map((m) => m.headers.length + 1));
        }
      }),
      { numRuns: 200 },
    );
  });
});

/**
 * The time one hostile input may take to parse, check and serialise: generous for a shared 2-core machine (a parse
 * of these sizes takes microseconds), small enough to catch any super-linear path.
 */
const TIME_BOUND_MS = 250;

/** Reads everything a caller could read, so any throw anywhere shows up, within TIME_BOUND_MS. */
function readAll(bytes: Uint8Array): number {
  const started = performance.now();
  const count = readEverything(bytes);
  const took = performance.now() - started;
  expect(took, `${bytes.length} bytes took ${took.toFixed(1)} ms`).toBeLessThan(TIME_BOUND_MS);
  return count;
}

function readEverything(bytes: Uint8Array): number {
  const m = parseMessage(bytes);
  touchAccessors(m);
  void m.headers;
  const issues = checkStrict(m);
  for (const i of issues) {
    expect(typeof i.code).toBe('string');
    if (i.span) {
      expect(i.span.start).toBeGreaterThanOrEqual(0);
      expect(i.span.end).toBeLessThanOrEqual(bytes.length);
      expect(i.span.start).toBeLessThanOrEqual(i.span.end);
    }
  }
  JSON.stringify(m);
  return issues.length;
}

describe('hostile input never throws', () => {
  it('random bytes give a result with issues', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        expect(readAll(bytes)).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('random text shaped like SIP gives a result', () => {
    const line = fc.oneof(
      fc.constantFrom('INVITE sip:a@b SIP/2.0', 'SIP/2.0 200 OK', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'v: x', ' folded', ''),
      fc.string({ maxLength: 40 }),
      fc.constantFrom('Content-Length: 5', 'l: 99999', 'Content-Type: multipart/mixed;boundary=x', '--x', 'm=audio x'),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.constantFrom('\r\n', '\n'), (lines, eol) => {
        readAll(new TextEncoder().encode(lines.join(eol)));
      }),
      { numRuns: 500 },
    );
  });

  const corpus = hasCorpus ? [...corpusFiles('messages/rfc4475'), ...corpusFiles('messages/validation')].map((f) => readFileSync(f)) : [];
  it.skipIf(!hasCorpus)('mutations of corpus messages give a result, framed or parsed', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 8 }) }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 20 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.nat({ max: corpus.length - 1 }), fc.array(mutation, { maxLength: 6 }), fc.nat(), (pick, mutations, cut) => {
        let b: Uint8Array = new Uint8Array(corpus[pick]!);
        for (const m of mutations) {
          const at = b.length === 0 ? 0 : m.at % b.length;
          if (m.kind === 'flip' && b.length > 0) b[at] = m.byte;
          else if (m.kind === 'insert') b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
          else if (m.kind === 'delete') b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.count)]);
          else if (m.kind === 'truncate') b = b.slice(0, at);
        }
        readAll(b);
        const started = performance.now();
        const framer = cut % 2 === 0 ? new StreamFramer() : createSipStreamFramer();
        const c = cut % (b.length + 1);
        const frames = [...framer.push(b.subarray(0, c)), ...framer.push(b.subarray(c)), ...framer.end()];
        let total = 0;
        for (const f of frames) {
          total += f.bytes.length;
          touchAccessors(parseFrame(f));
        }
        expect(total).toBeLessThanOrEqual(b.length);
        expect(framer.pending).toBe(0);
        expect(performance.now() - started).toBeLessThan(TIME_BOUND_MS);
      }),
      { numRuns: 400 },
    );
  });
});

describe('pathological inputs stay within the time bound', () => {
  // Shapes that make naive header grammars quadratic: long runs of list separators, open quotes and brackets,
  // parameters without values, folded lines, and one huge header. Each is read in full under TIME_BOUND_MS.
  const start = 'INVITE sip:a@example.com SIP/2.0\r\n';
  const cases: [string, string][] = [
    ['20 000 commas in a Via', `Via: ${','.repeat(20_000)}\r\n`],
    ['20 000 semicolons in a Contact', `Contact: <sip:a@b>${';'.repeat(20_000)}\r\n`],
    ['an unclosed quote over 50 000 bytes', `From: "${'a\\"'.repeat(16_000)}\r\n`],
    ['30 000 open angle brackets', `To: ${'<'.repeat(30_000)}\r\n`],
    ['10 000 Authorization parameters', `Authorization: Digest ${'a=b, '.repeat(10_000)}\r\n`],
    ['5 000 folded lines', `Subject: x${'\r\n x'.repeat(5_000)}\r\n`],
    ['5 000 Warning values', `Warning: ${'399 h "t", '.repeat(5_000)}\r\n`],
    ['a 200 000-byte Request-URI', `OPTIONS sip:${'a'.repeat(200_000)}@b SIP/2.0\r\n`],
  ];
  it.each(cases)('%s', (_name, text) => {
    const bytes = new TextEncoder().encode(`${text.startsWith('OPTIONS') ? '' : start}${text}Call-ID: x\r\n\r\n`);
    readAll(bytes);
  });
});

describe('regressions', () => {
  it('finds the end of an unterminated last line at every alignment (SWAR scan ran past the end)', () => {
    const text = 'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nC';
    for (let pad = 0; pad < 8; pad++) {
      for (let tail = 0; tail < 6; tail++) {
        const backing = new Uint8Array(256 + pad);
        const msg = new TextEncoder().encode(text + 'x'.repeat(tail));
        backing.set(msg, pad);
        const m = parseMessage(backing.subarray(pad, pad + msg.length));
        expect(m.issues.map((i) => i.code)).toContain('truncated-headers');
      }
    }
  });
});
