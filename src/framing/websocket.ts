import type { Issue } from '../model/issue.js';

/** One WebSocket data message (RFC 6455 §5.6), fragments joined and unmasked. */
export interface WebSocketMessage {
  /** 1 text, 2 binary. */
  readonly opcode: number;
  readonly payload: Uint8Array;
  /** Stream offset (bytes pushed before) of the frame that ended the message. */
  readonly endOffset: number;
  readonly issues: Issue[];
}

export interface WebSocketOptions {
  /** A message larger than this is dropped with an issue. Default 1 MiB. */
  readonly maxMessageBytes?: number;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Finds the end of an HTTP header section (the index after CRLF CRLF) in b[from..), or -1. Used on the bytes of an
 * HTTP Upgrade request or its 101 response (RFC 6455 §4).
 */
export function findHttpHeaderEnd(b: Uint8Array, from = 0): number {
  for (let i = b.indexOf(LF, from); i >= 0; i = b.indexOf(LF, i + 1)) {
    if (b[i + 1] === LF) return i + 2;
    if (b[i + 1] === CR && b[i + 2] === LF) return i + 3;
  }
  return -1;
}

/** Whether an HTTP header section asks for or accepts a WebSocket upgrade (`Upgrade: websocket`, RFC 6455 §4.1). */
export function isWebSocketUpgrade(head: Uint8Array): boolean {
  const text = new TextDecoder('latin1').decode(head).toLowerCase();
  if (text.startsWith('http/1.1 101') || text.startsWith('http/1.0 101')) return true;
  let at = 0;
  for (;;) {
    const i = text.indexOf('\nupgrade:', at);
    if (i < 0) return false;
    const eol = text.indexOf('\n', i + 1);
    const value = text.slice(i + 9, eol < 0 ? text.length : eol);
    if (value.includes('websocket')) return true;
    at = i + 1;
  }
}

/**
 * Reads WebSocket frames (RFC 6455 §5.2) from one direction of a connection, after the HTTP Upgrade. Pushed bytes
 * may split frames anywhere. Text and binary messages come out whole (fragments joined, masking undone, §5.3);
 * control frames (close, ping, pong) are passed over.
 */
export class WebSocketDecoder {
  readonly #max: number;
  #buf = new Uint8Array(0);
  #len = 0;
  #base = 0;
  #parts: Uint8Array[] = [];
  #partsBytes = 0;
  #opcode = 0;
  #tooLarge = false;
  /** Set after a frame length that makes no sense: the rest of the connection cannot be framed. */
  #dead = false;
  /** Control frames (close, ping, pong) passed over. */
  controlFrames = 0;

  constructor(options: WebSocketOptions = {}) {
    this.#max = options.maxMessageBytes ?? 1 << 20;
  }

  /** Bytes held back waiting for the rest of a frame or message. */
  get pending(): number {
    return this.#len + this.#partsBytes;
  }

  push(chunk: Uint8Array): WebSocketMessage[] {
    const out: WebSocketMessage[] = [];
    if (this.#dead) return out;
    if (this.#len + chunk.length > this.#buf.length) {
      const next = new Uint8Array(Math.max(this.#len + chunk.length, this.#buf.length * 2, 4096));
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
    }
    this.#buf.set(chunk, this.#len);
    this.#len += chunk.length;
    const b = this.#buf;
    let p = 0;
    while (this.#len - p >= 2) {
      const b0 = b[p]!;
      const b1 = b[p + 1]!;
      const fin = (b0 & 0x80) !== 0;
      const opcode = b0 & 0x0f;
      const masked = (b1 & 0x80) !== 0;
      let len = b1 & 0x7f;
      let h = 2;
      if (len === 126) {
        if (this.#len - p < 4) break;
        len = (b[p + 2]! << 8) | b[p + 3]!;
        h = 4;
      } else if (len === 127) {
        if (this.#len - p < 10) break;
        // 64-bit length; anything above 2^53 is nonsense for a SIP message anyway.
        len = (b[p + 2]! * 2 ** 24 + (b[p + 3]! << 16) + (b[p + 4]! << 8) + b[p + 5]!) * 2 ** 32;
        len += ((b[p + 6]! << 24) | (b[p + 7]! << 16) | (b[p + 8]! << 8) | b[p + 9]!) >>> 0;
        h = 10;
      }
      const keyAt = p + h;
      if (masked) h += 4;
      if (len > this.#max * 2 && len > this.#len - p - h) {
        // A frame this large cannot be a SIP message: give up on the stream's framing.
        out.push(this.#oversized(len, p));
        this.#dead = true;
        this.#len = 0;
        return out;
      }
      if (this.#len - p < h + len) break;
      const payload = b.subarray(p + h, p + h + len);
      if (masked) {
        // RFC 6455 §5.3: octet i XOR key[i mod 4]; unmask in a copy (the chunk view must stay intact).
        const copy = new Uint8Array(len);
        for (let i = 0; i < len; i++) copy[i] = payload[i]! ^ b[keyAt + (i & 3)]!;
        this.#frame(fin, opcode, copy, p + h + len, out);
      } else {
        this.#frame(fin, opcode, payload.slice(), p + h + len, out);
      }
      p += h + len;
    }
    if (p > 0) {
      b.copyWithin(0, p, this.#len);
      this.#len -= p;
      this.#base += p;
    }
    return out;
  }

  #frame(fin: boolean, opcode: number, data: Uint8Array, end: number, out: WebSocketMessage[]): void {
    if (opcode >= 8) {
      this.controlFrames++;
      return;
    }
    if (opcode !== 0) {
      this.#opcode = opcode;
      this.#parts = [];
      this.#partsBytes = 0;
      this.#tooLarge = false;
    }
    if (!this.#tooLarge) {
      this.#parts.push(data);
      this.#partsBytes += data.length;
      if (this.#partsBytes > this.#max) this.#tooLarge = true;
    }
    if (!fin) return;
    const issues: Issue[] = [];
    let payload: Uint8Array;
    if (this.#tooLarge) {
      issues.push({
        code: 'websocket-message-too-large',
        severity: 'error',
        message: `expected a WebSocket message of at most ${this.#max} bytes (maxMessageBytes), found more; dropped`,
      });
      payload = new Uint8Array(0);
    } else if (this.#parts.length === 1) {
      payload = this.#parts[0]!;
    } else {
      payload = new Uint8Array(this.#partsBytes);
      let o = 0;
      for (const part of this.#parts) {
        payload.set(part, o);
        o += part.length;
      }
    }
    out.push({ opcode: this.#opcode, payload, endOffset: this.#base + end, issues });
    this.#parts = [];
    this.#partsBytes = 0;
    this.#tooLarge = false;
  }

  #oversized(len: number, p: number): WebSocketMessage {
    return {
      opcode: 0,
      payload: new Uint8Array(0),
      endOffset: this.#base + p,
      issues: [
        {
          code: 'websocket-frame-too-large',
          severity: 'error',
          message: `expected a WebSocket frame of at most ${this.#max} bytes at stream offset ${this.#base + p}, found a length of ${len}; the rest of the connection is not read`,
        },
      ],
    };
  }
}
