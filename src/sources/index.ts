// Public names of sources/, re-exported by src/index.ts. Shared file: add export lines, never rewrite it whole.
export {};
