import type { MessageFacts } from './facts.js';

/** RFC 3261 §8.1.1.7: a branch starting with this cookie was made by an RFC 3261 element and is unique. */
export const MAGIC_COOKIE = 'z9hG4bK';

/**
 * The key that ties a request, its retransmissions and its responses into one transaction.
 *
 * RFC 3261 §17.2.3 (server side) and §17.1.3 (client side): with the magic cookie, branch + sent-by + method, where an
 * ACK matches the INVITE it acknowledges (pass `method: 'INVITE'` for that lookup). Without the cookie, the RFC 2543
 * rules: Call-ID, CSeq, From tag and the top Via (§17.2.3 last paragraph); To tag and Request-URI are left out because
 * responses add a To tag and carry no Request-URI.
 */
export function computeTransactionKey(facts: MessageFacts, method: string = facts.kind === 'response' ? facts.cseqMethod : facts.method): string {
  const top = facts.via[0];
  const host = top === undefined ? '' : top.host.toLowerCase();
  const port = top?.port ?? '';
  const branch = top?.branch;
  // join() makes one flat string; template literals leave cons-string trees that cost memory as long-lived Map keys.
  if (branch !== undefined && branch.startsWith(MAGIC_COOKIE)) return ['b', branch, host, port, method].join('|');
  return ['o', facts.callId, facts.cseq, method, facts.fromTag ?? '', host, port, branch ?? ''].join('|');
}
