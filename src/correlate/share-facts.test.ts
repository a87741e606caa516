import { describe, expect, it } from 'vitest';
import { addresses, aliceOffer, answer, bobAnswer, invite, register, registerResponse, registrarAddr, toRecords } from '../../test/scenarios/flows.js';
import type { Wire } from '../../test/scenarios/flows.js';
import { createCorrelator } from './correlator.js';
import type { MessageFacts } from './facts.js';
import { extractFacts } from './scan-facts.js';
import { shareAll } from './share-facts.js';

const { alice, bob } = addresses;
const w = (t: number, src: string, dst: string, text: string): Wire => ({ t, src, dst, text });
const contact = '<sips:bob@192.0.2.4>;expires=7200';

/** Every message's facts as the correlator holds them, and the same facts read from that message alone. */
function held(flow: readonly Wire[]): { kept: MessageFacts[]; alone: MessageFacts[] } {
  const records = toRecords(flow);
  const c = createCorrelator();
  for (const r of records) c.push(r);
  const snap = c.snapshot();
  const kept: MessageFacts[] = [];
  for (const tx of snap.transactions) {
    if (tx.request !== undefined) kept.push(tx.request);
    kept.push(...tx.responses);
  }
  kept.sort((a, b) => a.index - b.index);
  return { kept, alone: kept.map((f) => extractFacts(records[f.index] as (typeof records)[number])) };
}

describe('equal values of kept messages held once (share-facts)', () => {
  it("an account's refreshes and their answers take the previous REGISTER's lists, and every value stays what its message says", () => {
    const ok = (cseq: number, branch: string): string =>
      registerResponse({ status: 200, reason: 'OK', cseq, branch, method: 'REGISTER', extra: `Contact: ${contact}\n` });
    const { kept, alone } = held([
      w(0, bob, registrarAddr, register({ cseq: 1, branch: 'z9hG4bKr1' })),
      w(0.1, registrarAddr, bob, ok(1, 'z9hG4bKr1')),
      w(3600, bob, registrarAddr, register({ cseq: 2, branch: 'z9hG4bKr2' })),
      w(3600.1, registrarAddr, bob, ok(2, 'z9hG4bKr2')),
    ]);
    expect(kept.map((f) => f.index)).toEqual([0, 1, 2, 3]);
    expect(kept).toEqual(alone);
    const [req1, ok1, req2, ok2] = kept as [MessageFacts, MessageFacts, MessageFacts, MessageFacts];
    expect(req2.contacts).toBe(req1.contacts);
    expect(ok2.contacts).toBe(ok1.contacts);
    // The branch differs, so each REGISTER keeps a Via of its own.
    expect(req2.via[0]).not.toBe(req1.via[0]);
    expect(req2.via[0]?.branch).toBe('z9hG4bKr2');
  });

  it('a challenge repeated to the next refresh is held once; one with a new nonce is not', () => {
    const ask = (cseq: number, branch: string, nonce: string): string =>
      registerResponse({ status: 401, reason: 'Unauthorized', cseq, branch, method: 'REGISTER', extra: `WWW-Authenticate: Digest realm="biloxi.example.com", nonce="${nonce}"\n` });
    const { kept, alone } = held([
      w(0, bob, registrarAddr, register({ cseq: 1, branch: 'z9hG4bKa' })),
      w(0.1, registrarAddr, bob, ask(1, 'z9hG4bKa', 'n1')),
      w(10, bob, registrarAddr, register({ cseq: 2, branch: 'z9hG4bKb' })),
      w(10.1, registrarAddr, bob, ask(2, 'z9hG4bKb', 'n1')),
      w(20, bob, registrarAddr, register({ cseq: 3, branch: 'z9hG4bKc' })),
      w(20.1, registrarAddr, bob, ask(3, 'z9hG4bKc', 'n2')),
    ]);
    expect(kept).toEqual(alone);
    expect(kept[3]?.challenges).toBe(kept[1]?.challenges);
    expect(kept[5]?.challenges).not.toBe(kept[3]?.challenges);
    expect(kept[5]?.challenges[0]?.nonce).toBe('n2');
  });

  it("a call's later messages keep their own values, the callee's BYE included", () => {
    const byeFromBob = `BYE sip:alice@client.atlanta.example.com SIP/2.0
Via: SIP/2.0/UDP client.biloxi.example.com:5060;branch=z9hG4bKbye
Max-Forwards: 70
From: Bob <sip:bob@biloxi.example.com>;tag=b1
To: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl
Call-ID: 2xTb9vxSit55XU7p8@atlanta.example.com
CSeq: 1 BYE
Content-Length: 0

`;
    const byeOk = byeFromBob.replace(/^BYE [^\n]*\n/, 'SIP/2.0 200 OK\n').replace('Max-Forwards: 70\n', '');
    const { kept, alone } = held([
      w(0, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKi', sdp: aliceOffer })),
      w(0.5, bob, alice, answer({ status: 200, reason: 'OK', cseq: 1, branch: 'z9hG4bKi', method: 'INVITE', toTag: 'b1', sdp: bobAnswer })),
      w(5, bob, alice, byeFromBob),
      w(5.1, alice, bob, byeOk),
    ]);
    expect(kept.map((f) => f.method)).toEqual(['INVITE', 'INVITE', 'BYE', 'BYE']);
    // The callee's BYE names the caller as To: the strings are shared the other way round, the values are its own.
    expect(kept[2]?.fromUri).toBe('sip:bob@biloxi.example.com');
    expect(kept[2]?.toTag).toBe('9fxced76sl');
    expect(kept).toEqual(alone);
  });

  it("a request forwarded with the proxy's Via on top takes the received Vias below it from the first copy", () => {
    const first = invite({ cseq: 1, branch: 'z9hG4bKleg1' });
    const forwarded = first.replace(/^(INVITE [^\n]*\n)/, '$1Via: SIP/2.0/UDP proxy.example.com:5060;branch=z9hG4bKleg2\n');
    const [a, b] = toRecords([w(0, alice, bob, first), w(0.01, alice, bob, forwarded)]).map(extractFacts) as [MessageFacts, MessageFacts];
    const before = structuredClone(b);
    shareAll(b, a);
    expect(b.via).toHaveLength(2);
    expect(b.via[1]).toBe(a.via[0]);
    expect(b.via[0]?.host).toBe('proxy.example.com');
    expect(b).toEqual(before);
  });
});
