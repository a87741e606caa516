// The provider's own words: every Warning (RFC 3261 §20.43) and Reason (RFC 3326) header, decoded and quoted.
import type { MessageFacts } from '../../correlate/facts.js';
import type { Correlation } from '../../correlate/types.js';
import { collectEvidence, decodeReason, decodeWarning, wordsDetails } from './rule.js';
import type { FindingDraft, Rule } from './rule.js';

/** The messages of the correlation that carry a Warning or a Reason (most carry neither), in order. */
function wordyMessagesOf(c: Correlation): MessageFacts[] {
  const out: MessageFacts[] = [];
  const take = (m: MessageFacts): void => {
    if (m.warnings.length > 0 || m.reasons.length > 0) out.push(m);
  };
  for (const tx of c.transactions) {
    if (tx.request !== undefined) take(tx.request);
    for (const r of tx.responses) take(r);
  }
  return out;
}

export const wordsRules: Rule = {
  family: 'words',
  run(c) {
    const groups = new Map<string, { first: MessageFacts; kind: 'warning' | 'reason'; line: string; messages: number[]; callIds: Set<string> }>();
    for (const m of wordyMessagesOf(c)) {
      for (const w of m.warnings) {
        const key = `w|${w.raw}`;
        let g = groups.get(key);
        if (g === undefined) groups.set(key, (g = { first: m, kind: 'warning', line: decodeWarning(w), messages: [], callIds: new Set() }));
        g.messages.push(m.index);
        g.callIds.add(m.callId);
      }
      for (const r of m.reasons) {
        const key = `r|${r.raw}`;
        let g = groups.get(key);
        if (g === undefined) groups.set(key, (g = { first: m, kind: 'reason', line: decodeReason(r), messages: [], callIds: new Set() }));
        g.messages.push(m.index);
        g.callIds.add(m.callId);
      }
    }
    const out: FindingDraft[] = [];
    for (const g of groups.values()) {
      const what = g.first.kind === 'response' ? `${g.first.status ?? '?'} ${g.first.reason ?? ''} to ${g.first.method}` : g.first.method;
      const details = wordsDetails(g.first);
      out.push({
        rule: g.kind === 'warning' ? 'words.warning' : 'words.reason',
        severity: 'info',
        title: g.line,
        explanation: explainWords(what.trim(), g.line, g.messages.length),
        status: g.first.status ?? null,
        callIds: [...g.callIds].sort().slice(0, 20),
        evidence: collectEvidence(g.messages),
        causes: [],
        nextSteps: [],
        willNotHelp: [],
        // Quoted words gather messages from any sender; the warn-agent each names is in details.warnings.
        generatedBy: 'unknown',
        details: { ...(g.kind === 'warning' ? { warnings: details['warnings'] ?? [] } : { reasons: details['reasons'] ?? [] }), what: what.trim(), line: g.line, times: g.messages.length },
      });
    }
    return out;
  },
};

/** What a words.* finding says: built again when the same words are seen in more messages. */
export function explainWords(what: string, line: string, times: number): string {
  return `A ${what} carried ${line}${times > 1 ? `, seen ${times} times` : ''}. These are the sender's own words about the failure.`;
}
