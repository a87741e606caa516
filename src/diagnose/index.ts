// Public names of diagnose/, re-exported by src/index.ts. Shared file: add export lines, never rewrite it whole.
export {};
export * from './catalog/index.js';
