// Messages that break the SIP grammar where it matters (RFC 3261 §7, §20.14, §20.16, §20.42): a receiver may drop
// them or read them otherwise, which explains failures no response code shows.
import type { FindingDraft, Rule } from './rule.js';
import { collectEvidence } from './rule.js';

/** What each defect means for a receiver, with the RFC rule it breaks. */
const MEANING: Readonly<Record<string, string>> = {
  'bad-start-line': 'the start line is not a valid request or status line (RFC 3261 §7.1, §7.2)',
  'bad-content-length': 'Content-Length is not a decimal number (RFC 3261 §20.14)',
  'multiple-content-length': 'there are several Content-Length headers with different values (RFC 4475 §3.1.2.7)',
  'truncated-body': 'the body is shorter than Content-Length says (RFC 3261 §18.3: a datagram receiver must discard it)',
  'bad-via': 'a Via header does not follow `SIP/2.0/transport host` (RFC 3261 §20.42)',
  'bad-cseq': 'CSeq is not `number method` (RFC 3261 §20.16)',
};

/** Title and explanation of msg.malformed from its counts: made again when shares of the input are put together. */
export function describeMalformed(count: number, byCode: Readonly<Record<string, number>>, senders: readonly string[]): { title: string; explanation: string } {
  const codes = Object.entries(byCode).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const list = codes.map(([code, n]) => `${n} × ${code}: ${MEANING[code] ?? code}`).join('; ');
  return {
    title: `${count} SIP message${count === 1 ? '' : 's'} break${count === 1 ? 's' : ''} the SIP grammar (${codes.map(([code]) => code).join(', ')})`,
    explanation:
      `${count === 1 ? 'One message' : `${count} messages`} in the input ${count === 1 ? 'has' : 'have'} defects a receiver may refuse or read otherwise: ${list}. ` +
      'A strict server drops such a message silently, so the sender waits for an answer that never comes; a lenient one may guess differently than the sender meant. ' +
      (senders.length > 0 ? `They came from ${senders.slice(0, 5).join(', ')}${senders.length > 5 ? ' and others' : ''}. ` : '') +
      '`siplens messages --json` shows each defect with the bytes it covers.',
  };
}

export const messageRules: Rule = {
  family: 'msg',
  run(c) {
    const d = c.defective;
    if (d === undefined || d.count === 0) return [];
    const senders = [...new Set(d.sample.map((f) => f.src).filter((s): s is string => s !== undefined))].sort();
    const byCode = Object.fromEntries(Object.entries(d.byCode).sort((a, b) => a[0].localeCompare(b[0])));
    const draft: FindingDraft = {
      rule: 'msg.malformed',
      severity: 'warning',
      ...describeMalformed(d.count, byCode, senders),
      status: null,
      callIds: [...new Set(d.sample.map((f) => f.callId).filter((id) => id !== ''))].sort().slice(0, 20),
      evidence: collectEvidence(d.sample.map((f) => f.index)),
      causes: ['A bug in the sending device or software (hand-built messages, wrong length after editing a body).', 'A middlebox (SIP ALG, SBC) that rewrote the message and did not fix Content-Length.'],
      nextSteps: ['Upgrade or report to the vendor of the sender, with these messages.', 'Turn off SIP ALG on routers and firewalls on the path.'],
      willNotHelp: ['Changing credentials or codecs: the message itself is broken.'],
      generatedBy: 'unknown',
      details: { messages: d.count, byCode, senders: senders.slice(0, 20) },
    };
    return [draft];
  },
};
