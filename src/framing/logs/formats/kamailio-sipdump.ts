import type { MessageMeta } from '../../../model/index.js';
import { MessageAssembler } from '../assembler.js';
import type { LineReader, ReaderSink } from '../dialect.js';
import type { LogLine } from '../line-splitter.js';
import { toHostPort, toTransport } from '../text.js';
import { readEpochSeconds } from '../time.js';
import { confidenceFrom, countMatches } from './common.js';

const OPEN = '====================';
const BODY = '~~~~~~~~~~~~~~~~~~~~';
const CLOSE = '||||||||||||||||||||';

/** Confidence that a sample is a Kamailio `sipdump` text file. */
export function detectSipdump(sample: string): number {
  return confidenceFrom(countMatches(sample, (l) => l === OPEN) + countMatches(sample, (l) => l === 'tag: rcv' || l === 'tag: snd'), 0.7);
}

/**
 * Kamailio `sipdump` module text files (`mode` 1): for each message `====================`, `key: value` lines (tag
 * rcv/snd, time, proto, srcip, srcport, dstip, dstport), `~~~~~~~~~~~~~~~~~~~~`, the message exactly as sent or
 * received, then `||||||||||||||||||||` (right after the last byte, which may be mid-line).
 */
export class SipdumpReader implements LineReader {
  readonly #sink: ReaderSink;
  #fields = new Map<string, string>();
  #state: 'idle' | 'meta' | 'message' = 'idle';
  #asm: MessageAssembler | undefined;
  #lines: string[] = [];
  #start: LogLine | undefined;

  constructor(sink: ReaderSink) {
    this.#sink = sink;
  }

  line(l: LogLine): void {
    const t = l.text;
    if (t === OPEN) {
      if (this.#state === 'message') this.#emit(true);
      this.#state = 'meta';
      this.#fields = new Map();
      return;
    }
    if (this.#state === 'meta') {
      if (t === BODY) {
        this.#state = 'message';
        this.#lines = [];
        this.#start = undefined;
        return;
      }
      const c = t.indexOf(': ');
      if (c > 0) this.#fields.set(t.slice(0, c), t.slice(c + 2));
      return;
    }
    if (this.#state === 'message') {
      if (this.#start === undefined) this.#start = l;
      if (t.endsWith(CLOSE)) {
        const last = t.slice(0, -CLOSE.length);
        if (last.length > 0) this.#lines.push(last);
        this.#emit(false);
        this.#state = 'idle';
        return;
      }
      this.#lines.push(t);
    }
  }

  end(): void {
    if (this.#state === 'message') this.#emit(true);
  }

  #emit(cut: boolean): void {
    const lines = this.#lines;
    const start = this.#start;
    if (lines.length === 0 || start === undefined) return;
    const asm = new MessageAssembler(lines[0]!, { maxMessageBytes: this.#sink.maxMessageBytes });
    for (let i = 1; i < lines.length; i++) if (asm.add(lines[i]!) !== 'more') break;
    const f = this.#fields;
    const proto = (f.get('proto') ?? '').split(' ')[0] ?? '';
    const transport = toTransport(proto);
    const { bytes, issues } = asm.finish(transport !== undefined && transport !== 'UDP');
    const origin = { path: this.#sink.path, line: start.line, offset: start.offset };
    if (cut) issues.push({ code: 'truncated-message', severity: 'error', message: `expected "${CLOSE}" after the message, found the end of the dump`, origin });
    const time = readEpochSeconds(f.get('time') ?? '');
    const tag = f.get('tag');
    const src = f.get('srcip');
    const dst = f.get('dstip');
    const meta: MessageMeta = {
      time: time?.time ?? null,
      ...(src !== undefined ? { src: toHostPort(src, f.get('srcport')) } : {}),
      ...(dst !== undefined ? { dst: toHostPort(dst, f.get('dstport')) } : {}),
      ...(transport !== undefined ? { transport } : {}),
      ...(tag === 'rcv' ? { direction: 'in' as const } : tag === 'snd' ? { direction: 'out' as const } : {}),
      origin,
      format: this.#sink.format,
    };
    this.#sink.message({ bytes, meta, issues });
    this.#lines = [];
  }
}
