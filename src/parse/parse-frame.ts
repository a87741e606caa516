import type { FramedMessage, HeaderScanner } from '../framing/stream-framer.js';
import { StreamFramer, type StreamFramerOptions } from '../framing/stream-framer.js';
import type { SipMessage } from '../model/sip-message.js';
import { MessageScan, PartialScan, type ParseOptions, parseMessage, scanMessageResumable } from './parse-message.js';
import { SipMessageImpl } from './sip-message-impl.js';

/**
 * A StreamFramer header scanner that builds parse/'s header index while framing: parseFrame() then turns the frame
 * into a SipMessage without reading the headers a second time.
 */
export function createHeaderScanner(options?: ParseOptions): HeaderScanner {
  // One result object, reused: the framer reads it before calling again.
  const result = { headerEnd: 0, contentLength: -1, state: undefined as unknown };
  return (b, start, end, resume) => {
    // A header section cut by a segment end is read on from where it stopped, not from its start line again.
    const scan = scanMessageResumable(b, start, end, options, resume instanceof PartialScan ? resume : undefined);
    if (scan === undefined) return undefined;
    if (scan instanceof PartialScan) {
      result.headerEnd = -1;
      result.contentLength = -1;
      result.state = scan;
      return result;
    }
    result.headerEnd = start + scan.layout.bodyStart;
    result.contentLength = scan.contentLength;
    result.state = scan;
    return result;
  };
}

/** A StreamFramer whose frames parseFrame() reads without a second header scan. */
export function createSipStreamFramer(options: Omit<StreamFramerOptions, 'headerScanner'> = {}, parse?: ParseOptions): StreamFramer {
  return new StreamFramer({ ...options, headerScanner: createHeaderScanner(parse) });
}

/** Parses a framed message, reusing the header index built while framing when there is one. */
export function parseFrame(frame: FramedMessage, options?: ParseOptions): SipMessage {
  const state = frame.headerScan;
  // Only scans made by scanMessage are trusted (MessageScan is a class for this check).
  if (state instanceof MessageScan) {
    const { layout, issues } = state;
    if (layout.bodyStart <= frame.bytes.length) {
      layout.bodyEnd = frame.bytes.length;
      return new SipMessageImpl(frame.bytes, layout, issues, options?.stream === true);
    }
  }
  return parseMessage(frame.bytes, options);
}
