import { describe, expect, it } from 'vitest';
import { disagreements } from './disagreements.js';
import { lookupStatus, statusCodes } from './status-codes.js';
import type { StatusEntry } from './types.js';
import { vendorGuides, vendorNoteRows } from './vendor-notes.js';
import { hasSeed, normalizeText, readSeedRows, seedSkipReason, splitSentences } from './test-helpers/seed.js';

// The IANA "Response Codes" sub-registry of sip-parameters (75 codes: 50 from RFC 3261 §21, 25 from later RFCs),
// as listed at https://www.iana.org/assignments/sip-parameters. Reference data, checked against the catalog below.
const IANA_CODES = [
  100, 180, 181, 182, 183, 199, 200, 202, 204, 300, 301, 302, 305, 380, 400, 401, 402, 403, 404, 405, 406, 407, 408, 410,
  412, 413, 414, 415, 416, 417, 420, 421, 422, 423, 424, 425, 428, 429, 430, 433, 436, 437, 438, 439, 440, 469, 470, 480,
  481, 482, 483, 484, 485, 486, 487, 488, 489, 491, 493, 494, 500, 501, 502, 503, 504, 505, 513, 555, 580, 600, 603, 604,
  606, 607, 608,
];

/** Every explanatory string of an entry: what must be written fresh. */
function explanatoryTexts(entry: StatusEntry): string[] {
  return [
    entry.summary,
    entry.onRegister,
    entry.onInvite,
    entry.onOther,
    ...Object.values(entry.onMethod ?? {}),
    ...entry.causes,
    ...entry.checks,
    ...entry.willNotHelp,
    entry.faultNote ?? '',
    entry.statusNote ?? '',
    ...entry.vendorNotes.map((n) => n.note),
  ].filter((t) => t !== '');
}

describe('statusCodes', () => {
  it('holds each code once, in numeric order', () => {
    const codes = statusCodes.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort((a, b) => a - b)).toEqual(codes);
  });

  it('has every code of the IANA registry, marked as registered', () => {
    const missing = IANA_CODES.filter((code) => lookupStatus(code) === undefined);
    expect(missing).toEqual([]);
    for (const code of IANA_CODES) expect(lookupStatus(code)?.iana, String(code)).toBe(true);
  });

  it('marks codes outside the registry as historic, and only those', () => {
    const outside = statusCodes.filter((e) => !IANA_CODES.includes(e.code));
    expect(outside.map((e) => e.code)).toEqual([409, 411]);
    for (const e of outside) {
      expect(e.iana).toBe(false);
      expect(e.status).toBe('historic');
      expect(e.rfc).toBe('RFC 2543');
    }
  });

  it('cannot be changed by a caller', () => {
    const entry = lookupStatus(486);
    expect(Object.isFrozen(entry)).toBe(true);
    expect(Object.isFrozen(entry?.causes)).toBe(true);
    expect(Object.isFrozen(statusCodes)).toBe(true);
  });

  it('marks 202 deprecated by RFC 6665', () => {
    const entry = lookupStatus(202);
    expect(entry?.status).toBe('deprecated');
    expect(entry?.rfc).toBe('RFC 6665');
  });

  it('has an x00 entry for every class, for the RFC 3261 §8.1.3.2 fallback', () => {
    for (const cls of [1, 2, 3, 4, 5, 6]) {
      // 100, 200, 300, 400, 500, 600 all exist in RFC 3261.
      expect(lookupStatus(cls * 100)?.class, String(cls)).toBe(cls);
    }
  });

  it('fills every field of every entry', () => {
    for (const e of statusCodes) {
      const where = `${e.code}`;
      expect(e.class, where).toBe(Math.floor(e.code / 100));
      expect(e.reason.length, where).toBeGreaterThan(1);
      expect(e.rfc, where).toMatch(/^RFC \d+$/);
      expect(e.section, where).not.toBe('');
      for (const text of [e.summary, e.onRegister, e.onInvite, e.onOther]) expect(text.length, where).toBeGreaterThan(10);
      expect(e.causes.length, where).toBeGreaterThan(0);
      expect(e.checks.length, where).toBeGreaterThan(0);
      expect(e.senders.length, where).toBeGreaterThan(0);
      if (e.status !== 'current') expect(e.statusNote, where).toBeDefined();
    }
  });

  it('names the headers that carry detail for the codes that depend on them', () => {
    const expectHeader = (code: number, header: string): void => {
      expect(lookupStatus(code)?.detailHeaders, `${code} ${header}`).toContain(header);
    };
    expectHeader(423, 'Min-Expires');
    expectHeader(422, 'Min-SE');
    expectHeader(401, 'WWW-Authenticate');
    expectHeader(407, 'Proxy-Authenticate');
    expectHeader(503, 'Retry-After');
    expectHeader(420, 'Unsupported');
    expectHeader(405, 'Allow');
    expectHeader(415, 'Accept');
    expectHeader(302, 'Contact');
    expectHeader(494, 'Security-Server');
    expectHeader(469, 'Recv-Info');
    expectHeader(608, 'Call-Info');
    expectHeader(488, 'Warning');
    expectHeader(480, 'Reason');
  });

  it('keeps the seed\'s Clear-Com notes as vendor notes with their source', () => {
    for (const code of [404, 502]) {
      const notes = lookupStatus(code)?.vendorNotes ?? [];
      expect(notes.length, String(code)).toBe(1);
      expect(notes[0]?.vendorId).toBe('clear-com');
      expect(notes[0]?.source).toContain('sip-error-codes.txt');
    }
    expect(lookupStatus(404)?.vendorNotes[0]?.appliesTo).toBe('Avaya');
  });

  it('lists disagreements only about codes in the catalog', () => {
    for (const d of disagreements) expect(lookupStatus(d.code), String(d.code)).toBeDefined();
  });
});

