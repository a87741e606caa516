// SIP extensions negotiated with Require/Supported/Unsupported (RFC 3261 §8.2.2.3, §20.32, §20.40) and session
// timers (RFC 4028).
import type { MessageFacts } from '../../correlate/facts.js';
import { explainStatus } from '../explain.js';
import { findFinal } from './call-groups.js';
import { indexCorrelation } from './correlation-index.js';
import { collectEvidence, formatStatus, judgeGenerator, quoteWords, transactionMessages, wordsDetails } from './rule.js';
import type { FindingDraft, Rule } from './rule.js';

const CODES = new Set([420, 421, 422]);

function list(values: readonly string[]): string {
  return values.length === 0 ? '(none)' : values.join(', ');
}

export const extensionRules: Rule = {
  family: 'ext',
  run(c, index = indexCorrelation(c)) {
    const out: FindingDraft[] = [];
    for (const group of index.groupsAnsweredWith(CODES)) {
      const hit = findFinal(group, CODES);
      if (hit === undefined) continue;
      const { tx, others } = hit;
      const final = tx.final as MessageFacts;
      const req: MessageFacts | undefined = tx.request;
      const status = final.status as number;
      const info = explainStatus(status, { method: tx.method });
      const base = {
        status,
        callIds: [tx.callId],
        evidence: collectEvidence(transactionMessages(tx), ...others.map(transactionMessages)),
        generatedBy: judgeGenerator(final, others, 'far-end'),
      };
      if (status === 420) {
        out.push({
          ...base,
          rule: 'ext.bad-extension',
          severity: 'error',
          title: `420 Bad Extension: the other side does not support ${list(final.unsupported)}`,
          explanation:
            `The ${tx.method} required extension(s) ${list(req?.require ?? [])} (Require header) and the other side ` +
            `answered ${formatStatus(final)} with Unsupported: ${list(final.unsupported)}. A request may only require ` +
            `what the other side supports (RFC 3261 §8.2.2.3).${quoteWords(final)}`,
          causes: [`The caller requires ${list(final.unsupported)} (e.g. 100rel for PRACK, timer) which the callee does not implement.`, ...info.causes.slice(0, 1)],
          nextSteps: ['Turn the extension from "required" to "supported" on the caller (e.g. 100rel: supported, not required).'],
          willNotHelp: ['Codec or credential changes.'],
          details: { unsupported: [...final.unsupported], require: [...(req?.require ?? [])], ...wordsDetails(final) },
        });
      } else if (status === 421) {
        out.push({
          ...base,
          rule: 'ext.extension-required',
          severity: 'error',
          title: `421 Extension Required: the other side requires ${list(final.require)}`,
          explanation:
            `The other side will only accept the ${tx.method} with extension(s) ${list(final.require)} (Require in the ` +
            `answer), which the request did not list in Supported (${list(req?.supported ?? [])}); RFC 3261 §21.4.15.${quoteWords(final)}`,
          causes: [`The caller does not support or does not announce ${list(final.require)}.`],
          nextSteps: [`Enable ${list(final.require)} on the caller, or relax the requirement on the callee.`],
          willNotHelp: ['Codec or credential changes.'],
          details: { require: [...final.require], supported: [...(req?.supported ?? [])], ...wordsDetails(final) },
        });
      } else {
        out.push({
          ...base,
          rule: 'ext.session-interval-too-small',
          severity: 'error',
          title: `422 Session Interval Too Small: minimum ${final.minSe ?? '?'} s, asked ${req?.sessionExpires ?? '?'} s`,
          explanation:
            `The ${tx.method} asked for a session timer of ${req?.sessionExpires ?? '?'} s (Session-Expires) and the ` +
            `other side requires at least ${final.minSe ?? '?'} s (Min-SE in the 422). The caller must retry with ` +
            `Session-Expires of at least Min-SE (RFC 4028 §6, §7.4).${quoteWords(final)}`,
          causes: ['The session timer configured on the caller is below the other side\'s minimum.', 'The caller ignores Min-SE in the 422.'],
          nextSteps: [`Set the session timer on the caller to ${final.minSe ?? 'Min-SE'} s or more.`],
          willNotHelp: ['Codec or credential changes.'],
          details: { minSe: final.minSe ?? null, sessionExpires: req?.sessionExpires ?? null, ...wordsDetails(final) },
        });
      }
    }
    return out;
  },
};
