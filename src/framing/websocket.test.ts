import { describe, expect, it } from 'vitest';
import { findHttpHeaderEnd, isWebSocketUpgrade, WebSocketDecoder } from './websocket.js';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('WebSocketDecoder', () => {
  // RFC 6455 §5.7 examples.
  const unmaskedHello = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
  const maskedHello = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
  const fragmentedHello = [0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f];
  const ping = [0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];

  it('reads the RFC 6455 §5.7 examples: unmasked, masked, fragmented, with a ping between', () => {
    const d = new WebSocketDecoder();
    const out = d.push(new Uint8Array([...unmaskedHello, ...maskedHello, ...fragmentedHello.slice(0, 5), ...ping, ...fragmentedHello.slice(5)]));
    expect(out.map((m) => text(m.payload))).toEqual(['Hello', 'Hello', 'Hello']);
    expect(d.controlFrames).toBe(1);
  });

  it('reads frames split anywhere across pushes, and 16-bit lengths', () => {
    const body = 'x'.repeat(300);
    const frame = new Uint8Array([0x81, 126, 300 >> 8, 300 & 0xff, ...new TextEncoder().encode(body), ...maskedHello]);
    for (const size of [1, 2, 3, 7, 100]) {
      const d = new WebSocketDecoder();
      const got: string[] = [];
      for (let o = 0; o < frame.length; o += size) for (const m of d.push(frame.subarray(o, o + size))) got.push(text(m.payload));
      expect(got).toEqual([body, 'Hello']);
      expect(d.pending).toBe(0);
    }
  });

  it('drops a message over maxMessageBytes with an issue, and refuses a nonsense frame length', () => {
    const d = new WebSocketDecoder({ maxMessageBytes: 3 });
    const [m] = d.push(new Uint8Array(unmaskedHello));
    expect(m?.issues.map((i) => i.code)).toEqual(['websocket-message-too-large']);
    const huge = new WebSocketDecoder({ maxMessageBytes: 10 });
    const out = huge.push(new Uint8Array([0x81, 127, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3]));
    expect(out.map((x) => x.issues[0]?.code)).toEqual(['websocket-frame-too-large']);
    expect(huge.push(new Uint8Array(unmaskedHello))).toEqual([]);
  });
});

describe('HTTP upgrade', () => {
  it('finds the end of the head and tells a WebSocket upgrade (RFC 6455 §4) from plain HTTP', () => {
    const head = new TextEncoder().encode('GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n\r\n');
    const req = new Uint8Array([...head, 0x81, 0x00]);
    const end = findHttpHeaderEnd(req);
    expect(end).toBe(req.length - 2);
    expect(isWebSocketUpgrade(req.subarray(0, end))).toBe(true);
    expect(isWebSocketUpgrade(new TextEncoder().encode('HTTP/1.1 101 Switching Protocols\r\n\r\n'))).toBe(true);
    expect(isWebSocketUpgrade(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: a\r\n\r\n'))).toBe(false);
    expect(findHttpHeaderEnd(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: a\r\n'))).toBe(-1);
  });
});
