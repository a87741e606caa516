import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusDir, corpusSkipReason, hasCorpus } from '../../test/helpers/corpus.js';
import { classifySipStart, looksLikeSipStart, StreamFramer, type FramedMessage } from './stream-framer.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A corpus message with its line ends made CRLF, as on the wire, so that Content-Length is right. */
function wireMessage(sub: string, name: string): Uint8Array {
  const text = readFileSync(join(corpusDir, 'messages', sub, name), 'latin1').replace(/\r?\n/gu, '\r\n');
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function frameAll(chunks: Uint8Array[], framer = new StreamFramer()): FramedMessage[] {
  const out: FramedMessage[] = [];
  for (const c of chunks) out.push(...framer.push(c));
  out.push(...framer.end());
  return out;
}

describe('looksLikeSipStart', () => {
  it('recognises request and status lines, and nothing else', () => {
    expect(looksLikeSipStart(enc.encode('INVITE sip:a@b SIP/2.0\r\n'))).toBe(true);
    expect(looksLikeSipStart(enc.encode('SIP/2.0 180 Ringing\r\n'))).toBe(true);
    expect(looksLikeSipStart(enc.encode('SIP/2.0 200\n'))).toBe(true);
    expect(looksLikeSipStart(enc.encode('GET / HTTP/1.1\r\n'))).toBe(false);
    expect(looksLikeSipStart(enc.encode('2020-07-28 14:56:31,605631\n'))).toBe(false);
    expect(looksLikeSipStart(enc.encode('xx OPTIONS sip:a SIP/2.0\n'), 3)).toBe(true);
  });
  it('says when it cannot tell yet', () => {
    expect(classifySipStart(enc.encode('INVITE sip:a@b SI'), 0)).toBe(-1);
    expect(classifySipStart(enc.encode('SIP/2.0 1'), 0)).toBe(-1);
  });
});

describe.skipIf(!hasCorpus)(`StreamFramer on corpus messages (${hasCorpus ? 'corpus' : corpusSkipReason})`, () => {
  const names = ['REGISTER_200_OK.sip', 'REGISTER_401_Unauthorized.sip', 'Trying_INVITE_1.sip', 'NOTIFY_SDP_multi_1.sip'];
  const messages = hasCorpus ? names.map((n) => wireMessage('validation', n)) : [];
  const keepalive = enc.encode('\r\n\r\n');

  it('splits back-to-back messages by Content-Length, skipping CRLF keepalives silently', () => {
    const stream = concat(messages[0]!, keepalive, messages[1]!, messages[2]!, keepalive, messages[3]!);
    const out = frameAll([stream]);
    expect(out.map((m) => dec.decode(m.bytes))).toEqual(messages.map((m) => dec.decode(m)));
    expect(out.flatMap((m) => m.issues)).toEqual([]);
    expect(out[1]!.offset).toBe(messages[0]!.length + keepalive.length);
  });

  it('gives the same messages when the stream is split at every byte position', () => {
    const stream = concat(messages[0]!, keepalive, messages[3]!, messages[2]!);
    const expected = [messages[0]!, messages[3]!, messages[2]!].map((m) => dec.decode(m));
    for (let cut = 1; cut < stream.length; cut += 1) {
      const framer = new StreamFramer();
      const out = frameAll([stream.subarray(0, cut), stream.subarray(cut)], framer);
      expect(out.map((m) => dec.decode(m.bytes)), `cut at ${cut}`).toEqual(expected);
      expect(framer.pending).toBe(0);
    }
  });

  it('gives the same messages when fed one byte at a time', () => {
    const stream = concat(messages[1]!, messages[3]!);
    const chunks = Array.from(stream, (_, i) => stream.subarray(i, i + 1));
    expect(frameAll(chunks).map((m) => dec.decode(m.bytes))).toEqual([messages[1]!, messages[3]!].map((m) => dec.decode(m)));
  });

  it('reports garbage between messages with its span and resynchronises', () => {
    const garbage = enc.encode('\x00\x01binary junk\nmore junk line\n');
    const stream = concat(messages[0]!, garbage, messages[2]!);
    const out = frameAll([stream]);
    expect(out).toHaveLength(2);
    expect(dec.decode(out[1]!.bytes)).toBe(dec.decode(messages[2]!));
    const issue = out[1]!.issues.find((i) => i.code === 'framing-garbage');
    expect(issue?.span).toEqual({ start: messages[0]!.length, end: messages[0]!.length + garbage.length });
  });

  it('waits for more bytes (pending) rather than failing, and flushes a truncated message at end()', () => {
    const framer = new StreamFramer();
    const m = messages[3]!;
    expect(framer.push(m.subarray(0, m.length - 10))).toEqual([]);
    expect(framer.pending).toBe(m.length - 10);
    const out = framer.end();
    expect(out).toHaveLength(1);
    expect(out[0]!.issues.map((i) => i.code)).toEqual(['truncated-body']);
    expect(out[0]!.bytes.length).toBe(m.length - 10);
  });

  it('reads the truncated-buffer samples of the corpus with an issue each', () => {
    for (const name of ['Test_incomplete_buffer_for_content.sip', 'Test_incomplete_buffer_for_header.sip']) {
      const out = frameAll([readFileSync(join(corpusDir, 'messages', 'validation', name))]);
      expect(out.length, name).toBe(1);
      expect(out[0]!.issues.map((i) => i.code).some((c) => c === 'truncated-body' || c === 'truncated-headers'), name).toBe(true);
    }
  });

  it('takes the body up to the next start line when Content-Length is missing', () => {
    const noCl = enc.encode('MESSAGE sip:a@example.com SIP/2.0\r\nCall-ID: x\r\n\r\nhello\r\n');
    const out = frameAll([concat(noCl, messages[0]!)]);
    expect(out).toHaveLength(2);
    expect(dec.decode(out[0]!.bytes)).toBe(dec.decode(noCl));
    expect(out[0]!.issues.map((i) => i.code)).toEqual(['missing-content-length']);
    const empty = frameAll([concat(noCl, messages[0]!)], new StreamFramer({ lengthless: 'empty-body' }));
    expect(empty[0]!.bytes.length).toBe(noCl.length - 7);
  });

  it('frames the LF-only log sample whose Content-Length counts CRLF', () => {
    const out = frameAll([readFileSync(join(corpusDir, 'messages', 'validation', 'Mixed_Stream_2.sip'))]);
    for (const m of out) {
      expect(looksLikeSipStart(m.bytes, 0)).toBe(true);
      // Each message ends where the next log line (a timestamp) or the file ends: never inside the next message.
      expect(dec.decode(m.bytes).includes('\nNOTIFY sip:')).toBe(false);
    }
    expect(out.length).toBeGreaterThan(1);
  });

  it('cuts a header section over maxHeaderBytes', () => {
    const big = enc.encode(`OPTIONS sip:a@b SIP/2.0\r\nX-Long: ${'a'.repeat(5000)}\r\n`);
    const out = frameAll([big], new StreamFramer({ maxHeaderBytes: 1000 }));
    expect(out[0]!.issues.map((i) => i.code)).toContain('header-section-too-large');
    expect(out[0]!.bytes.length).toBe(1000);
  });
});

describe('looksLikeSipStart on odd status lines', () => {
  it('takes an overlarge status code for SIP (RFC 4475 §3.1.2.19 bigcode) and a short one for garbage', () => {
    expect(looksLikeSipStart(enc.encode('SIP/2.0 4294967301 better not break the receiver\r\n'))).toBe(true);
    expect(looksLikeSipStart(enc.encode('SIP/2.0 20 OK\r\n'))).toBe(false);
  });
});
