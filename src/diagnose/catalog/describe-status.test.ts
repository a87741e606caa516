import { describe, expect, it } from 'vitest';
import { describeStatus } from './describe-status.js';
import { CatalogError } from './types.js';

describe('describeStatus', () => {
  it('explains 486 for an INVITE as the called party\'s answer', () => {
    const x = describeStatus(486, { method: 'INVITE' });
    expect(x.code).toBe(486);
    expect(x.meaning).toBe(x.onInvite);
    expect(x.isFault).toBe(false);
    expect(x.fallbackFrom).toBeUndefined();
  });

  it('tells a REGISTER that got 423 to raise the interval to at least Min-Expires', () => {
    const x = describeStatus(423, { method: 'register' });
    expect(x.meaning).toMatch(/raise the registration interval/i);
    expect(x.meaning).toContain('Min-Expires');
    expect(x.detailHeaders).toContain('Min-Expires');
  });

  it('uses a method-specific meaning when there is one, else onOther', () => {
    expect(describeStatus(481, { method: 'BYE' }).meaning).toMatch(/already ended/);
    expect(describeStatus(481, { method: 'OPTIONS' }).meaning).toBe(describeStatus(481).onOther);
    expect(describeStatus(481).meaning).toBe(describeStatus(481).summary);
  });

  it('falls back to x00 for an unknown code and says so (RFC 3261 §8.1.3.2)', () => {
    const x = describeStatus(477);
    expect(x.code).toBe(400);
    expect(x.requested).toBe(477);
    expect(x.fallbackFrom).toBe(477);
    expect(x.fallbackNote).toContain('477');
    expect(x.fallbackNote).toContain('400 Bad Request');
    expect(x.fallbackNote).toContain('§8.1.3.2');
    expect(describeStatus(699).code).toBe(600);
    expect(describeStatus(199).fallbackFrom).toBeUndefined();
  });

  it.each([99, 700, 999, 42, 0, -486, 486.5, Number.NaN])('throws out-of-range for %s', (code) => {
    expect(() => describeStatus(code)).toThrow(CatalogError);
    try {
      describeStatus(code);
    } catch (error) {
      expect((error as CatalogError).code).toBe('out-of-range');
      expect((error as Error).message).toContain('100 to 699');
    }
  });

  it('judges 401/407 by the challenge count', () => {
    expect(describeStatus(401, { method: 'REGISTER' }).isFault).toBe(false);
    expect(describeStatus(401, { method: 'REGISTER', challengeNumber: 1 }).isFault).toBe(false);
    expect(describeStatus(401, { method: 'REGISTER', challengeNumber: 2 }).isFault).toBe(true);
    expect(describeStatus(407, { method: 'INVITE', challengeNumber: 3 }).faultReason).toMatch(/refused/);
  });

  it('judges 487 by whether a CANCEL came first', () => {
    expect(describeStatus(487, { afterCancel: true }).isFault).toBe(false);
    expect(describeStatus(487, { afterCancel: false }).isFault).toBe(true);
  });

  it('does not count a 481 to a BYE or CANCEL as a fault, but does for other methods', () => {
    expect(describeStatus(481, { method: 'BYE' }).isFault).toBe(false);
    expect(describeStatus(481, { method: 'cancel' }).isFault).toBe(false);
    expect(describeStatus(481, { method: 'INVITE' }).isFault).toBe(true);
    expect(describeStatus(481).isFault).toBe(true);
  });

  it('treats 603, 600 and 486 as answers and 404, 503 as faults', () => {
    for (const code of [486, 600, 603]) expect(describeStatus(code).isFault, String(code)).toBe(false);
    for (const code of [404, 408, 503]) expect(describeStatus(code).isFault, String(code)).toBe(true);
    for (const code of [100, 180, 200, 302]) expect(describeStatus(code).isFault, String(code)).toBe(false);
  });

  it('filters vendor notes by vendor, in any spelling', () => {
    expect(describeStatus(404).vendorNotes.length).toBe(1);
    expect(describeStatus(404, { vendor: 'Clear-Com' }).vendorNotes.length).toBe(1);
    expect(describeStatus(404, { vendor: 'clearcom' }).vendorNotes.length).toBe(1);
    expect(describeStatus(404, { vendor: 'acme' }).vendorNotes.length).toBe(0);
  });
});
