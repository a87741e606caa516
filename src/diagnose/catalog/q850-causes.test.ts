import { describe, expect, it } from 'vitest';
import { lookupStatus } from './status-codes.js';
import { classifyQ850, describeQ850, q850Causes, q850ForSipStatus, sipStatusForQ850 } from './q850-causes.js';
import { CatalogError } from './types.js';

describe('q850Causes', () => {
  // Every cause value ITU-T Q.850 (05/1998, with its 1999/2001 additions 14 and 24) assigns a meaning to; national
  // and ANSI-only values (such as 35-37, 51, 52, 54) are not in it. Reference data, checked against the catalog.
  const ITU_Q850_CAUSES = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
    34, 38, 39, 40, 41, 42, 43, 44, 46, 47,
    49, 50, 53, 55, 57, 58, 62, 63,
    65, 66, 69, 70, 79,
    81, 82, 83, 84, 85, 86, 87, 88, 90, 91, 95,
    96, 97, 98, 99, 100, 101, 102, 103, 110, 111,
    127,
  ];

  it('holds every cause value ITU-T Q.850 defines, and no other', () => {
    expect(q850Causes.map((c) => c.cause)).toEqual(ITU_Q850_CAUSES);
    expect(q850Causes.length).toBe(71);
  });

  it('holds distinct causes from 1 to 127 in order, each named', () => {
    const causes = q850Causes.map((c) => c.cause);
    expect(new Set(causes).size).toBe(causes.length);
    expect([...causes].sort((a, b) => a - b)).toEqual(causes);
    expect(causes[0]).toBe(1);
    expect(causes.at(-1)).toBe(127);
    for (const c of q850Causes) expect(c.name.length).toBeGreaterThan(3);
    expect(q850Causes.length).toBeGreaterThan(60);
  });

  it('classifies by value range', () => {
    expect(classifyQ850(17)).toBe('normal event');
    expect(classifyQ850(34)).toBe('resource unavailable');
    expect(classifyQ850(57)).toBe('service or option not available');
    expect(classifyQ850(65)).toBe('service or option not implemented');
    expect(classifyQ850(88)).toBe('invalid message');
    expect(classifyQ850(102)).toBe('protocol error');
    expect(classifyQ850(127)).toBe('interworking');
  });

  it('maps to SIP as RFC 3398 §7.2.4.1 lists', () => {
    const table: [number, number][] = [[1, 404], [17, 486], [18, 408], [19, 480], [21, 403], [22, 410], [27, 502], [28, 484], [34, 503], [65, 488], [102, 504], [127, 500]];
    for (const [cause, status] of table) expect(sipStatusForQ850(cause), String(cause)).toMatchObject({ status, basis: 'rfc3398' });
    expect(sipStatusForQ850(16).status).toBeUndefined();
    expect(sipStatusForQ850(50)).toMatchObject({ status: 503, basis: 'class-default' });
  });

  it('maps SIP to Q.850 as RFC 3398 §8.2.6.1 lists', () => {
    const table: [number, number][] = [[404, 1], [486, 17], [480, 18], [408, 102], [503, 41], [603, 21], [600, 17], [502, 38], [484, 28]];
    for (const [status, cause] of table) expect(q850ForSipStatus(status), String(status)).toMatchObject({ cause, basis: 'rfc3398' });
    expect(q850ForSipStatus(487).cause).toBeUndefined();
    // RFC 3398 §8.2.6.1: any code the table leaves out maps to 31, "Normal, unspecified".
    for (const unlisted of [409, 422, 430, 555, 580, 607, 699]) {
      expect(q850ForSipStatus(unlisted), String(unlisted)).toMatchObject({ cause: 31, basis: 'rfc3398-default' });
    }
    expect(() => q850ForSipStatus(200)).toThrow(CatalogError);
  });

  it('maps only to codes the catalog explains, both ways', () => {
    for (const c of q850Causes) {
      const s = sipStatusForQ850(c.cause).status;
      if (s !== undefined) expect(lookupStatus(s), `${c.cause} -> ${s}`).toBeDefined();
    }
    for (let status = 400; status < 700; status++) {
      const cause = q850ForSipStatus(status).cause;
      if (cause !== undefined) expect(describeQ850(cause).cause).toBe(cause);
    }
  });

  it('explains unnamed causes by class and refuses values outside 1-127', () => {
    expect(describeQ850(60)).toMatchObject({ known: false, class: 'service or option not available' });
    expect(describeQ850(17).known).toBe(true);
    for (const bad of [0, 128, -1, 1.5]) expect(() => describeQ850(bad)).toThrow(CatalogError);
  });
});

describe('the catalog texts about gateways', () => {
  it('name only Q.850 causes that RFC 3398 §7.2.4.1 maps to the same code', async () => {
    const { statusCodes } = await import('./status-codes.js');
    let checked = 0;
    for (const entry of statusCodes) {
      for (const text of [...entry.causes, entry.onInvite]) {
        const at = text.indexOf('Q.850 cause');
        if (!text.startsWith('A gateway mapping') || at < 0 || !text.includes('(RFC 3398 §7.2.4.1)')) continue;
        const list = text.slice(at + 'Q.850 cause'.length, text.indexOf('('));
        const causes = list.split(/\D+/).filter((d) => d !== '').map(Number);
        expect(causes.length, text).toBeGreaterThan(0);
        for (const cause of causes) expect(sipStatusForQ850(cause).status, `${entry.code}: ${cause}`).toBe(entry.code);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(9);
  });
});
