// How calls ended: the final answer to the INVITE (RFC 3261 §13.2.2), said plainly, with "not a fault" where a
// person answered.
import type { CallView } from '../../correlate/call-outcome.js';
import type { MessageFacts, ReasonFacts } from '../../correlate/facts.js';
import type { Call } from '../../correlate/types.js';
import type { FindingSeverity } from '../../model/analysis.js';
import { explainQ850, explainStatus } from '../explain.js';
import { indexCorrelation } from './correlation-index.js';
import {
  collectEvidence,
  formatStatus,
  judgeGenerator,
  nameOf,
  quoteWords,
  secondsText,
  transactionMessages,
  wordsDetails,
} from './rule.js';
import type { FindingDraft, Rule } from './rule.js';

interface OutcomeSpec {
  readonly rule: string;
  readonly severity: FindingSeverity;
  readonly title: string;
  /** Why, in words for this call. */
  readonly say: (call: Call, final: MessageFacts) => string;
  readonly causes: readonly string[];
  readonly nextSteps: readonly string[];
  readonly willNotHelp: readonly string[];
}

const NOT_A_FAULT = 'This is not a fault: the call was set up correctly and a person (or their device\'s settings) answered it this way.';

const OUTCOMES: ReadonlyMap<number, OutcomeSpec> = new Map<number, OutcomeSpec>([
  [404, {
    rule: 'call.not-found',
    severity: 'error',
    title: 'The called number or user does not exist',
    say: (c) => `The server has no user ${nameOf(c.to)} (RFC 3261 §21.4.5): the number is wrong, or not in its dial plan, or not registered where 404 is used for that.`,
    causes: ['The number or user name dialled is wrong or missing the right prefix.', 'The callee is not provisioned (or not registered) on the server.', 'The dial plan or routing on the proxy has no route for this number.'],
    nextSteps: ['Check the dialled number and the domain in the Request-URI.', 'Check the callee exists (and is registered) on the server.'],
    willNotHelp: ['Codec or NAT changes: the server answered and looked the user up.'],
  }],
  [484, {
    rule: 'call.address-incomplete',
    severity: 'error',
    title: 'Address incomplete: the number dialled is too short',
    say: () => 'The server needs more digits (RFC 3261 §21.4.22): the dial plan matched the start of the number only.',
    causes: ['The number was sent before all digits were dialled (dial plan or inter-digit timeout on the phone).', 'A missing area code or prefix.'],
    nextSteps: ['Dial the full number; check the phone\'s dial plan and the server\'s number format.'],
    willNotHelp: ['Network changes.'],
  }],
  [480, {
    rule: 'call.unavailable',
    severity: 'warning',
    title: 'The callee is temporarily unavailable',
    say: (c) => `${nameOf(c.to)} is known but cannot be reached now (RFC 3261 §21.4.18): not registered, do-not-disturb, or no device answered.`,
    causes: ['The callee is not registered (device off, registration expired).', 'The callee set do-not-disturb.', 'No registered device of the callee answered.'],
    nextSteps: ['Check the callee\'s registration state on the server.', 'Check do-not-disturb on the callee.'],
    willNotHelp: ['Changing the caller\'s configuration.'],
  }],
  [486, {
    rule: 'call.busy',
    severity: 'info',
    title: 'The callee is busy',
    say: () => `The callee's device is in use or refuses more calls (RFC 3261 §21.4.24). ${NOT_A_FAULT}`,
    causes: ['The callee is on another call and call waiting is off or full.', 'Do-not-disturb set to answer busy.'],
    nextSteps: ['None needed; call again later.'],
    willNotHelp: ['Any configuration change: the call worked.'],
  }],
  [600, {
    rule: 'call.busy',
    severity: 'info',
    title: 'The callee is busy everywhere',
    say: () => `Every device of the callee is busy (RFC 3261 §21.6.1). ${NOT_A_FAULT}`,
    causes: ['The callee is busy on all devices.'],
    nextSteps: ['None needed; call again later.'],
    willNotHelp: ['Any configuration change: the call worked.'],
  }],
  [603, {
    rule: 'call.declined',
    severity: 'info',
    title: 'The callee declined the call',
    say: () => `The callee rejected the call (RFC 3261 §21.6.2), usually by pressing reject. ${NOT_A_FAULT}`,
    causes: ['The callee pressed reject, or a call-screening rule declined it.'],
    nextSteps: ['None needed.'],
    willNotHelp: ['Any configuration change: the call worked.'],
  }],
  [487, {
    rule: 'call.cancelled',
    severity: 'info',
    title: 'The call was cancelled before it was answered',
    say: (_c) => `The INVITE was ended by a CANCEL before the callee answered, so it was answered 487 Request Terminated (RFC 3261 §9.1, §21.4.25). This is the normal end of an unanswered call that the caller hung up.`,
    causes: ['The caller hung up while it was ringing.', 'A forking proxy cancelled the other branches after one answered.'],
    nextSteps: ['None needed, unless calls are cancelled that should ring longer (check no-answer timers).'],
    willNotHelp: ['Any configuration change on the callee.'],
  }],
  [408, {
    rule: 'call.no-answer',
    severity: 'info',
    title: 'Nobody answered: the call rang until the timer ran out',
    say: () => `The callee's phone rang (a provisional response came back) but nobody picked up before a timer ended the call with 408 (RFC 3261 §21.4.9, the proxy's or the caller's INVITE timer). This is not a fault of the network.`,
    causes: ['Nobody answered.', 'The no-answer timer on the proxy is shorter than the voicemail or forwarding timer.'],
    nextSteps: ['None needed, unless calls should go to voicemail: compare the no-answer timers.'],
    willNotHelp: ['Network or codec changes: the call rang.'],
  }],
]);

