import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { StreamFramer, type FramedMessage } from '../framing/stream-framer.js';
import { createSipStreamFramer, parseFrame } from './parse-frame.js';
import { MessageScan, PartialScan, parseMessage, scanMessage, scanMessageResumable } from './parse-message.js';
import type { SipMessage } from '../model/sip-message.js';

// A stream with every way a message can end: Content-Length over CRLF, an LF-only section whose Content-Length counts
// CRLF (as logs write them), a message with no Content-Length (body up to the next start line), keepalives between.
const sdp = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
const invite = `INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1\r\nCall-ID: a1\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`;
const lfOnlySdp = sdp.replaceAll('\r\n', '\n');
const lfOnly = `SIP/2.0 200 OK\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1\nCall-ID: a1\nCSeq: 1 INVITE\nContent-Length: ${sdp.length}\n\n${lfOnlySdp}`;
const lengthless = 'MESSAGE sip:bob@example.com SIP/2.0\r\nCall-ID: a2\r\nCSeq: 2 MESSAGE\r\n\r\nhello\r\n';
const ack = 'ACK sip:bob@example.com SIP/2.0\r\nCall-ID: a1\r\nCSeq: 1 ACK\r\nl: 0\r\n\r\n';
const stream = Buffer.from(`${invite}\r\n\r\n${lfOnly}${lengthless}${ack}`, 'latin1');

interface Seen {
  readonly text: string;
  readonly offset: number;
  readonly issues: readonly string[];
  readonly headers: number;
  readonly parseIssues: readonly string[];
}

function frames(framer: StreamFramer, chunks: readonly Uint8Array[]): Seen[] {
  const out: FramedMessage[] = [];
  for (const c of chunks) out.push(...framer.push(c));
  out.push(...framer.end());
  return out.map((f) => {
    const m = parseFrame(f);
    return {
      text: Buffer.from(f.bytes).toString('latin1'),
      offset: f.offset,
      issues: f.issues.map((i) => i.code),
      headers: m.headers.length,
      parseIssues: m.issues.map((i) => i.code),
    };
  });
}

