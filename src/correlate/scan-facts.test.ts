import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emptyCounts, formatIp, generateTraffic } from '../../bench/traffic.js';
import { corpusFiles, corpusSkipReason, hasCorpus } from '../../test/helpers/corpus.js';
import type { MessageRecord } from '../model/message-record.js';
import { parseMessage } from '../parse/parse-message.js';
import { readInputs } from '../parse/read-inputs.js';
import type { MessageFacts } from './facts.js';
import { extractFactsByAccessors } from './facts-by-accessors.js';
import { scanFacts } from './scan-facts.js';

/** Every field, getters included, as plain data. */
function plain(f: MessageFacts): Record<string, unknown> {
  const keys = Object.keys(extractFactsByAccessors({ index: 0, message: parseMessage(new Uint8Array()), meta: { time: null, origin: { path: '', offset: 0 } } }));
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = JSON.parse(JSON.stringify((f as unknown as Record<string, unknown>)[k] ?? null)) as unknown;
  return out;
}

function check(record: MessageRecord, where: string): void {
  const fast = scanFacts(record.message.raw, record.meta, record.index);
  const slow = extractFactsByAccessors(record);
  expect(plain(fast), where).toEqual(plain(slow));
}

describe('scanFacts reads what the typed accessors read', () => {
  it('on hand-written shapes: folded, compact, several Vias in one header, odd spacing, IPv6, no CSeq', () => {
    const cases = [
      'INVITE sip:bob@example.com SIP/2.0\r\nv: SIP/2.0/udp [2001:db8::1]:5070;branch=z9hG4bK1;rport;received=192.0.2.1\r\nVia: SIP/2.0/TCP proxy.example.com;branch=z9hG4bK2, SIP / 2.0 / TLS 10.0.0.1 ; branch = z9hG4bK3\r\nf: "A, B" <sip:a@example.com>;tag=1\r\nt: sip:bob@example.com\r\ni: abc@host\r\nCSeq:   7    invite\r\nMax-Forwards: 70x\r\nContact: <sip:a@10.0.0.1>;expires=30\r\nContent-Type: application/sdp\r\nl: 0\r\n\r\n',
      'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a.example.com;branch=z9hG4bKx;rport=5062\r\nVia: SIP/2.0/UDP b.example.com;branch=z9hG4bKy\r\nVia: bad\r\nFrom: <sip:a@example.com>;tag=9\r\nTo: <sip:b@example.com>;tag=8\r\nCall-ID:\r\n folded-id\r\nCSeq: 1 REGISTER\r\nContact: <sip:a@10.0.0.1>;expires=3600, *\r\nExpires: 99999999999\r\n\r\n',
      'REGISTER sip:example.com SIP/2.0\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKr;branch=z9hG4bKlast;rport=\nFrom: <sip:a@example.com>;tag=1\nTo: <sip:a@example.com>\nCall-ID: r1\nCSeq: 2 REGISTER\nExpires: 60s\nAuthorization: Digest username="a", realm="example.com", nonce="n", response="r"\n\n',
      'SIP/2.0 423 Interval Too Brief\r\nVia: SIP/2.0/UDP 10.0.0.1:99999;branch=z9hG4bK1\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:a@example.com>;tag=2\r\nCall-ID: x\r\nCSeq: 99999999999 REGISTER\r\nMin-Expires: 3600\r\nWarning: 399 example.com "go away"\r\nRetry-After: 5 (soon)\r\n\r\n',
      'OPTIONS sip:x SIP/2.0\r\n\r\n',
      'garbage\r\n\r\n',
    ];
    for (const [n, text] of cases.entries()) {
      const message = parseMessage(new TextEncoder().encode(text));
      check({ index: n, message, meta: { time: 1000 + n, src: '10.0.0.1:5060', dst: '10.0.0.2:5060', transport: 'UDP', origin: { path: 'x', offset: 0 } } }, `case ${n}`);
    }
  });

  it('on generated proxy traffic (compact headers, two Via hops, digest, SDP, retransmissions)', () => {
    const counts = emptyCounts(7);
    let n = 0;
    for (const p of generateTraffic(7, 400_000, counts)) {
      const message = parseMessage(Buffer.from(p.text, 'latin1'));
      check({ index: n++, message, meta: { time: p.timeUs / 1000, src: `${formatIp(p.src[0])}:${p.src[1]}`, dst: `${formatIp(p.dst[0])}:${p.dst[1]}`, transport: 'UDP', origin: { path: 'gen', offset: 0 } } }, p.text);
    }
    expect(n).toBeGreaterThan(500);
  });

  describe.skipIf(!hasCorpus)('on every message of the corpus', () => {
    if (!hasCorpus) it.skip(corpusSkipReason, () => {});
    it('RFC 4475 torture messages and the validation set', () => {
      const files = [...corpusFiles('messages/rfc4475'), ...corpusFiles('messages/validation')];
      expect(files.length).toBeGreaterThan(50);
      for (const [n, file] of files.entries()) {
        const message = parseMessage(new Uint8Array(readFileSync(file)));
        check({ index: n, message, meta: { time: null, origin: { path: file, offset: 0 } } }, file);
      }
    });
    it('captures and logs, read as analyze reads them', async () => {
      const { records } = readInputs([...corpusFiles('pcap'), ...corpusFiles('formats'), ...corpusFiles('logs')]);
      let n = 0;
      for await (const r of records) {
        check(r, `${r.meta.origin.path} #${r.index}`);
        n++;
      }
      expect(n).toBeGreaterThan(300);
    });
  });
});
