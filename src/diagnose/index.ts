// Public names of diagnose/, re-exported by src/index.ts. Shared file: add export lines, never rewrite it whole.
export {};
export * from './catalog/index.js';
export { analyze } from './analyze.js';
export { analyzeRecords, createAnalyzer, diagnose } from './analyzer.js';
export type { Analysis, AnalyzeOptions, Analyzer, KeepMessages } from './analyzer.js';
export { rules } from './rules/index.js';
export type { FindingDraft, Rule } from './rules/index.js';
export { judgeRegistrationState } from './summarize.js';
