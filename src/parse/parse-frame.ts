import type { FramedMessage, HeaderScanner } from '../framing/stream-framer.js';
import { StreamFramer, type StreamFramerOptions } from '../framing/stream-framer.js';
import type { SipMessage } from '../model/sip-message.js';
import { type MessageScan, type ParseOptions, parseMessage, scanMessage } from './parse-message.js';
import { SipMessageImpl } from './sip-message-impl.js';

/** Marks scans made by this module, so a foreign `headerScan` on a frame is never trusted. */
class ScanState {
  constructor(readonly scan: MessageScan) {}
}

/**
 * A StreamFramer header scanner that builds parse/'s header index while framing: parseFrame() then turns the frame
 * into a SipMessage without reading the headers a second time.
 */
export function createHeaderScanner(options?: ParseOptions): HeaderScanner {
  return (b, start, end) => {
    const scan = scanMessage(b, start, end, options, false);
    if (scan === undefined) return undefined;
    return { headerEnd: start + scan.layout.bodyStart, contentLength: scan.contentLength, state: new ScanState(scan) };
  };
}

/** A StreamFramer whose frames parseFrame() reads without a second header scan. */
export function createSipStreamFramer(options: Omit<StreamFramerOptions, 'headerScanner'> = {}, parse?: ParseOptions): StreamFramer {
  return new StreamFramer({ ...options, headerScanner: createHeaderScanner(parse) });
}

/** Parses a framed message, reusing the header index built while framing when there is one. */
export function parseFrame(frame: FramedMessage, options?: ParseOptions): SipMessage {
  const state = frame.headerScan;
  if (state instanceof ScanState) {
    const { layout, issues } = state.scan;
    if (layout.bodyStart <= frame.bytes.length) {
      layout.bodyEnd = frame.bytes.length;
      return new SipMessageImpl(frame.bytes, layout, issues, options?.stream === true);
    }
  }
  return parseMessage(frame.bytes, options);
}
