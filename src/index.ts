// The public API of siplens. Each layer's index.ts lists its public names explicitly; the CLI and the web app use
// only what is exported here.
export * from './model/index.js';
export * from './sources/index.js';
export * from './framing/index.js';
export * from './parse/index.js';
export * from './correlate/index.js';
export * from './diagnose/index.js';
export * from './present/index.js';
