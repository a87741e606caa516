import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** `../shared/corpus`, beside the clone (always there in CI). Tests read it in place and never copy it. */
export const corpusDir = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'corpus');
export const hasCorpus = existsSync(corpusDir);

/** Files of a corpus folder (sorted), or an empty list when the corpus is absent. */
export function corpusFiles(sub: string): string[] {
  const dir = join(corpusDir, sub);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .sort()
    .map((name) => join(dir, name));
}

/** The reason a corpus-driven suite is skipped, printed by `describe.skipIf` users. */
export const corpusSkipReason = `../shared/corpus not found at ${corpusDir}: corpus tests skipped`;
if (!hasCorpus) process.stderr.write(`${corpusSkipReason}\n`);
