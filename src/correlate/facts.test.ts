import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { corpusFiles, hasCorpus } from '../../test/helpers/corpus.js';
import { parseMessage } from '../parse/index.js';
import { scanNameAddr } from './facts.js';

describe('scanNameAddr', () => {
  it('reads the name-addr and addr-spec forms of RFC 3261 §20.20', () => {
    expect(scanNameAddr('"Bob <the boss>" <sip:bob@biloxi.com;transport=tcp>;tag=a6c85cf')).toEqual({ uri: 'sip:bob@biloxi.com;transport=tcp', tag: 'a6c85cf' });
    expect(scanNameAddr('sip:alice@atlanta.com;tag=1928301774')).toEqual({ uri: 'sip:alice@atlanta.com', tag: '1928301774' });
    expect(scanNameAddr('Alice <sip:alice@atlanta.com> ; TAG = 88 ;x=1')).toEqual({ uri: 'sip:alice@atlanta.com', tag: '88' });
    expect(scanNameAddr('<sip:carol@chicago.com>')).toEqual({ uri: 'sip:carol@chicago.com', tag: undefined });
    expect(scanNameAddr('"unterminated <sip:x@y>')?.uri).toBe('"unterminated <sip:x@y>');
    expect(scanNameAddr(undefined)).toBeUndefined();
  });

  it.skipIf(!hasCorpus)('agrees with the parser on every From and To of the RFC 4475 torture messages', async () => {
    let compared = 0;
    for (const file of corpusFiles('messages/rfc4475')) {
      const m = parseMessage(new Uint8Array(await readFile(file)));
      for (const [value, parsed] of [
        [m.header('From'), m.from],
        [m.header('To'), m.to],
      ] as const) {
        if (parsed === undefined || value === undefined) continue;
        const scanned = scanNameAddr(value);
        expect(scanned?.uri, `${file}: ${value}`).toBe(parsed.uri.raw.trim());
        expect(scanned?.tag, `${file}: ${value}`).toBe(parsed.tag);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(50);
  });
});
