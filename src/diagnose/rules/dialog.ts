// Dialog and routing errors: 481 (no such dialog or transaction), 482 (loop), 483 (too many hops), 491 (glare).
import type { MessageFacts } from '../../correlate/facts.js';
import { explainStatus } from '../explain.js';
import { findFinal } from './call-groups.js';
import { indexCorrelation } from './correlation-index.js';
import { collectEvidence, formatStatus, judgeGenerator, quoteWords, transactionMessages, wordsDetails } from './rule.js';
import type { FindingDraft, Rule } from './rule.js';

const CODES = new Set([481, 482, 483, 491]);

export const dialogRules: Rule = {
  family: 'dialog',
  run(c, index = indexCorrelation(c)) {
    const out: FindingDraft[] = [];
    for (const group of index.groupsAnsweredWith(CODES)) {
      const hit = findFinal(group, CODES);
      if (hit === undefined) continue;
      const { tx, others } = hit;
      const final = tx.final as MessageFacts;
      const req = tx.request;
      const status = final.status as number;
      const info = explainStatus(status, { method: tx.method });
      const base = {
        status,
        callIds: [tx.callId],
        evidence: collectEvidence(transactionMessages(tx), ...others.map(transactionMessages)),
        generatedBy: judgeGenerator(final, others, status === 481 || status === 491 ? 'far-end' : 'proxy'),
      };
      if (status === 481) {
        out.push({
          ...base,
          rule: 'dialog.does-not-exist',
          severity: tx.method === 'BYE' ? 'warning' : 'error',
          title: `481 to ${tx.method}: the other side has no such call`,
          explanation:
            `The ${tx.method} was answered ${formatStatus(final)}: the receiver has no dialog or transaction matching its ` +
            `Call-ID, tags and CSeq (RFC 3261 §12.2.2, §21.4.19). ${tx.method === 'BYE' ? 'The other side had already ended the call (often after 32 s without ACK, or a session timer).' : 'The dialog was already gone, or the request was routed to the wrong device.'} ${info.meaning}${quoteWords(final)}`,
          causes: [
            'The other side already ended the call (its own BYE, an ACK timeout, a session-timer expiry).',
            'A proxy or SBC changed the Call-ID or tags, or routed the in-dialog request to another device (missing Record-Route).',
            'The device restarted and lost its calls.',
          ],
          nextSteps: ['Look at what ended the dialog before this request (a BYE or a timeout).', 'Check Record-Route and the Contact used for in-dialog requests.'],
          willNotHelp: ['Codec or credential changes.'],
          details: { method: tx.method, ...wordsDetails(final) },
        });
      } else if (status === 482 || status === 483) {
        out.push({
          ...base,
          rule: status === 482 ? 'routing.loop-detected' : 'routing.too-many-hops',
          severity: 'error',
          title: status === 482 ? `482 Loop Detected on ${tx.method}` : `483 Too Many Hops on ${tx.method} (Max-Forwards ${req?.maxForwards ?? '?'})`,
          explanation:
            (status === 482
              ? `A proxy saw its own address in the Via headers of the ${tx.method} with the same branch: the request came back to it (RFC 3261 §16.3 step 4, §21.4.20).`
              : `The ${tx.method} reached a server with Max-Forwards at 0 (it had ${req?.maxForwards ?? '?'} where seen, with ${req?.viaCount ?? '?'} Via headers): it went through too many hops, usually a routing loop (RFC 3261 §16.3 step 3, §21.4.21).`) +
            ` ${info.meaning}${quoteWords(final)}`,
          causes: ['Two servers route the number to each other (a loop between a PBX and a trunk, or call forwarding to itself).', 'A proxy does not recognise its own domain or address and forwards to itself.'],
          nextSteps: ['Follow the Via headers of the request: the repeated hosts show the loop.', 'Check the routes for this number on each server.'],
          willNotHelp: ['Raising Max-Forwards: a loop uses up any number.'],
          details: { method: tx.method, maxForwards: req?.maxForwards ?? null, viaCount: req?.viaCount ?? null, ...wordsDetails(final) },
        });
      } else {
        out.push({
          ...base,
          rule: 'dialog.glare',
          severity: 'warning',
          title: `491 Request Pending on ${tx.method}: both sides changed the session at once (glare)`,
          explanation:
            `The ${tx.method} was answered ${formatStatus(final)}: the other side had its own offer or re-INVITE in progress. ` +
            `Both must wait a random time and retry (RFC 3261 §14.1: 2.1-4 s for the owner of the Call-ID, 0-2 s for the other).${quoteWords(final)}`,
          causes: ['Both sides sent a re-INVITE or UPDATE at the same moment (hold, transfer, session refresh).'],
          nextSteps: ['Check that the retry comes after the random wait; repeated 491 means one side retries too fast.'],
          willNotHelp: ['Configuration changes, unless both sides refresh sessions at exactly the same interval.'],
          details: { method: tx.method, ...wordsDetails(final) },
        });
      }
    }
    return out;
  },
};
