import { describe, expect, it } from 'vitest';
import { CatalogError } from './types.js';
import { describeWarning, lookupWarning, warnCodes } from './warn-codes.js';

// The IANA "Warning Codes (warn-codes)" registry of sip-parameters: RFC 3261 §20.43 plus 308 (RFC 8373) and
// 380/381 (RFC 5630). Reference data, checked against the catalog below.
const IANA_WARN_CODES = [300, 301, 302, 303, 304, 305, 306, 307, 308, 330, 331, 370, 380, 381, 399];

describe('warnCodes', () => {
  it('holds every registered warn-code, in order, within 300-399', () => {
    expect(warnCodes.map((w) => w.code)).toEqual(IANA_WARN_CODES);
    for (const w of warnCodes) {
      expect(w.text.length).toBeGreaterThan(3);
      expect(w.summary.length).toBeGreaterThan(10);
      expect(w.rfc).toMatch(/^RFC \d+$/);
    }
  });

  it('names 380 and 381 as RFC 5630 gave them', () => {
    expect(lookupWarning(380)?.text).toBe('SIPS Not Allowed');
    expect(lookupWarning(381)?.text).toBe('SIPS Required');
    expect(lookupWarning(381)?.rfc).toBe('RFC 5630');
  });

  it('explains an unregistered 3xx warn-code by its RFC 3261 §20.43 range', () => {
    const w = describeWarning(372);
    expect(w.registered).toBe(false);
    expect(w.summary).toContain('QoS');
    expect(describeWarning(310).summary).toContain('session description');
    expect(describeWarning(305).registered).toBe(true);
  });

  it.each([299, 400, 199, 30.5])('throws for %s, outside 300-399', (code) => {
    expect(() => describeWarning(code)).toThrow(CatalogError);
  });
});
