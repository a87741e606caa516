// Reads the project seed (Clear-Com's "SIP Error Codes" list) for the catalog tests. The seed stays outside the repo,
// at ../shared/seed, like the corpus; tests skip with a message when it is absent.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const seedPath = resolve(import.meta.dirname, '..', '..', '..', '..', '..', 'shared', 'seed', 'sip-error-codes.txt');
export const hasSeed = existsSync(seedPath);
export const seedSkipReason = `seed not found at ${seedPath}: seed checks skipped`;
if (!hasSeed) process.stderr.write(`${seedSkipReason}\n`);

export interface SeedRow {
  readonly code: number;
  readonly reason: string;
  readonly description: string;
}

function countPipes(text: string): number {
  let n = 0;
  for (const ch of text) if (ch === '|') n++;
  return n;
}

function startsWithStatus(line: string): boolean {
  const c0 = line.charCodeAt(0);
  const c1 = line.charCodeAt(1);
  const c2 = line.charCodeAt(2);
  const isDigit = (c: number): boolean => c >= 48 && c <= 57;
  const next = line.charAt(3);
  return c0 >= 49 && c0 <= 54 && isDigit(c1) && isDigit(c2) && (next === '' || next === ' ' || next === '|');
}

/** The table rows of the seed: "code | reason | description |", where a row may run over several lines. */
export function parseSeed(text: string): SeedRow[] {
  const lines = text.split('\n');
  const rows: SeedRow[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!startsWithStatus(line)) continue;
    let buffer = line;
    let j = i;
    while (countPipes(buffer) < 3 && j + 1 < lines.length) {
      j++;
      buffer += ` ${lines[j] ?? ''}`;
    }
    const [code = '', reason = '', description = ''] = buffer.split('|');
    rows.push({ code: Number(code.trim()), reason: reason.trim(), description: description.trim() });
    i = j;
  }
  return rows;
}

/** Lower-case words joined by single spaces, so comparisons ignore punctuation and spacing. */
export function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '')
    .join(' ');
}

/** Sentences of a seed description, without the "[1]: §21.4.4" style citation marks. */
export function splitSentences(text: string): string[] {
  let clean = '';
  let depth = 0;
  for (const ch of text) {
    if (ch === '[') depth++;
    else if (ch === ']') depth = Math.max(0, depth - 1);
    else if (depth === 0) clean += ch;
  }
  const sentences: string[] = [];
  let current = '';
  for (let k = 0; k < clean.length; k++) {
    const ch = clean.charAt(k);
    current += ch;
    const next = clean.charAt(k + 1);
    if ((ch === '.' || ch === '!' || ch === '?') && (next === '' || next === ' ' || next === '\n' || next === ':')) {
      sentences.push(current.trim());
      current = '';
    }
  }
  if (current.trim() !== '') sentences.push(current.trim());
  return sentences.filter((s) => s !== '');
}

export function readSeedRows(): SeedRow[] {
  return parseSeed(readFileSync(seedPath, 'utf8'));
}