/** Codes that other families explain in full. */
const ELSEWHERE = new Set([401, 407, 408, 415, 420, 421, 422, 477, 478, 481, 482, 483, 488, 491, 502, 503, 504, 606]);

function checkCall(call: Call, view: CallView): FindingDraft[] {
  const out: FindingDraft[] = [];
  const tx = view.main;
  const final = view.final;
  if (tx === undefined || final?.status === undefined || final.status < 300) return out;
  const status = final.status;
  let spec = OUTCOMES.get(status);
  if (status === 408 && !view.ringing) spec = undefined;
  if (status === 480 && view.ringing) spec = { ...(OUTCOMES.get(408) as OutcomeSpec), title: 'Nobody answered (480 after ringing)' };
  if (spec === undefined && ELSEWHERE.has(status)) return out;
  const info = explainStatus(status, { method: 'INVITE', afterCancel: view.cancelled });
  const generatedBy = judgeGenerator(final, view.legs, status === 404 || status === 484 || status === 480 ? 'proxy' : 'unknown');
  const evidence = collectEvidence(transactionMessages(tx), ...view.legs.map(transactionMessages), ...call.cancels.map(transactionMessages));
  const timing = view.setupMs === null ? '' : ` The final answer came ${secondsText(view.setupMs)} after the INVITE.`;
  const details = {
    from: call.from ?? null,
    to: call.to ?? null,
    ringing: view.ringing,
    setupMs: view.setupMs,
    ...wordsDetails(final),
  };
  if (spec !== undefined) {
    // 480 made by a proxy (no ringing, nothing forwarded) means the callee has no registered device: a fault to fix.
    const severity = status === 480 && !view.ringing && generatedBy === 'proxy' ? 'error' : spec.severity;
    out.push({
      rule: spec.rule,
      severity,
      title: `${spec.title} (${formatStatus(final)})`,
      explanation: `The call from ${nameOf(call.from)} to ${nameOf(call.to)} ended with ${formatStatus(final)}. ${spec.say(call, final)}${timing}${quoteWords(final)}`,
      status,
      callIds: [call.callId],
      evidence,
      causes: spec.causes,
      nextSteps: spec.nextSteps,
      willNotHelp: spec.willNotHelp,
      generatedBy: status === 486 || status === 600 || status === 603 || status === 487 ? (view.legs.length > 0 || generatedBy !== 'unknown' ? generatedBy : 'far-end') : generatedBy,
      details,
    });
    return out;
  }
  const server = status >= 500 && status < 600;
  out.push({
    rule: server ? 'call.server-error' : 'call.rejected',
    severity: 'error',
    title: `Call rejected with ${formatStatus(final)}`,
    explanation:
      `The call from ${nameOf(call.from)} to ${nameOf(call.to)} was answered ${formatStatus(final)}. ${info.meaning}` +
      `${timing}${quoteWords(final)}`,
    status,
    callIds: [call.callId],
    evidence,
    causes: info.causes.length > 0 ? info.causes : ['See the reason phrase and any Warning header of the answer.'],
    nextSteps: info.checks.length > 0 ? info.checks : ['Read the log of the element that sent the answer.'],
    willNotHelp: info.willNotHelp,
    generatedBy,
    details,
  });
  return out;
}

