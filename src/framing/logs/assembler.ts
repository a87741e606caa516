import type { Issue } from '../../model/index.js';
import { StreamFramer } from '../stream-framer.js';
import { isBlank, isHeaderLine, readContentLength } from './text.js';

export type AddResult = 'more' | 'done' | 'reject';

/** Limits for one message rebuilt from log lines. */
export interface AssemblerLimits {
  readonly maxMessageBytes: number;
}

/**
 * Rebuilds one SIP message from the lines a log printed it on: start line, header lines up to the empty line, then
 * body lines until Content-Length is reached. Lines are joined with CRLF (logs drop the CR; RFC 3261 §7 ends lines with
 * CRLF and Content-Length counts them). The line loop only decides when enough lines have come; the bytes are then cut
 * by the shared StreamFramer, which owns Content-Length framing and its issues.
 */
export class MessageAssembler {
  readonly #lines: string[] = [];
  readonly #issues: Issue[] = [];
  #inBody = false;
  /** Index in #lines of the empty line ending the headers. */
  #headerEnd = 0;
  #contentLength: number | undefined;
  #bodyBytes = 0;
  #size = 0;
  readonly #trimTrailing: boolean;
  readonly #bare: boolean;
  readonly #limits: AssemblerLimits;

  /**
   * `trimTrailing`: drop trailing spaces from start and header lines (escaped one-line logs pad before `#012`).
   * `bare`: the file holds SIP and nothing else, so a line that is no header line is a defect of the message (the
   * parser reports it), not the end of it.
   */
  constructor(startLine: string, limits: AssemblerLimits, trimTrailing = false, bare = false) {
    this.#limits = limits;
    this.#trimTrailing = trimTrailing;
    this.#bare = bare;
    this.#lines.push(trimTrailing ? startLine.trimEnd() : startLine);
    this.#size = startLine.length + 2;
  }

  get inBody(): boolean {
    return this.#inBody;
  }

  /** Whether a Content-Length header was read. */
  get hasContentLength(): boolean {
    return this.#contentLength !== undefined;
  }

  /** Whether the body has all the bytes Content-Length asks for (false while it is unknown). */
  get complete(): boolean {
    return this.#inBody && this.#contentLength !== undefined && this.#bodyBytes >= this.#contentLength;
  }

  /**
   * Adds the next line. `reject`: the line cannot belong to the header section (a log line after a message that had
   * no empty line); the message ends before it.
   */
  add(line: string): AddResult {
    if (this.#size > this.#limits.maxMessageBytes) return 'done';
    if (!this.#inBody) {
      if (isBlank(line)) {
        this.#headerEnd = this.#lines.length;
        this.#lines.push('');
        this.#size += 2;
        this.#inBody = true;
        return this.#contentLength === 0 ? 'done' : 'more';
      }
      if (isHeaderLine(line) || this.#bare) {
        const cl = readContentLength(line);
        if (typeof cl === 'number') this.#contentLength = cl;
        const text = this.#trimTrailing ? line.trimEnd() : line;
        this.#lines.push(text);
        this.#size += text.length + 2;
        return 'more';
      }
      // Some logs lose the empty line before the body (Cisco ccsip, copies that dropped CRs): an SDP line right
      // after the headers starts the body (RFC 8866 §5: `<type>=<value>`).
      if (this.#contentLength !== undefined && this.#contentLength > 0 && line.length >= 2 && line.charCodeAt(1) === 0x3d) {
        this.#issues.push({
          code: 'missing-empty-line',
          severity: 'warning',
          message: `expected an empty line between the headers and the body, found the body line "${line.slice(0, 40)}"; read it as the body`,
        });
        this.#headerEnd = this.#lines.length;
        this.#lines.push('');
        this.#size += 2;
        this.#inBody = true;
      } else {
        return 'reject';
      }
    }
    this.#lines.push(line);
    this.#size += line.length + 2;
    this.#bodyBytes += line.length + 2;
    return this.complete ? 'done' : 'more';
  }

  /** Joins text to the last line: the log wrapped a long line (IP Office Monitor wraps at 255 characters). */
  appendToLast(text: string): void {
    const last = this.#lines.length - 1;
    this.#lines[last] = this.#lines[last]! + text;
    this.#size += text.length;
    if (this.#inBody) this.#bodyBytes += text.length;
  }

  /**
   * The message's bytes and the defects found: the body is cut to Content-Length, a short one is reported. Pass a
   * framer made with `lengthless: 'to-next-start-line'` and the message size limit to reuse it across messages.
   */
  finish(streamTransport: boolean, framer: StreamFramer = new StreamFramer({ lengthless: 'to-next-start-line' })): { bytes: Uint8Array; issues: Issue[] } {
    const lines = this.#lines;
    let text: string;
    if (!this.#inBody && this.#contentLength === 0) {
      // The log printed no empty line after `Content-Length: 0` (it ended, or its next line came): nothing is missing.
      text = lines.join('\r\n') + '\r\n\r\n';
    } else if (!this.#inBody) {
      text = lines.join('\r\n') + '\r\n';
    } else {
      const head = lines.slice(0, this.#headerEnd);
      const body = lines.slice(this.#headerEnd + 1);
      // Without Content-Length the body runs to where the log's message ended; blank lines after it are the log's.
      if (this.#contentLength === undefined) while (body.length > 0 && body[body.length - 1] === '') body.pop();
      text = head.join('\r\n') + '\r\n\r\n' + (body.length > 0 ? body.join('\r\n') + '\r\n' : '');
    }
    return frameLoggedMessage(Buffer.from(text, 'latin1'), [...this.#issues], streamTransport, framer);
  }
}

/**
 * Cuts a message rebuilt from log lines (`bytes`, CRLF line ends) by Content-Length with the shared framer, and adds
 * what it found to `issues` (the defects met while rebuilding). The byte reader of PJSIP logs (formats/pjsip-bytes.ts)
 * rebuilds its messages from the chunk's bytes and ends them here too, so both give the same bytes and issues.
 */
export function frameLoggedMessage(bytes: Uint8Array, issues: Issue[], streamTransport: boolean, framer: StreamFramer): { bytes: Uint8Array; issues: Issue[] } {
  // The framer is reusable: end() leaves it empty for the next message.
  const pushed = framer.push(bytes);
  const ended = framer.end();
  const first = pushed[0] ?? ended[0];
  // The framer takes only strict start lines: a bare file's malformed one is kept whole, for the parser to judge.
  if (first === undefined || first.bytes.length === 0) return { bytes, issues };
  for (const issue of first.issues) {
    if (!streamTransport && issue.code === 'missing-content-length') continue;
    if (issue.code === 'truncated-headers') {
      issues.push({
        code: 'truncated-headers',
        severity: 'error',
        message: 'expected an empty line ending the header section, found the end of the message in the log (the log cut it)',
      });
      continue;
    }
    issues.push(issue);
  }
  return { bytes: first.bytes, issues };
}
