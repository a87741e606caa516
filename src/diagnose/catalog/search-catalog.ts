import { q850Causes } from './q850-causes.js';
import { statusCodes } from './status-codes.js';
import type { CatalogMatch } from './types.js';
import { warnCodes } from './warn-codes.js';

const STOP_WORDS = new Set(['a', 'an', 'the', 'of', 'to', 'is', 'in', 'on', 'for', 'and', 'or', 'sip', 'code', 'error']);

/** Lower-case words of `text`, split on anything that is not a letter or digit. */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

function normalizePhrase(text: string): string {
  return tokenize(text).join(' ');
}

/** Weighted texts of one item: the name counts most, then keywords, then the explanation. */
interface Field {
  readonly words: readonly string[];
  readonly phrase: string;
  readonly weight: number;
}

function makeField(texts: readonly string[], weight: number): Field {
  const joined = texts.join(' ');
  return { words: tokenize(joined), phrase: ` ${normalizePhrase(joined)} `, weight };
}

function wordMatches(fieldWord: string, queryWord: string): boolean {
  // Prefix matching lets "register" find "registered" and "registration"; short words must match whole.
  return fieldWord === queryWord || (queryWord.length >= 4 && fieldWord.startsWith(queryWord));
}

/** Score of `fields` for the query; 0 when some query word is found nowhere. */
function scoreFields(fields: readonly Field[], words: readonly string[], phrase: string): number {
  let score = 0;
  for (const word of words) {
    let best = 0;
    for (const field of fields) {
      if (field.words.some((w) => wordMatches(w, word))) best = Math.max(best, field.weight);
    }
    if (best === 0) return 0;
    score += best;
  }
  if (words.length > 1) {
    for (const field of fields) {
      if (field.phrase.includes(` ${phrase} `)) score += field.weight * words.length;
    }
  }
  const name = fields[0];
  if (name !== undefined && name.phrase.trim() === phrase) score += 100;
  return score;
}

interface Indexed {
  readonly match: Omit<CatalogMatch, 'score'>;
  readonly fields: readonly Field[];
}

let index: readonly Indexed[] | undefined;

function buildIndex(): readonly Indexed[] {
  const items: Indexed[] = [];
  for (const entry of statusCodes) {
    items.push({
      match: { kind: 'status', code: entry.code, title: `${entry.code} ${entry.reason}` },
      fields: [
        makeField([entry.reason, ...(entry.otherReasons ?? [])], 10),
        makeField(entry.keywords ?? [], 8),
        makeField([entry.summary, entry.onRegister, entry.onInvite], 3),
        makeField([...entry.causes, ...entry.checks, entry.onOther, ...entry.detailHeaders], 1),
      ],
    });
  }
  for (const entry of warnCodes) {
    items.push({
      match: { kind: 'warning', code: entry.code, title: `warning ${entry.code} ${entry.text}` },
      fields: [makeField([entry.text], 9), makeField([], 0), makeField([entry.summary], 2), makeField(entry.checks, 1)],
    });
  }
  for (const entry of q850Causes) {
    items.push({
      match: { kind: 'q850', code: entry.cause, title: `Q.850 cause ${entry.cause} ${entry.name}` },
      fields: [makeField([entry.name], 9), makeField([entry.class], 2), makeField([entry.summary], 2)],
    });
  }
  return items;
}

/**
 * Finds response codes, warn-codes and Q.850 causes by words ("busy", "interval too brief"), best first.
 * Every word of the query must occur in an item (prefixes of four letters or more count); names weigh most,
 * and the whole phrase in order adds to the score. Returns an empty list when nothing matches.
 */
export function searchCatalog(query: string, options: { readonly limit?: number } = {}): CatalogMatch[] {
  const allWords = tokenize(query);
  const meaningful = allWords.filter((word) => !STOP_WORDS.has(word));
  const words = meaningful.length > 0 ? meaningful : allWords;
  if (words.length === 0) return [];
  const phrase = allWords.join(' ');
  index ??= buildIndex();
  const matches: CatalogMatch[] = [];
  for (const item of index) {
    const score = scoreFields(item.fields, words, phrase);
    if (score > 0) matches.push({ ...item.match, score });
  }
  const kindOrder = { status: 0, warning: 1, q850: 2 } as const;
  matches.sort((a, b) => b.score - a.score || kindOrder[a.kind] - kindOrder[b.kind] || a.code - b.code);
  return matches.slice(0, options.limit ?? 20);
}
