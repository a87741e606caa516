import { describe, expect, it } from 'vitest';
import { addresses, aliceOffer, answer, bobAddr, bobAnswer, challenge, invite, register, registerResponse, registrarAddr, toRecords } from '../../test/scenarios/flows.js';
import type { Wire } from '../../test/scenarios/flows.js';
import { viewCall } from './call-outcome.js';
import { createCorrelator } from './correlator.js';
import { extractFacts, isThinFacts } from './scan-facts.js';

const { alice, bob } = addresses;
const w = (t: number, src: string, dst: string, text: string): Wire => ({ t, src, dst, text });

function correlate(flow: readonly Wire[]) {
  const c = createCorrelator();
  for (const r of toRecords(flow)) c.push(r);
  return c.snapshot();
}

describe('transactions (RFC 3261 §17)', () => {
  it('retransmissions of a request and of a response are counted in one transaction, not new attempts', () => {
    const req = invite({ cseq: 1, branch: 'z9hG4bKr1', sdp: aliceOffer });
    const ringing = answer({ status: 180, reason: 'Ringing', cseq: 1, branch: 'z9hG4bKr1', method: 'INVITE', toTag: 't' });
    const c = correlate([w(0, alice, bob, req), w(0.5, alice, bob, req), w(1.5, alice, bob, req), w(1.6, bob, alice, ringing), w(2.6, bob, alice, ringing)]);
    expect(c.transactions).toHaveLength(1);
    const tx = c.transactions[0];
    expect(tx?.retransmissions).toBe(2);
    expect(tx?.requestCopies).toEqual([0, 1, 2]);
    expect(tx?.responses.map((r) => r.status)).toEqual([180]);
    expect(tx?.responseRetransmissions).toBe(1);
    expect(c.calls[0]?.invites).toHaveLength(1);
  });

  it('without the magic cookie, RFC 2543 matching still ties the response to its request', () => {
    const c = correlate([
      w(0, alice, bob, invite({ cseq: 7, branch: 'old-style-1' })),
      w(0.2, bob, alice, answer({ status: 486, reason: 'Busy Here', cseq: 7, branch: 'old-style-1', method: 'INVITE', toTag: 'b' })),
    ]);
    expect(c.transactions).toHaveLength(1);
    expect(c.transactions[0]?.key.startsWith('o|')).toBe(true);
    expect(c.transactions[0]?.final?.status).toBe(486);
  });

  it('the ACK of a non-2xx belongs to the INVITE transaction; the ACK of a 2xx is its own (§17.1.1.3, §13.2.2.4)', () => {
    const busy = correlate([
      w(0, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKa1' })),
      w(0.2, bob, alice, answer({ status: 486, reason: 'Busy Here', cseq: 1, branch: 'z9hG4bKa1', method: 'INVITE', toTag: 'b' })),
      w(0.21, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKa1', method: 'ACK', toTag: 'b' })),
    ]);
    expect(busy.transactions).toHaveLength(1);
    expect(busy.transactions[0]?.ack?.index).toBe(2);
    const ok = correlate([
      w(0, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKa2', sdp: aliceOffer })),
      w(0.2, bob, alice, answer({ status: 200, reason: 'OK', cseq: 1, branch: 'z9hG4bKa2', method: 'INVITE', toTag: 'b', sdp: bobAnswer })),
      w(0.21, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKa3', method: 'ACK', toTag: 'b' })),
    ]);
    expect(ok.transactions[0]?.ack).toBeUndefined();
    expect(ok.calls[0]?.acks.map((a) => a.index)).toEqual([2]);
    expect(ok.calls[0]?.dialogs[0]?.state).toBe('confirmed');
  });

  it('a CANCEL is a transaction of its own in the call, and the 487 makes the call cancelled', () => {
    const c = correlate([
      w(0, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKc1' })),
      w(0.1, bob, alice, answer({ status: 180, reason: 'Ringing', cseq: 1, branch: 'z9hG4bKc1', method: 'INVITE', toTag: 'r' })),
      w(5, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKc1', method: 'CANCEL' })),
      w(5.1, bob, alice, answer({ status: 200, reason: 'OK', cseq: 1, branch: 'z9hG4bKc1', method: 'CANCEL', toTag: 'r' })),
      w(5.1, bob, alice, answer({ status: 487, reason: 'Request Terminated', cseq: 1, branch: 'z9hG4bKc1', method: 'INVITE', toTag: 'r' })),
    ]);
    const call = c.calls[0];
    expect(call?.cancels).toHaveLength(1);
    expect(call?.cancels[0]?.final?.status).toBe(200);
    const view = viewCall(call as NonNullable<typeof call>);
    expect(view.outcome).toBe('cancelled');
    expect(view.endedBy).toBe('caller');
    expect(view.postDialDelayMs).toBeCloseTo(100, 0);
  });

  it('provisional answers with two To tags are two early dialogs (a fork); the answered one is confirmed', () => {
    const c = correlate([
      w(0, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKf1' })),
      w(0.1, bob, alice, answer({ status: 180, reason: 'Ringing', cseq: 1, branch: 'z9hG4bKf1', method: 'INVITE', toTag: 'desk' })),
      w(0.2, bob, alice, answer({ status: 180, reason: 'Ringing', cseq: 1, branch: 'z9hG4bKf1', method: 'INVITE', toTag: 'mobile' })),
      w(3, bob, alice, answer({ status: 200, reason: 'OK', cseq: 1, branch: 'z9hG4bKf1', method: 'INVITE', toTag: 'mobile' })),
    ]);
    const dialogs = c.calls[0]?.dialogs ?? [];
    expect(dialogs.map((d) => [d.toTag, d.state])).toEqual([
      ['desk', 'early'],
      ['mobile', 'confirmed'],
    ]);
  });

  it('an answer whose request is not in the data is kept, with no request', () => {
    const c = correlate([w(0, bob, alice, answer({ status: 503, reason: 'Service Unavailable', cseq: 3, branch: 'z9hG4bKo1', method: 'INVITE', toTag: 'x' }))]);
    expect(c.transactions[0]?.request).toBeUndefined();
    expect(c.calls[0]?.invites).toHaveLength(1);
  });

  it('one call seen on both sides of a proxy is one call with two legs; B2BUA legs tied by X-CID are linked', () => {
    const c = correlate([
      w(0, alice, addresses.proxy, invite({ cseq: 1, branch: 'z9hG4bKl1' })),
      w(0.01, addresses.proxy, bob, invite({ cseq: 1, branch: 'z9hG4bKl1', proxyBranch: 'z9hG4bKl2' })),
      w(0.02, addresses.proxy, bob, invite({ cseq: 1, branch: 'z9hG4bKb1', callId: 'b2bua-leg-2', extra: 'X-CID: 2xTb9vxSit55XU7p8@atlanta.example.com\n' })),
    ]);
    expect(c.calls).toHaveLength(2);
    const first = c.calls[0];
    expect(first?.invites).toHaveLength(2);
    expect(viewCall(first as NonNullable<typeof first>).legs).toHaveLength(1);
    expect(first?.linkedCallIds).toEqual(['b2bua-leg-2']);
    expect(c.calls[1]?.linkedCallIds).toEqual(['2xTb9vxSit55XU7p8@atlanta.example.com']);
  });

  it('calls that are over and idle leave memory; the rest stay', () => {
    const c = createCorrelator();
    const recs = toRecords([
      w(0, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKe1', callId: 'done' })),
      w(0.2, bob, alice, answer({ status: 486, reason: 'Busy Here', cseq: 1, branch: 'z9hG4bKe1', method: 'INVITE', toTag: 'b', callId: 'done' })),
      w(10, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKe2', callId: 'ringing' })),
      w(60, alice, bob, invite({ cseq: 2, branch: 'z9hG4bKe3', callId: 'later', method: 'OPTIONS' })),
    ]);
    for (const r of recs) c.push(r);
    const gone = c.evictIdleCalls({ minMessagesSince: 1 });
    expect(gone.map((g) => g.call.callId)).toEqual(['done']);
    expect(c.snapshot().calls.map((x) => x.callId)).toEqual(['ringing']);
    expect(c.snapshot().transactions.some((t) => t.callId === 'done')).toBe(false);
  });

  describe('how many later messages an ended call waits for (EvictionPolicy)', () => {
    const policy = { minMessagesSince: 100, minMessagesSinceInInput: 5 };
    const ended = [
      w(0, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKg1', callId: 'ended' })),
      w(0.2, bob, alice, answer({ status: 486, reason: 'Busy Here', cseq: 1, branch: 'z9hG4bKg1', method: 'INVITE', toTag: 'b', callId: 'ended' })),
    ];
    /** Ten OPTIONS pings, `from` seconds on, one a second. */
    const pings = (from: number): Wire[] =>
      Array.from({ length: 10 }, (_, i) => w(from + i, alice, bob, invite({ cseq: i + 1, branch: `z9hG4bKp${from}x${i}`, callId: `ping-${from}-${i}`, method: 'OPTIONS' })));
    /** The records of each part read as its own input (`path`), numbered on from the parts before. */
    function run(parts: readonly { readonly path: string; readonly flow: readonly Wire[] }[]): string[] {
      const c = createCorrelator();
      let index = 0;
      for (const part of parts) for (const r of toRecords(part.flow, part.path)) c.push({ ...r, index: index++ });
      return c.evictIdleCalls(policy).map((g) => g.call.callId);
    }

    it('within one input with times, data time decides: a few messages later the ended call goes', () => {
      expect(run([{ path: 'a.pcap', flow: [...ended, ...pings(10)] }])).toEqual(['ended']);
    });

    it('a call last seen in an earlier input waits for the larger count, so that two inputs of one call still meet', () => {
      expect(run([{ path: 'a.pcap', flow: ended }, { path: 'b.pcap', flow: pings(10) }])).toEqual([]);
    });

    it('data time going back (the same file given twice) counts as a new input', () => {
      expect(run([{ path: 'a.pcap', flow: [...ended, ...pings(30)] }, { path: 'a.pcap', flow: pings(0) }])).toEqual([]);
    });

    it('without times the larger count applies within one input too', () => {
      const c = createCorrelator();
      for (const r of toRecords([...ended, ...pings(10)], 'a.log')) c.push({ ...r, meta: { ...r.meta, time: null } });
      expect(c.evictIdleCalls(policy).map((g) => g.call.callId)).toEqual([]);
      expect(c.evictIdleCalls({ ...policy, minMessagesSince: 5 }).map((g) => g.call.callId)).toEqual(['ended']);
    });
  });
});

describe('answered REGISTER transactions kept thin (CorrelatorOptions.reread)', () => {
  const flow: Wire[] = [
    w(0, bobAddr, registrarAddr, register({ cseq: 1, branch: 'z9hG4bKnashds7' })),
    w(0.1, registrarAddr, bobAddr, registerResponse({ status: 401, reason: 'Unauthorized', cseq: 1, branch: 'z9hG4bKnashds7', method: 'REGISTER', extra: challenge('ea9c8e88df84f1cec4341ae6cbe5a359') })),
    w(0.2, bobAddr, registrarAddr, register({ cseq: 2, branch: 'z9hG4bKnashds8', auth: { user: 'bob', realm: 'atlanta.example.com', nonce: 'ea9c8e88df84f1cec4341ae6cbe5a359' } })),
    w(0.3, registrarAddr, bobAddr, registerResponse({ status: 200, reason: 'OK', cseq: 2, branch: 'z9hG4bKnashds8', method: 'REGISTER', extra: 'Contact: <sips:bob@192.0.2.4>;expires=3600\n' })),
    // A copy of the 200 comes after the transaction was thinned: it is still recognised as one.
    w(0.8, registrarAddr, bobAddr, registerResponse({ status: 200, reason: 'OK', cseq: 2, branch: 'z9hG4bKnashds8', method: 'REGISTER', extra: 'Contact: <sips:bob@192.0.2.4>;expires=3600\n' })),
  ];
  const records = toRecords(flow);
  const byIndex = new Map(records.map((r) => [r.index, r]));
  const reread = (i: number) => {
    const r = byIndex.get(i);
    return r === undefined ? undefined : extractFacts(r);
  };

  it('a snapshot gives the same transactions and facts as a correlator that keeps every fact whole', () => {
    const whole = createCorrelator();
    const thin = createCorrelator({ reread });
    for (const r of records) {
      whole.push(r);
      thin.push(r);
    }
    const a = whole.snapshot();
    const b = thin.snapshot();
    expect(b.registrations).toEqual(a.registrations);
    expect(b.transactions).toEqual(a.transactions);
    const ok = b.registrations[0]?.transactions[1];
    expect(ok?.final?.contacts[0]?.expires).toBe(3600);
    expect(ok?.request?.credentials[0]?.realm).toBe('atlanta.example.com');
    expect(b.registrations[0]?.transactions[0]?.final?.challenges[0]?.nonce).toBe('ea9c8e88df84f1cec4341ae6cbe5a359');
    expect(ok?.responseRetransmissions).toBe(1);
    expect(ok?.final).toBe(ok?.responses[0]);
  });

  it('between snapshots the answered transactions hold thin facts, and are thinned again after a snapshot', () => {
    const c = createCorrelator({ reread });
    for (const r of records.slice(0, 4)) c.push(r);
    const tx = c.snapshot().registrations[0]?.transactions[1];
    expect(tx?.request !== undefined && isThinFacts(tx.request)).toBe(false);
    c.push(records[4]!);
    expect(tx?.request !== undefined && isThinFacts(tx.request)).toBe(true);
    expect(tx?.final !== undefined && isThinFacts(tx.final)).toBe(true);
    expect(tx?.final?.contacts).toEqual([]);
    expect(c.snapshot().registrations[0]?.transactions[1]?.final?.contacts[0]?.expires).toBe(3600);
  });

  it('without reread nothing is thinned', () => {
    const c = createCorrelator();
    for (const r of records) c.push(r);
    const tx = c.snapshot().registrations[0]?.transactions[1];
    c.push(records[4]!);
    expect(tx?.final !== undefined && isThinFacts(tx.final)).toBe(false);
  });
});