describe.skipIf(!hasSeed)(`the seed (${hasSeed ? 'present' : seedSkipReason})`, () => {
  const rows = hasSeed ? readSeedRows() : [];

  it('parses to 77 codes from 100 to 608', () => {
    expect(rows.length).toBe(77);
    expect(rows[0]?.code).toBe(100);
    expect(rows.at(-1)?.code).toBe(608);
  });

  it('has every seed code in the catalog, with its reason phrase', () => {
    for (const row of rows) {
      const entry = lookupStatus(row.code);
      expect(entry, `${row.code} ${row.reason}`).toBeDefined();
      const phrases = [entry?.reason ?? '', ...(entry?.otherReasons ?? [])].map((p) => p.toLowerCase());
      expect(phrases, `${row.code}`).toContain(row.reason.toLowerCase());
    }
  });

  it('repeats no sentence of the seed word for word (reason phrases aside)', () => {
    const reasons = new Set(rows.map((r) => normalizeText(r.reason)));
    const sentences = rows
      .flatMap((r) => splitSentences(r.description))
      .map(normalizeText)
      .filter((s) => s.split(' ').length >= 3 && !reasons.has(s));
    expect(sentences.length).toBeGreaterThan(80);
    const copies: string[] = [];
    const extra = [...vendorNoteRows.map((n) => n.note), ...vendorGuides.flatMap((g) => g.whereToLook)];
    for (const text of extra) {
      const mine = ` ${normalizeText(text)} `;
      for (const sentence of sentences) if (mine.includes(` ${sentence} `)) copies.push(`vendor text: "${sentence}"`);
    }
    for (const entry of statusCodes) {
      for (const text of explanatoryTexts(entry)) {
        const mine = ` ${normalizeText(text)} `;
        for (const sentence of sentences) if (mine.includes(` ${sentence} `)) copies.push(`${entry.code}: "${sentence}"`);
      }
    }
    expect(copies).toEqual([]);
  });

  it('would catch a copied sentence (the check itself can fail)', () => {
    const first = rows.find((r) => r.code === 486);
    const sentence = normalizeText(splitSentences(first?.description ?? '')[0] ?? '');
    expect(sentence).not.toBe('');
    expect(` ${normalizeText(`Note: ${first?.description ?? ''}`)} `.includes(` ${sentence} `)).toBe(true);
  });
});
