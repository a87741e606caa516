// The public API of siplens: an explicit list of names. The CLI and the web app use only what is exported here.
export * from './model/index.js';
