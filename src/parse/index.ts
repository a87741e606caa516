// Public names of parse/, re-exported by src/index.ts. Shared file: add export lines, never rewrite it whole.
export {};
export { parseMessage } from './parse-message.js';
export type { ParseOptions } from './parse-message.js';
export { parseUri } from './parse-uri.js';
export { parseSdp } from './parse-sdp.js';
export { canonicalHeaderName } from './header-names.js';
export { checkStrict } from './check-strict.js';
export { serializeMessage } from './serialize-message.js';
export type { SerializableMessage, SerializeOptions } from './serialize-message.js';
export { readInputs, parseRaw, INPUT_UNREADABLE } from './read-inputs.js';
export type { ReadInputsOptions, ReadInputsResult } from './read-inputs.js';
export { readLive } from './read-live.js';
export type { ReadLiveOptions, LiveInputs } from './read-live.js';
export { parseFrame, createHeaderScanner, createSipStreamFramer } from './parse-frame.js';
export { touchAccessors } from './check-strict.js';
