import { describe, expect, it } from 'vitest';
import { compareNatural, rotationKey, sortPaths } from './path-order.js';

describe('sortPaths', () => {
  it('puts rotated logs oldest first and the live file last', () => {
    expect(sortPaths(['var/log/sip', 'var/log/sip.1', 'var/log/sip.10.gz', 'var/log/sip.2.gz', 'var/log/messages'])).toEqual([
      'var/log/messages',
      'var/log/sip.10.gz',
      'var/log/sip.2.gz',
      'var/log/sip.1',
      'var/log/sip',
    ]);
  });
  it('puts dated rotations (logrotate dateext) oldest first and the live file last', () => {
    expect(sortPaths(['sip.log', 'sip.log-20240131', 'sip.log-20240130.gz', 'sip.log-20231231'])).toEqual([
      'sip.log-20231231',
      'sip.log-20240130.gz',
      'sip.log-20240131',
      'sip.log',
    ]);
  });
  it('compares numbers in names by value', () => {
    expect(compareNatural('a2', 'a10')).toBeLessThan(0);
    expect(sortPaths(['f10.log', 'f9.log', 'f1.log'])).toEqual(['f1.log', 'f9.log', 'f10.log']);
  });
  it('reads the rotation number and family', () => {
    expect(rotationKey('sip.log.3.gz')).toEqual({ family: 'sip.log', generation: 3 });
    expect(rotationKey('sip.log')).toEqual({ family: 'sip.log', generation: -1 });
  });
});
