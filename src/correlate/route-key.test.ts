import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTrafficPcap } from '../../test/helpers/traffic.js';
import { corpusFiles, corpusSkipReason, hasCorpus } from '../../test/helpers/corpus.js';
import { readRawInputs } from '../parse/read-inputs.js';
import { scanFacts } from './scan-facts.js';
import { Router } from './route-key.js';

/** Router keys of the messages of `files`, by Call-ID (REGISTER by To URI), leaving out calls tied to other legs. */
async function keysByCall(files: readonly string[]): Promise<Map<string, Set<number>>> {
  const r = new Router();
  const keys = new Map<string, Set<number>>();
  let n = 0;
  for (const file of files) {
    const { batches } = readRawInputs([file]);
    for await (const batch of batches) {
      for (const raw of batch) {
        const f = scanFacts(raw.bytes, raw.meta, n++, raw.issues);
        if (f.callId === '' || f.correlation.length > 0) continue;
        const id = f.cseqMethod === 'REGISTER' ? `${file}|account|${f.toUri ?? ''}` : `${file}|${f.callId}`;
        const set = keys.get(id) ?? new Set<number>();
        set.add(r.key(raw.bytes));
        keys.set(id, set);
      }
    }
  }
  return keys;
}

const bytes = (lines: readonly string[]): Uint8Array => new TextEncoder().encode(`${lines.join('\r\n')}\r\n\r\n`);

const register = (callId: string, order: 'call-id first' | 'to first'): Uint8Array => {
  const to = 'To: <sip:1001@pbx.example.com>';
  const id = `Call-ID: ${callId}`;
  return bytes([
    'REGISTER sip:pbx.example.com SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-r1',
    ...(order === 'to first' ? [to, id] : [id, to]),
    'From: <sip:1001@pbx.example.com>;tag=a1',
    'CSeq: 1 REGISTER',
    'Contact: <sip:1001@192.0.2.10:5060>',
    'Content-Length: 0',
  ]);
};

describe('Router.key: every message of a call, and of an account, gets one number', () => {
  it('an account goes by its To URI, whatever the Call-ID and wherever To comes in the header', () => {
    const r = new Router();
    const a = r.key(register('first@192.0.2.10', 'call-id first'));
    expect(r.key(register('second@192.0.2.10', 'to first'))).toBe(a);
    // A response learns that it answers a REGISTER from its CSeq, here after the Call-ID and before the To.
    const ok = bytes(['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-r1', 'Call-ID: third@192.0.2.10', 'CSeq: 1 REGISTER', 'From: <sip:1001@pbx.example.com>;tag=a1', 'To: <sip:1001@pbx.example.com>;tag=b2', 'Content-Length: 0']);
    expect(r.key(ok)).toBe(a);
  });

  it('an INVITE tied to another leg by an X-CID in its last header line goes with that leg', () => {
    const r = new Router();
    const aLeg = bytes(['INVITE sip:2000@gw.example.com SIP/2.0', 'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-a', 'Call-ID: leg-a@192.0.2.10', 'CSeq: 1 INVITE', 'From: <sip:1001@pbx.example.com>;tag=a1', 'To: <sip:2000@gw.example.com>', 'Content-Length: 0']);
    const bLeg = bytes(['INVITE sip:2000@198.51.100.7 SIP/2.0', 'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-b', 'Call-ID: leg-b@192.0.2.1', 'CSeq: 1 INVITE', 'From: <sip:1001@pbx.example.com>;tag=x9', 'To: <sip:2000@gw.example.com>', 'Content-Length: 0', 'X-CID: leg-a@192.0.2.10']);
    const ringing = bytes(['SIP/2.0 180 Ringing', 'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-b', 'Call-ID: leg-b@192.0.2.1', 'CSeq: 1 INVITE', 'From: <sip:1001@pbx.example.com>;tag=x9', 'To: <sip:2000@gw.example.com>;tag=g1', 'Content-Length: 0']);
    const a = r.key(aLeg);
    expect(r.key(bLeg)).toBe(a);
    expect(r.key(ringing)).toBe(a);
  });

  it('on generated proxy traffic, the messages of each call and of each account share a number', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'siplens-route-'));
    try {
      const file = join(dir, 'traffic.pcap');
      await writeTrafficPcap(file, 5, 2_000_000);
      const keys = await keysByCall([file]);
      expect(keys.size).toBeGreaterThan(500);
      expect([...keys].filter(([, set]) => set.size > 1).map(([id]) => id)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe.skipIf(!hasCorpus)(`on the corpus captures and logs (${hasCorpus ? 'corpus' : corpusSkipReason})`, () => {
    it('the messages of each Call-ID and of each account share a number', async () => {
      const keys = await keysByCall([...corpusFiles('pcap'), ...corpusFiles('logs'), ...corpusFiles('formats')]);
      expect(keys.size).toBeGreaterThan(20);
      expect([...keys].filter(([, set]) => set.size > 1).map(([id]) => id)).toEqual([]);
    });
  });
});