describe('StreamFramer and the SIP framer on streams cut anywhere', () => {
  const whole = frames(new StreamFramer(), [stream]);

  it('frames the stream whole as written', () => {
    expect(whole.map((f) => f.text)).toEqual([invite, lfOnly, lengthless, ack]);
    expect(whole.map((f) => f.issues)).toEqual([[], ['content-length-counts-crlf'], ['missing-content-length'], []]);
  });

  // Buffer chunks take the native-search paths (the empty-line check before the header scanner runs); plain
  // Uint8Array chunks the byte loops. A body cut off reuses the header section read at the previous push.
  const kinds = [
    ['Buffer', (b: Buffer): Uint8Array => b],
    ['Uint8Array', (b: Buffer): Uint8Array => new Uint8Array(b)],
  ] as const;
  for (const [kind, as] of kinds) {
    for (const [name, make] of [
      ['StreamFramer', (): StreamFramer => new StreamFramer()],
      ['createSipStreamFramer', (): StreamFramer => createSipStreamFramer()],
    ] as const) {
      it(`${name} on ${kind} chunks: the same frames, issues and parses for every cut in two and in three`, () => {
        for (let cut = 1; cut < stream.length; cut++) {
          const got = frames(make(), [as(stream.subarray(0, cut)), as(stream.subarray(cut))]);
          expect(got, `cut at ${cut}`).toEqual(whole);
        }
        for (let a = 1; a < stream.length; a += 7) {
          for (let b = a + 1; b < stream.length; b += 13) {
            const got = frames(make(), [as(stream.subarray(0, a)), as(stream.subarray(a, b)), as(stream.subarray(b))]);
            expect(got, `cuts at ${a} and ${b}`).toEqual(whole);
          }
        }
      });
    }
  }

  // Chunks longer than a stitch (4 KiB): the held-back message is finished in a small buffer and the rest of the
  // chunk read in place, or, when it goes on past the stitch (the 9,000-byte MESSAGE), joined whole.
  const text = 'x'.repeat(9000);
  const big = Buffer.from(`MESSAGE sip:bob@example.com SIP/2.0\r\nCall-ID: a3\r\nCSeq: 3 MESSAGE\r\nContent-Length: ${text.length}\r\n\r\n${text}`, 'latin1');
  const twelve = Array.from({ length: 12 }, () => stream);
  const long = Buffer.concat([...twelve, big, ...twelve]);
  const longWhole = frames(new StreamFramer(), [long]);
  it('frames a long stream the same in chunks of any size, with stitches and without', () => {
    expect(longWhole).toHaveLength(97);
    expect(longWhole[48]!.text).toBe(big.toString('latin1'));
    for (const make of [(): StreamFramer => new StreamFramer(), (): StreamFramer => createSipStreamFramer()]) {
      for (const size of [4095, 4096, 4097, 5000, 8192, 65536]) {
        for (const shift of [0, 1, 77, 301]) {
          const chunks = [long.subarray(0, shift)];
          for (let i = shift; i < long.length; i += size) chunks.push(long.subarray(i, i + size));
          expect(frames(make(), chunks), `chunks of ${size} after ${shift}`).toEqual(longWhole);
        }
      }
      for (let cut = 1; cut < long.length; cut += 53) {
        expect(frames(make(), [long.subarray(0, cut), long.subarray(cut)]), `cut at ${cut}`).toEqual(longWhole);
      }
    }
  });

  it('does not scan a header section again on every push while its body arrives in small pieces', () => {
    let calls = 0;
    const framer = new StreamFramer({
      headerScanner: (b, start, end) => {
        calls++;
        let i = start;
        // Enough of a scanner for this test: the end of the first CRLF CRLF, and the invite's Content-Length.
        for (; i + 3 < end; i++) if (b[i] === 0x0d && b[i + 1] === 0x0a && b[i + 2] === 0x0d && b[i + 3] === 0x0a) break;
        return i + 3 < end ? { headerEnd: i + 4, contentLength: sdp.length, state: undefined } : undefined;
      },
    });
    const bytes = Buffer.from(invite, 'latin1');
    const out: FramedMessage[] = [];
    for (let i = 0; i < bytes.length; i += 10) out.push(...framer.push(bytes.subarray(i, i + 10)));
    expect(out.map((f) => Buffer.from(f.bytes).toString('latin1'))).toEqual([invite]);
    // Three times: on the first two pieces, then once the empty line came; the pushes between are turned away by a
    // look at their new bytes only, and the body's pieces reuse the scan.
    expect(calls).toBe(3);
  });
});

// What a message reads as, all of it: what a header scan resumed after a cut must give exactly as a scan from the start.
function reading(m: SipMessage): unknown {
  return {
    kind: m.kind,
    method: m.method,
    requestUri: m.requestUri,
    status: m.status,
    reason: m.reason,
    version: m.version,
    lineEnds: m.lineEnds,
    bodyOffset: m.bodyOffset,
    headers: m.headers.map((h) => [h.name, h.canonical, h.value, h.start, h.end]),
    body: Buffer.from(m.body).toString('latin1'),
    issues: m.issues.map((i) => [i.code, i.severity, i.span?.start, i.span?.end]),
  };
}

