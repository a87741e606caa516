import type { MessageMeta, Transport } from '../../../model/index.js';
import { MessageAssembler } from '../assembler.js';
import type { LineReader, ReaderSink } from '../dialect.js';
import type { LogLine } from '../line-splitter.js';
import { toHostPort } from '../text.js';
import { readEpochSeconds } from '../time.js';
import type { LogTime } from '../time.js';
import { confidenceFrom, countMatches } from './common.js';

/** Confidence that a sample is Wireshark's text export (`tshark -V` or `-O sip`). */
export function detectTsharkText(sample: string): number {
  const frames = countMatches(sample, (l) => l.startsWith('Frame ') && l.includes(' bytes on wire'));
  const sip = countMatches(sample, (l) => l.startsWith('Session Initiation Protocol'));
  return frames > 0 && sip > 0 ? confidenceFrom(frames + sip, 0.8) : 0;
}

function indentOf(t: string): number {
  let i = 0;
  while (t.charCodeAt(i) === 0x20) i++;
  return i;
}

/** `Session Description Protocol Version (v): 0` → `v=0` (the field letter tshark shows in brackets). */
function sdpLine(text: string): string | undefined {
  const k = text.indexOf('): ');
  if (k < 3 || text.charCodeAt(k - 2) !== 0x28) return undefined;
  return `${text[k - 1]}=${text.slice(k + 3)}`;
}

/**
 * Wireshark's packet details as text. The SIP section is rebuilt: `Request-Line:`/`Status-Line:`, the header lines of
 * `Message Header` (as tshark shows them, its own `[…]` lines and sub-fields left out), and a body from the dissected
 * SDP lines (`… (v): 0` → `v=0`) or line-based text. Times and addresses come from the frame, IP and UDP/TCP lines.
 */
export class TsharkTextReader implements LineReader {
  readonly #sink: ReaderSink;
  #time: LogTime | undefined;
  #src = '';
  #dst = '';
  #srcPort = '';
  #dstPort = '';
  #transport: Transport | undefined;
  #asm: MessageAssembler | undefined;
  #start: LogLine | undefined;
  #section: 'none' | 'sip' | 'headers' | 'body' = 'none';
  #bodyKind: 'sdp' | 'text' | 'other' | undefined;
  #unreadBody = false;
  #truncatedHeader = false;
  #reported = false;

  constructor(sink: ReaderSink) {
    this.#sink = sink;
  }

  line(l: LogLine): void {
    const t = l.text;
    const indent = indentOf(t);
    if (indent === 0 && t.length > 0) {
      this.#finish();
      this.#section = 'none';
      if (t.startsWith('Frame ')) {
        this.#time = undefined;
        this.#transport = undefined;
        this.#src = this.#dst = this.#srcPort = this.#dstPort = '';
      } else if (t.startsWith('Internet Protocol Version')) {
        this.#src = between(t, 'Src: ', ',') ?? '';
        this.#dst = (t.split('Dst: ')[1] ?? '').trim();
      } else if (t.startsWith('User Datagram Protocol') || t.startsWith('Transmission Control Protocol')) {
        this.#transport = t.startsWith('User') ? 'UDP' : 'TCP';
        this.#srcPort = between(t, 'Src Port: ', ',') ?? '';
        this.#dstPort = (between(t, 'Dst Port: ', ',') ?? t.split('Dst Port: ')[1] ?? '').trim();
      } else if (t.startsWith('Session Initiation Protocol')) {
        this.#section = 'sip';
      }
      return;
    }
    const x = t.slice(indent);
    if (indent === 4 && (x.startsWith('Epoch Time: ') || x.startsWith('Epoch Arrival Time: '))) {
      this.#time = readEpochSeconds(x.slice(x.indexOf(': ') + 2));
      return;
    }
    if (this.#section === 'none') return;
    if (indent === 4) {
      if (x.startsWith('Request-Line: ') || x.startsWith('Status-Line: ')) {
        this.#asm = new MessageAssembler(x.slice(x.indexOf(': ') + 2), { maxMessageBytes: this.#sink.maxMessageBytes });
        this.#start = l;
      } else if (x === 'Message Header') {
        this.#section = 'headers';
      } else if (x === 'Message Body') {
        this.#section = 'body';
        this.#bodyKind = undefined;
        this.#asm?.add('');
      }
      return;
    }
    const asm = this.#asm;
    if (asm === undefined) return;
    if (this.#section === 'headers') {
      if (indent === 8 && x.charCodeAt(0) !== 0x5b) asm.add(x);
      else if ((indent === 8 || indent === 9) && x.startsWith('[truncated]')) {
        // tshark cut a long header line for display: the rest is lost.
        asm.add(x.slice(11));
        this.#truncatedHeader = true;
      }
      return;
    }
    if (this.#section === 'body') {
      if (indent === 8) {
        this.#bodyKind = x.startsWith('Session Description Protocol') ? 'sdp' : x.startsWith('Line-based text data') ? 'text' : 'other';
        if (this.#bodyKind === 'other') this.#unreadBody = true;
        return;
      }
      if (indent === 12 && this.#bodyKind === 'sdp') {
        const s = sdpLine(x);
        if (s !== undefined) asm.add(s);
      } else if (indent === 12 && this.#bodyKind === 'text') {
        asm.add(x.endsWith('\\n') ? x.slice(0, -2) : x);
      }
    }
  }

  end(): void {
    this.#finish();
  }

  #finish(): void {
    const asm = this.#asm;
    const start = this.#start;
    this.#asm = undefined;
    if (asm === undefined || start === undefined) return;
    // tshark shows no empty line; the end of the SIP section ends the headers of a message without body.
    if (!asm.inBody) asm.add('');
    const { bytes, issues } = asm.finish(this.#transport === 'TCP');
    const origin = { path: this.#sink.path, line: start.line, offset: start.offset };
    if (this.#truncatedHeader) {
      issues.push({ code: 'header-cut-by-tshark', severity: 'warning', message: 'expected whole header lines, found one tshark marked [truncated]; its end is missing', origin });
      this.#truncatedHeader = false;
    }
    if (this.#unreadBody) {
      issues.push({ code: 'body-not-rebuilt', severity: 'warning', message: 'expected a body tshark shows line by line (SDP, text), found another kind; body left out', origin });
      this.#unreadBody = false;
    }
    if (!this.#reported) {
      this.#reported = true;
      this.#sink.issue({
        code: 'rebuilt-from-dissection',
        severity: 'info',
        message: 'messages were rebuilt from Wireshark\'s dissection text: header lines are as tshark shows them, bodies from dissected fields; give the capture itself for exact bytes',
        origin,
      });
    }
    const src = this.#src === '' ? undefined : toHostPort(this.#src, this.#srcPort);
    const dst = this.#dst === '' ? undefined : toHostPort(this.#dst, this.#dstPort);
    const meta: MessageMeta = {
      time: this.#time?.time ?? null,
      ...(src !== undefined ? { src } : {}),
      ...(dst !== undefined ? { dst } : {}),
      ...(this.#transport !== undefined ? { transport: this.#transport } : {}),
      origin,
      format: this.#sink.format,
    };
    this.#sink.message({ bytes, meta, issues });
  }
}

function between(text: string, open: string, close: string): string | undefined {
  const a = text.indexOf(open);
  if (a < 0) return undefined;
  const b = text.indexOf(close, a + open.length);
  return b < 0 ? text.slice(a + open.length).trim() : text.slice(a + open.length, b);
}
