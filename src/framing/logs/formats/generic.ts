import type { LogDialect } from '../dialect.js';
import { findSipStart } from '../text.js';
import { countMatches } from './common.js';
import { readTimestampPrefix } from './pjsip.js';

/**
 * The fallback for logs no reader knows: a SIP start line anywhere in a line starts a message; it ends at its
 * Content-Length, at the next start line or at the next time-stamped log line.
 */
export const generic: LogDialect = {
  name: 'generic',
  detect: (sample) => (countMatches(sample, (l) => findSipStart(l) >= 0) > 0 ? 0.2 : 0),
  prefix: (line) => readTimestampPrefix(line),
  announce: () => undefined,
  findAnywhere: true,
};