/** A 2xx to an INVITE must be acknowledged (RFC 3261 §13.2.2.4); the UAS retransmits it until then (§13.3.1.4). */
function checkAck(call: Call, view: CallView): FindingDraft[] {
  const tx = view.main;
  const ok = view.final;
  if (tx === undefined || ok?.status === undefined || ok.status >= 300 || ok.status < 200) return [];
  if (call.acks.some((a) => a.cseq === tx.cseq)) return [];
  const byeProblem = view.bye?.final?.status === 481 || view.bye?.final?.status === 408;
  // Without retransmissions or a failed BYE, the capture may simply have missed the ACK's path.
  if (tx.responseRetransmissions === 0 && !byeProblem && view.bye === undefined) return [];
  // RFC 3261 §13.3.1.4: the UAS gives up after 64*T1 = 32 s without ACK; a BYE right then is the signature.
  const byeMsg = view.bye?.request ?? view.bye?.responses[0];
  const byeAt = byeMsg?.at;
  const afterMs = byeAt === null || byeAt === undefined || ok.at === null ? null : byeAt - ok.at;
  // The callee is the side that waits for the ACK: its BYE at 32 s is the signature. A BYE from the caller shows the
  // caller had the 200, so it most likely sent the ACK on a path the data does not cover.
  const byeFromCaller = byeMsg !== undefined && byeMsg.fromTag === call.callerTag;
  const atTimeout = afterMs !== null && afterMs >= 31_000 && afterMs <= 40_000 && !byeFromCaller;
  const strong = tx.responseRetransmissions > 0 || byeProblem || atTimeout;
  // CSeq numbers the caller skipped (RFC 3261 §12.2.1.1: +1 per request) are requests the data does not hold.
  const byeCseq = view.bye?.cseq;
  let skipped = 0;
  if (byeFromCaller && byeCseq !== undefined) {
    const seen = new Set<number>();
    for (const t of [...call.reInvites, ...call.prackOrUpdate, ...call.others, ...call.byes]) {
      const from = (t.request ?? t.responses[0])?.fromTag;
      if (from === call.callerTag && t.cseq > tx.cseq && t.cseq < byeCseq) seen.add(t.cseq);
    }
    skipped = byeCseq - tx.cseq - 1 - seen.size;
  }
  return [
    {
      rule: 'call.missing-ack',
      severity: strong ? 'error' : 'warning',
      title: 'The 200 OK was never acknowledged (no ACK)',
      explanation:
        `The call was answered (${formatStatus(ok)}) but no ACK for CSeq ${tx.cseq} is in the data` +
        `${tx.responseRetransmissions > 0 ? `; the callee retransmitted the 200 OK ${tx.responseRetransmissions} times waiting for it` : ''}` +
        `${afterMs === null ? '' : `; the call ended ${secondsText(afterMs)} after the 200 OK${atTimeout ? ', just when a callee without ACK gives up' : ''}${byeFromCaller ? ', by a BYE from the caller' : ''}`}. ` +
        (byeFromCaller && !strong
          ? 'The caller had the 200 OK (it ended the dialog the 200 created), so it most likely sent the ACK where this ' +
            `capture does not see it${skipped > 0 ? `: its CSeq went from ${tx.cseq} to ${byeCseq ?? '?'}, so ${skipped} of its requests are not in the data either` : ''}. ` +
            'If calls do drop after about 30 s, the ACK is lost on its way to the Contact of the 200 (RFC 3261 §13.3.1.4).'
          : 'Without the ACK the callee gives up after 32 s and ends the call with a BYE (RFC 3261 §13.3.1.4): the typical ' +
            '"call drops after 30 seconds". The ACK goes to the Contact of the 200 (and its Record-Route), so it is lost ' +
            'when that address is private or unreachable.'),
      status: ok.status,
      callIds: [call.callId],
      evidence: collectEvidence(transactionMessages(tx), view.bye === undefined ? [] : transactionMessages(view.bye)),
      causes: [
        'The 200 OK carries a private or wrong Contact address (NAT without SIP-aware handling, a SIP ALG rewriting).',
        'Record-Route is missing or wrong on a proxy, so the ACK takes another path.',
        'A firewall blocks the ACK\'s destination port.',
      ],
      nextSteps: ['Compare the Contact of the 200 OK with the callee\'s real address.', 'Check Record-Route on the proxies.'],
      willNotHelp: ['Codec changes: the call was answered.'],
      generatedBy: 'network',
      details: { contact: ok.contacts[0]?.uri ?? null, okRetransmissions: tx.responseRetransmissions, byeAfterMs: afterMs, byeFromCaller, skippedRequests: Math.max(0, skipped) },
    },
  ];
}

