import { detectSipdump } from './formats/kamailio-sipdump.js';
import { detectJsonExport } from './formats/json-export.js';
import { detectSipTraceTable } from './formats/opensips-sip-trace.js';
import { detectTsharkText } from './formats/tshark-text.js';
import { DIALECTS } from './registry.js';
import { stripAnsi } from './text.js';

/** How much of a file's start detection looks at. */
export const DETECT_SAMPLE_BYTES = 64 * 1024;

export interface DetectedFormat {
  readonly format: string;
  /** 0..1: how sure the detector is. The generic fallback scores 0.2. */
  readonly confidence: number;
}

/**
 * Names the log format of a file from a sample of its start (about 64 KB, latin1 or UTF-8 text), or null when no
 * SIP is recognisable in it.
 */
export function detectLogFormat(sample: string): DetectedFormat | null {
  const text = stripAnsi(sample.length > DETECT_SAMPLE_BYTES ? sample.slice(0, DETECT_SAMPLE_BYTES) : sample);
  const json = detectJsonExport(text);
  if (json !== undefined) return json;
  let best: DetectedFormat | null = null;
  const consider = (format: string, confidence: number): void => {
    if (confidence > 0 && (best === null || confidence > best.confidence)) best = { format, confidence };
  };
  consider('kamailio-sipdump', detectSipdump(text));
  consider('tshark-text', detectTsharkText(text));
  consider('opensips-sip-trace', detectSipTraceTable(text));
  for (const d of DIALECTS) consider(d.name, d.detect(text));
  return best;
}
