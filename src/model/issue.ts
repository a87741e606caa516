import type { Origin } from './origin.js';

/** How bad a defect is: `error` means the item could not be read as SIP, `warning` that it was read with a guess. */
export type Severity = 'error' | 'warning' | 'info';

/** Byte offsets, end exclusive, relative to the bytes the reporting stage was given (for a message: its raw bytes). */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * A defect in the input, kept as data: stages report what they could not read and go on.
 * `code` is stable and kebab-case (`bad-content-length`, `zip-bomb`); `message` says what was expected, what was
 * found, and where.
 */
export interface Issue {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly span?: Span;
  readonly origin?: Origin;
}