describe('the SIP framer reads a header section on from where a cut stopped it', () => {
  // Folded lines (one cut may fall just before a continuation), a line without a colon and one of white space
  // before any header (issues whose spans must survive the move into a stitch), compact names, LF-only and mixed
  // line ends, and a header line that ends the bytes of a push without the empty line after it.
  const folded =
    'REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bKf\r\nthis line has no colon\r\n' +
    'Subject: first part\r\n  and its continuation\r\n\tand one more\r\ni: f1\r\nCSeq: 1 REGISTER\r\nl: 0\r\n\r\n';
  const lf = 'SIP/2.0 401 Unauthorized\nv: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bKf\ni: f1\nWWW-Authenticate: Digest realm="x",\n nonce="n"\nCSeq: 1 REGISTER\nContent-Length: 0\n\n';
  const mixed = 'OPTIONS sip:a@b SIP/2.0\r\nCall-ID: m1\nCSeq: 2 OPTIONS\r\nMax-Forwards: 70\nContent-Length: 5\r\n\r\nhello';
  const bad = 'SIP/2.0 200 OK\r\n leading white space\r\nCall-ID: b1\r\nCSeq: 9 BYE\r\nContent-Length: 0\r\n\r\n';
  const text = folded + lf + mixed + bad;
  const all = Buffer.from(text, 'latin1');

  const read = (chunks: readonly Uint8Array[]): { framed: unknown[]; fresh: unknown[] } => {
    const framer = createSipStreamFramer();
    const out: FramedMessage[] = [];
    for (const c of chunks) out.push(...framer.push(c));
    out.push(...framer.end());
    return { framed: out.map((f) => reading(parseFrame(f))), fresh: out.map((f) => reading(parseMessage(f.bytes))) };
  };

  it('gives every message as a scan of its bytes from the start would, for every cut in two and in three', () => {
    const whole = read([all]);
    expect(whole.framed).toHaveLength(4);
    expect(whole.framed).toEqual(whole.fresh);
    const codes = (whole.fresh as { issues: [string][] }[]).map((m) => m.issues.map((i) => i[0]));
    expect(codes[0]).toContain('header-without-colon');
    expect(codes[3]).toContain('bad-folding');
    for (let cut = 1; cut < all.length; cut++) {
      expect(read([all.subarray(0, cut), all.subarray(cut)]).framed, `cut at ${cut}`).toEqual(whole.framed);
    }
    for (let a = 1; a < all.length; a += 5) {
      for (let b = a + 1; b < all.length; b += 11) {
        const got = read([all.subarray(0, a), all.subarray(a, b), all.subarray(b)]);
        expect(got.framed, `cuts at ${a} and ${b}`).toEqual(whole.framed);
      }
    }
  });

  it('gives the same when the bytes come one at a time, as Buffers and as plain Uint8Arrays', () => {
    const whole = read([all]).framed;
    const ones: Uint8Array[] = [];
    for (let i = 0; i < all.length; i++) ones.push(all.subarray(i, i + 1));
    expect(read(ones).framed).toEqual(whole);
    expect(read(ones.map((b) => new Uint8Array(b))).framed).toEqual(whole);
  });
});

describe('scanMessageResumable', () => {
  it('goes on from a pause with the message moved elsewhere, as one scan of the whole would read it', () => {
    const msg = Buffer.from('INVITE sip:b@x SIP/2.0\r\nno colon here\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\r\nSubject: a\r\n b\r\nl: 3\r\n\r\nabc', 'latin1');
    const whole = scanMessage(msg, 0, msg.length, undefined, false)!;
    for (let cut = 1; cut < msg.length; cut++) {
      // The first bytes sit 10 bytes into one buffer, the whole message 37 bytes into another.
      const first = Buffer.concat([Buffer.alloc(10, 0x78), msg.subarray(0, cut)]);
      const paused = scanMessageResumable(first, 10, first.length, undefined, undefined);
      const again = Buffer.concat([Buffer.alloc(37, 0x79), msg]);
      const resumed = scanMessageResumable(again, 37, again.length, undefined, paused instanceof PartialScan ? paused : undefined);
      expect(resumed, `cut at ${cut}`).toBeInstanceOf(MessageScan);
      const got = resumed as MessageScan;
      expect({ layout: got.layout, issues: got.issues, cl: got.contentLength }, `cut at ${cut}`).toEqual({
        layout: { ...whole.layout, bodyEnd: got.layout.bodyEnd },
        issues: whole.issues,
        cl: whole.contentLength,
      });
    }
  });
});
