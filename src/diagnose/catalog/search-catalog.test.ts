import { describe, expect, it } from 'vitest';
import { searchCatalog, tokenize } from './search-catalog.js';

describe('searchCatalog', () => {
  it('puts the code whose reason phrase is the query first', () => {
    expect(searchCatalog('interval too brief')[0]).toMatchObject({ kind: 'status', code: 423 });
    expect(searchCatalog('Busy Here')[0]).toMatchObject({ kind: 'status', code: 486 });
    expect(searchCatalog('request terminated')[0]?.code).toBe(487);
  });

  it('finds busy across codes and Q.850 causes', () => {
    const matches = searchCatalog('busy');
    const titles = matches.map((m) => `${m.kind}:${m.code}`);
    expect(titles).toEqual(expect.arrayContaining(['status:486', 'status:600', 'q850:17']));
    expect(matches[0]?.code).toBe(486);
  });

  it('finds warn-codes and causes by words', () => {
    expect(searchCatalog('incompatible media format')[0]).toMatchObject({ kind: 'warning', code: 305 });
    expect(searchCatalog('sips required')[0]).toMatchObject({ kind: 'warning', code: 381 });
    expect(searchCatalog('no circuit available').some((m) => m.kind === 'q850' && m.code === 34)).toBe(true);
  });

  it('finds by keywords and word prefixes', () => {
    expect(searchCatalog('password').some((m) => m.code === 401)).toBe(true);
    expect(searchCatalog('codec').slice(0, 3).some((m) => m.code === 488)).toBe(true);
    expect(searchCatalog('registration interval')[0]?.code).toBe(423);
  });

  it('returns nothing when a word matches nowhere, or for an empty query', () => {
    expect(searchCatalog('busy xylophone')).toEqual([]);
    expect(searchCatalog('')).toEqual([]);
    expect(searchCatalog('  ,,, ')).toEqual([]);
  });

  it('honours the limit', () => {
    expect(searchCatalog('call', { limit: 3 }).length).toBe(3);
  });

  it('tokenizes on anything but letters and digits', () => {
    expect(tokenize('Call/Transaction Does-Not exist!')).toEqual(['call', 'transaction', 'does', 'not', 'exist']);
  });
});
