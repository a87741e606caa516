import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { disagreements } from './disagreements.js';
import { q850Causes } from './q850-causes.js';
import { statusCodes } from './status-codes.js';
import { warnCodes } from './warn-codes.js';

// docs/CATALOG.md describes the data; this keeps its figures and its disagreement table in step with the code.
const doc = readFileSync(resolve(import.meta.dirname, '..', '..', '..', 'docs', 'CATALOG.md'), 'utf8');

describe('docs/CATALOG.md', () => {
  it('states the counts the data has', () => {
    expect(doc).toContain(`| response codes | ${statusCodes.length} |`);
    expect(doc).toContain(`| warn-codes | ${warnCodes.length} |`);
    expect(doc).toContain(`| Q.850 causes | ${q850Causes.length} |`);
  });

  it('has a row for every disagreement in the data', () => {
    for (const d of disagreements) expect(doc, String(d.code)).toContain(`\n| ${d.code} |`);
  });
});
