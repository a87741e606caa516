// Public names of framing/logs/, re-exported through src/framing/index.ts.
export { detectLogFormat, DETECT_SAMPLE_BYTES } from './detect.js';
export type { DetectedFormat } from './detect.js';
export { frameLog, frameLogBatches } from './frame-log.js';
export type { FrameLogOptions } from './frame-log.js';
export { LOG_FORMATS } from './registry.js';
export { stripAnsi } from './text.js';