/** `Q.850 cause 16 (Normal call clearing)`, `SIP cause 200`: a Reason in a few words, for a title. */
function describeReasonShort(r: ReasonFacts): string {
  if (r.cause === undefined) return r.raw;
  const q = r.protocol.toUpperCase() === 'Q.850' ? explainQ850(r.cause) : undefined;
  return `${r.protocol} cause ${r.cause}${q === undefined ? '' : ` (${q.name})`}`;
}

/** A BYE that says why the call ended (RFC 3326 Reason). */
function checkByeReason(call: Call): FindingDraft[] {
  const out: FindingDraft[] = [];
  for (const bye of call.byes) {
    const req = bye.request;
    if (req === undefined || req.reasons.length === 0) continue;
    const q850 = req.reasons.find((r) => r.protocol.toUpperCase() === 'Q.850');
    const normal = q850 === undefined ? req.reasons.every((r) => r.cause === undefined || r.cause === 200) : q850.cause === 16 || q850.cause === 31;
    // Without the INVITE in the data the caller's tag is unknown, and so is the side that sent the BYE.
    const side = call.callerTag === undefined ? undefined : req.fromTag === call.callerTag ? 'caller' : 'callee';
    // Who sent the BYE: the device itself in its own log; a gateway when it speaks Q.850 (ISDN, RFC 3326 §2);
    // otherwise the other party as far as a log says, or unknown in a capture that has no "local" side.
    const generatedBy = req.direction === 'out' ? 'local' : q850 !== undefined ? 'gateway' : req.direction === 'in' ? 'far-end' : 'unknown';
    out.push({
      rule: 'call.bye-reason',
      severity: normal ? 'info' : 'warning',
      title: `BYE ${side === undefined ? '' : `from the ${side} `}with Reason ${req.reasons.map(describeReasonShort).join(', ')}`,
      explanation: `The call was ended by a BYE ${side === undefined ? '(the INVITE is not in the data, so which side sent it is not known)' : `from the ${side}`} that says why.${quoteWords(req)}` +
        (normal ? ' That is a normal hang-up.' : ' That is not a normal hang-up: the sender ended the call because of a failure.'),
      status: null,
      callIds: [call.callId],
      evidence: collectEvidence(transactionMessages(bye)),
      causes: normal ? ['A party hung up.'] : ['See the cause: media loss (RTP timeout), a gateway failure, or a session timer expiry are common.'],
      nextSteps: normal ? ['None needed.'] : ['Check media (RTP) in both directions and the session timers.'],
      willNotHelp: [],
      generatedBy,
      details: { ...wordsDetails(req) },
    });
  }
  return out;
}

export const callRules: Rule = {
  family: 'call',
  run(c, index = indexCorrelation(c)) {
    const out: FindingDraft[] = [];
    for (const call of c.calls) {
      const view = index.viewOf(call);
      out.push(...checkCall(call, view), ...checkAck(call, view), ...checkByeReason(call));
    }
    return out;
  },
};
