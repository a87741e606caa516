import { describe, expect, it } from 'vitest';
import { parseMessage } from '../parse/parse-message.js';
import { viewMessage } from './message-view.js';
import { computeStats, redactStats, StatsCounter } from './stats.js';
import type { MessageView } from './message-view.js';

let index = 0;
/** A message view of `text` (LF line ends written as CRLF) seen at `ms`. */
function view(text: string, ms: number): MessageView {
  const bytes = new TextEncoder().encode(`${text.trim().replace(/\n/g, '\r\n')}\r\n\r\n`);
  return viewMessage({ index: index++, message: parseMessage(bytes), meta: { time: ms, origin: { path: 'test', offset: 0 } } });
}

const head = (cseq: string, method: string): string =>
  `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-${cseq}\nFrom: <sip:1001@example.com>;tag=a\nTo: <sip:1001@example.com>\nCall-ID: c1@192.0.2.10\nCSeq: ${cseq} ${method}\nContent-Length: 0`;
const register = (cseq: string): string => `REGISTER sip:example.com SIP/2.0\n${head(cseq, 'REGISTER')}`;
const answer = (status: string, cseq: string): string => `SIP/2.0 ${status}\n${head(cseq, 'REGISTER')}`;

describe('StatsCounter', () => {
  it('counts retransmissions as messages but each transaction once, from the first send to the first final answer', () => {
    const stats = computeStats([
      view(register('1'), 1000),
      view(register('1'), 1500), // retransmission: keeps the first send time
      view(answer('100 Trying', '1'), 1600),
      view(answer('401 Unauthorized', '1'), 1700),
      view(answer('401 Unauthorized', '1'), 2200), // retransmitted final: not a second transaction
      view(register('1'), 2300), // a late copy of the request after the answer: not a new transaction
      view(register('2'), 3000),
      view(answer('403 Account Disabled By 1001', '2'), 3250),
    ]);
    expect(stats.messages).toBe(8);
    expect(stats.requests).toBe(4);
    expect(stats.byMethod).toEqual([{ method: 'REGISTER', count: 4 }]);
    expect(stats.byCode).toEqual([
      { code: 100, reason: 'Trying', count: 1 },
      { code: 401, reason: 'Unauthorized', count: 2 },
      { code: 403, reason: 'Account Disabled By 1001', count: 1 },
    ]);
    expect(stats.responseTimes).toEqual([{ method: 'REGISTER', count: 2, p50: 250, p90: 700, p99: 700, max: 700 }]);
    // 401 is a challenge, not a failure; 403 is one.
    expect(stats.byAccount).toEqual([{ account: '1001@example.com', requests: 4, failures: 1 }]);
    const hidden = redactStats(stats);
    expect(hidden.byAccount[0]?.account).toBe('account-1');
    // A device's own reason phrase may name a user: the registry's phrase replaces it.
    expect(hidden.byCode.map((c) => c.reason)).toEqual(['Trying', 'Unauthorized', 'Forbidden']);
    expect(JSON.stringify(hidden)).not.toContain('1001');
  });

  it('holds a bounded number of open transactions, so unanswered requests do not grow memory without end', () => {
    const counter = new StatsCounter();
    // 250,000 requests never answered (over the 200,000 held), then an answer to the last one: still timed.
    const base = view(register('1'), 0);
    for (let i = 0; i < 250_000; i++) counter.add({ ...base, callId: `c${i}`, time: i });
    counter.add({ ...view(answer('200 OK', '1'), 0), callId: 'c249999', time: 250_000 });
    const stats = counter.result();
    expect(stats.requests).toBe(250_000);
    expect(stats.responseTimes[0]?.count).toBe(1);
  });
});
