import { describe, expect, it } from 'vitest';
import { mergeDrafts } from './combine.js';
import type { FindingDraft } from './rules/index.js';
import { explainPrivateAddress } from './rules/network.js';

/** A net.private-address finding as the network rule makes it for one part of the input. */
function privateAddress(evidence: number[], received: string | null, rport: number | null, receivedIn: number | null): FindingDraft {
  return {
    rule: 'net.private-address',
    severity: 'warning',
    title: 'Private address (Contact 192.168.1.2) in messages sent from public address 1.1.1.1: NAT',
    explanation: explainPrivateAddress('1.1.1.1', '192.168.1.2', undefined, received ?? undefined, rport),
    status: null,
    callIds: [`call-${evidence[0]}`],
    evidence,
    causes: [],
    nextSteps: [],
    willNotHelp: [],
    generatedBy: 'network',
    details: { sourceAddress: '1.1.1.1', privateContact: '192.168.1.2', privateVia: null, received, rport, receivedIn },
  };
}

describe('mergeDrafts: net.private-address from two shares or eviction batches', () => {
  it('keeps the received/rport of the earliest answer that showed them, whichever part it was in, and says so', () => {
    const early = privateAddress([1, 5], null, null, null);
    const later = privateAddress([3, 9], '80.230.219.70', 5060, 4);
    for (const merged of [mergeDrafts(early, later), mergeDrafts(later, early)]) {
      expect(merged.evidence).toEqual([1, 3, 5, 9]);
      expect(merged.details).toMatchObject({ received: '80.230.219.70', rport: 5060, receivedIn: 4 });
      expect(merged.explanation).toContain('received=80.230.219.70, rport=5060');
    }
  });

  it('takes the pair of the earlier answer when both parts saw one', () => {
    const a = privateAddress([2], '198.51.100.7', null, 12);
    const b = privateAddress([1], '198.51.100.9', 5062, 30);
    for (const merged of [mergeDrafts(a, b), mergeDrafts(b, a)]) {
      expect(merged.details).toMatchObject({ received: '198.51.100.7', rport: null, receivedIn: 12 });
      expect(merged.explanation).toContain('received=198.51.100.7)');
    }
  });
});
