// Public names of framing/, re-exported by src/index.ts. Shared file: add export lines, never rewrite it whole.
export {};
export { StreamFramer, looksLikeSipStart, classifySipStart } from './stream-framer.js';
export type { FramedMessage, StreamFramerOptions } from './stream-framer.js';
export { frameCapture, CaptureFramer } from './frame-capture.js';
export type { FrameCaptureOptions } from './frame-capture.js';
export { TcpReassembler } from './tcp-reassembly.js';
export type { TcpSink, TcpReassemblyLimits } from './tcp-reassembly.js';
export { WebSocketDecoder, findHttpHeaderEnd, isWebSocketUpgrade } from './websocket.js';
export type { WebSocketMessage, WebSocketOptions } from './websocket.js';
export { frameLog, detectLogFormat, DETECT_SAMPLE_BYTES, LOG_FORMATS, stripAnsi } from './logs/index.js';
export type { FrameLogOptions, DetectedFormat } from './logs/index.js';
export type { HeaderScanner } from './stream-framer.js';
