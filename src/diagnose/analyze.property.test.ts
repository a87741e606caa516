// Property: whatever order, loss or duplication the messages come in, analysis finishes and its result holds together.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addresses, aliceOffer, answer, bobAnswer, challenge, invite, register, registerResponse, toRecords } from '../../test/scenarios/flows.js';
import type { Wire } from '../../test/scenarios/flows.js';
import type { MessageRecord } from '../model/index.js';
import { analyzeRecords, createAnalyzer } from './analyzer.js';

const { alice, bob, proxy } = addresses;
const w = (t: number, src: string, dst: string, text: string): Wire => ({ t, src, dst, text });

const pool: readonly MessageRecord[] = toRecords([
  w(0, bob, proxy, register({ cseq: 1, branch: 'z9hG4bKp1' })),
  w(0.1, proxy, bob, registerResponse({ status: 401, reason: 'Unauthorized', cseq: 1, branch: 'z9hG4bKp1', method: 'REGISTER', extra: challenge('n') })),
  w(0.2, bob, proxy, register({ cseq: 2, branch: 'z9hG4bKp2', auth: { user: 'bob', realm: 'atlanta.example.com', nonce: 'n' } })),
  w(0.3, proxy, bob, registerResponse({ status: 423, reason: 'Interval Too Brief', cseq: 2, branch: 'z9hG4bKp2', method: 'REGISTER', extra: 'Min-Expires: 3600\n' })),
  w(1, alice, proxy, invite({ cseq: 1, branch: 'z9hG4bKp3', sdp: aliceOffer })),
  w(1.01, proxy, bob, invite({ cseq: 1, branch: 'z9hG4bKp3', proxyBranch: 'z9hG4bKp4', sdp: aliceOffer })),
  w(1.1, bob, proxy, answer({ status: 180, reason: 'Ringing', cseq: 1, branch: 'z9hG4bKp3', proxyBranch: 'z9hG4bKp4', method: 'INVITE', toTag: 'b' })),
  w(1.2, bob, proxy, answer({ status: 200, reason: 'OK', cseq: 1, branch: 'z9hG4bKp3', proxyBranch: 'z9hG4bKp4', method: 'INVITE', toTag: 'b', sdp: bobAnswer })),
  w(1.3, proxy, alice, answer({ status: 200, reason: 'OK', cseq: 1, branch: 'z9hG4bKp3', method: 'INVITE', toTag: 'b', sdp: bobAnswer })),
  w(1.4, alice, proxy, invite({ cseq: 1, branch: 'z9hG4bKp5', method: 'ACK', toTag: 'b' })),
  w(2, alice, proxy, invite({ cseq: 2, branch: 'z9hG4bKp6', method: 'BYE', toTag: 'b', extra: 'Reason: Q.850;cause=41\n' })),
  w(2.1, proxy, alice, answer({ status: 481, reason: 'Call/Transaction Does Not Exist', cseq: 2, branch: 'z9hG4bKp6', method: 'BYE', toTag: 'b' })),
  w(3, alice, proxy, invite({ cseq: 1, branch: 'z9hG4bKp7', callId: 'second', method: 'CANCEL' })),
  w(3.1, proxy, alice, answer({ status: 503, reason: 'Service Unavailable', cseq: 1, branch: 'z9hG4bKp8', method: 'INVITE', toTag: 'c', callId: 'second', extra: 'Retry-After: 60\n' })),
]);

describe('analysis of any arrangement of messages', () => {
  it('finishes, numbers findings uniquely and cites only messages it was given', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: pool.length - 1 }), { maxLength: 40 }), (picks) => {
        const records = picks.map((p, index) => ({ ...(pool[p] as MessageRecord), index }));
        const { result } = analyzeRecords(records);
        const ids = result.findings.map((f) => f.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const f of result.findings) for (const i of f.evidence) expect(i).toBeLessThan(records.length);
        expect(new Set(result.calls.map((c) => c.callId)).size).toBe(result.calls.length);
        expect(result.summary.messages).toBe(records.length);
        // Evicting after every message (the harshest policy) still accounts for every message.
        const live = createAnalyzer({ eviction: { checkEvery: 1, minMessagesSince: 0, endedIdleMs: 0, idleMs: 0 } });
        for (const r of records) live.push(r);
        expect(live.snapshot().summary.messages).toBe(records.length);
      }),
      { numRuns: 200 },
    );
  });
});
