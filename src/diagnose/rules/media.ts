// Offer/answer failures (RFC 3264): 488 Not Acceptable Here, 606 Not Acceptable, 415 Unsupported Media Type, with the
// offer compared against what the other side is known to take.
import type { MediaFacts, MessageFacts, SdpFacts } from '../../correlate/facts.js';
import type { Correlation, Transaction } from '../../correlate/types.js';
import type { JsonValue } from '../../model/analysis.js';
import { explainStatus, explainWarning } from '../explain.js';
import { findFinal } from './call-groups.js';
import { indexCorrelation } from './correlation-index.js';
import type { TransactionGroup } from './call-groups.js';
import { collectEvidence, formatStatus, judgeGenerator, quoteWords, transactionMessages, wordsDetails } from './rule.js';
import type { FindingDraft, Rule } from './rule.js';

const CODES = new Set([488, 606, 415]);

/** RFC 3261 §20.43 and the IANA registry: the warn-codes about media. */
const MEDIA_WARNINGS = new Set([304, 305, 306, 307, 370]);

/**
 * Payload formats that carry no voice of their own: DTMF events (RFC 4733), comfort noise (RFC 3389), redundancy
 * (RFC 2198), FEC (RFC 5109, RFC 8627) and retransmission (RFC 4588). Having one of them in common is no agreement.
 */
const NOT_VOICE = new Set(['telephone-event', 'cn', 'red', 'ulpfec', 'flexfec', 'rtx']);

function codecNames(media: readonly MediaFacts[]): string[] {
  return [...new Set(media.flatMap((m) => m.codecs))].filter((c) => !NOT_VOICE.has(baseName(c)));
}

function audioOf(sdp: SdpFacts | undefined): MediaFacts[] {
  return sdp === undefined ? [] : sdp.media.filter((m) => m.port !== 0);
}

function baseName(codec: string): string {
  const slash = codec.indexOf('/');
  return (slash < 0 ? codec : codec.slice(0, slash)).toLowerCase();
}

/**
 * What each of `parties` is seen to take elsewhere in the data: codecs of its answers (2xx SDP) and of its own offers.
 * Only the callees of refusals without an SDP of their own are asked about: reading every SDP of every call is the
 * costly part.
 */
function learnCapabilities(c: Correlation, parties: ReadonlySet<string>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (party: string | undefined, sdp: SdpFacts | undefined): void => {
    if (party === undefined || sdp === undefined || !parties.has(party)) return;
    let set = out.get(party);
    if (set === undefined) out.set(party, (set = new Set()));
    for (const name of codecNames(audioOf(sdp))) set.add(name);
  };
  for (const call of c.calls) {
    if (!parties.has(call.to ?? '') && !parties.has(call.from ?? '')) continue;
    for (const txs of [call.invites, call.reInvites]) {
      for (const tx of txs) {
        const okSdp = tx.final?.status !== undefined && tx.final.status < 300 ? tx.final.sdp : undefined;
        add(call.to, okSdp);
        if (tx.request?.toTag === undefined) add(call.from, tx.request?.sdp);
      }
    }
  }
  return out;
}

/** The SDP of a refusal itself or of its copies on other hops (RFC 3261 §21.4.26, §21.6.4: capabilities). */
function answerSdpOf(answers: readonly (MessageFacts | undefined)[]): SdpFacts | undefined {
  return answers.find((f) => f?.sdp !== undefined)?.sdp;
}

function describeMedia(sdp: SdpFacts | undefined): string {
  const media = audioOf(sdp);
  if (media.length === 0) return 'no media (no SDP in the request)';
  return media.map((m) => `${m.type} over ${m.protocol}${m.crypto ? ' (encrypted)' : ''}: ${m.codecs.join(', ')}`).join('; ');
}

export const mediaRules: Rule = {
  family: 'media',
  run(c, index = indexCorrelation(c)) {
    /** `answers`: the refusal, then its copies on the other hops. */
    const hits: { group: TransactionGroup; tx: Transaction; others: Transaction[]; answers: (MessageFacts | undefined)[]; answerSdp: SdpFacts | undefined }[] = [];
    // The callees of refusals without an SDP of their own are the ones whose capabilities are looked up.
    const asked = new Set<string>();
    for (const group of index.groupsAnsweredWith(CODES)) {
      const hit = findFinal(group, CODES);
      if (hit === undefined) continue;
      const answers = [hit.tx.final, ...hit.others.map((o) => o.final)];
      const answerSdp = answerSdpOf(answers);
      if (answerSdp === undefined) asked.add(group.call.to ?? '');
      hits.push({ group, ...hit, answers, answerSdp });
    }
    const known = asked.size === 0 ? new Map<string, Set<string>>() : learnCapabilities(c, asked);
    const out: FindingDraft[] = [];
    for (const { group, tx, others, answers, answerSdp } of hits) {
      const final = tx.final as MessageFacts;
      const status = final.status as number;
      const call = group.call;
      const offerMsg = group.txs.find((t) => t.request?.sdp !== undefined)?.request;
      const offer = offerMsg?.sdp;
      const offered = codecNames(audioOf(offer));
      let accepted: string[] | null = null;
      let acceptedFrom = '';
      if (answerSdp !== undefined) {
        // An SDP in a 488/606 describes capabilities (RFC 3261 §21.4.26, §21.6.4): port 0 media count too.
        accepted = codecNames(answerSdp.media);
        acceptedFrom = `the SDP in the ${status} itself`;
      } else {
        const seen = known.get(call.to ?? '');
        if (seen !== undefined && seen.size > 0) {
          accepted = [...seen];
          acceptedFrom = `what ${call.to ?? 'the callee'} used elsewhere in this data`;
        }
      }
      const common =
        accepted === null ? null : offered.filter((o) => accepted.some((a) => baseName(a) === baseName(o) && !/^\d+$/.test(a)));
      const warnings = answers.flatMap((f) => f?.warnings ?? []);
      const mediaWarn = warnings.find((w) => MEDIA_WARNINGS.has(w.code));
      const offeredProtocols = [...new Set(audioOf(offer).map((m) => m.protocol))];
      const offeredTypes = [...new Set(audioOf(offer).map((m) => m.type))];
      const info = explainStatus(status, { method: tx.method });
      // What the caller offered next in the same call and the other side took (a fax falling back to G.711, a
      // second offer with more codecs): RFC 3261 §14.1, the session goes on with what was agreed.
      const later = [...call.invites, ...call.reInvites].find(
        (t) => t.cseq > tx.cseq && t.method === 'INVITE' && t.final?.status !== undefined && t.final.status >= 200 && t.final.status < 300,
      );
      const laterOffer = later?.request?.sdp === undefined ? [] : codecNames(audioOf(later.request.sdp));
      const laterAnswer = later?.final?.sdp === undefined ? [] : codecNames(audioOf(later.final.sdp));
      const reInvite = tx.method === 'INVITE' && (tx.request?.toTag !== undefined || group.call.reInvites.includes(tx));
      const fax = offeredTypes.includes('image') || offered.some((o) => baseName(o) === 't38');
      const causes: string[] = [];
      const texts = [final.reason ?? '', ...warnings.map((x) => x.text)].join(' ').toLowerCase();
      const plainOffer = offeredProtocols.length > 0 && offeredProtocols.every((p) => !p.includes('SAVP'));
      const wantsSrtp = plainOffer && (texts.includes('secure') || texts.includes('srtp') || texts.includes('crypto') || texts.includes('encrypt'));
      if (wantsSrtp) causes.push(`The other side requires encrypted media (SRTP, RTP/SAVP or DTLS) and the offer was plain ${offeredProtocols.join(', ')}: enable SRTP on the caller, or allow plain RTP on the other side.`);
      if (fax) causes.push('The other side does not take T.38 fax (m=image udptl t38): fax must fall back to G.711 pass-through, or T.38 be enabled on it.');
      if (mediaWarn?.code === 304) causes.push(`The other side does not take the media type offered (${offeredTypes.join(', ')}), e.g. video or T.38 fax (image) to an audio-only device.`);
      if (mediaWarn?.code === 305 || (!fax && common !== null && common.length === 0)) causes.push('No codec in common: the caller offers codecs the other side does not allow (e.g. G.729 only against a G.711-only trunk).');
      if (mediaWarn?.code === 306 || mediaWarn?.code === 307) causes.push('An SDP attribute or parameter the other side does not understand (an unusual fmtp, ICE or DTLS attributes).');
      if (mediaWarn?.code === 370) causes.push('Insufficient bandwidth for the media offered (a bandwidth limit on the path or the server).');
      if (offeredProtocols.some((p) => p.includes('SAVP'))) causes.push('The offer requires SRTP (RTP/SAVP); the other side may allow only plain RTP, or the reverse.');
      if (causes.length === 0) causes.push('No codec or media type in common between the offer and what the other side allows.', ...info.causes.slice(0, 2));
      if (status === 415) causes.unshift('The body type (Content-Type) is not one the other side accepts (RFC 3261 §21.4.13); its Accept header lists what it takes.');
      const details: { [key: string]: JsonValue } = {
        offeredCodecs: offered,
        acceptedCodecs: accepted,
        commonCodecs: common,
        offeredMedia: offeredTypes,
        offeredProtocols,
        warnCode: mediaWarn?.code ?? null,
        reInvite,
        srtpRequired: wantsSrtp,
        laterAccepted: later === undefined ? null : { cseq: later.cseq, offeredCodecs: laterOffer, answerCodecs: laterAnswer },
        ...wordsDetails(...answers),
      };
      const warnText = mediaWarn === undefined ? '' : ` Warn-code ${mediaWarn.code} means "${explainWarning(mediaWarn.code)?.text ?? 'unregistered'}".`;
      out.push({
        rule: status === 415 ? 'media.unsupported-body' : 'media.not-acceptable',
        // A refused re-INVITE leaves the call on its previous session (RFC 3261 §14.1): a problem, not a failed call.
        severity: reInvite ? 'warning' : 'error',
        title:
          `${formatStatus(final)}: ` +
          (fax
            ? `T.38 fax ${reInvite ? 're-INVITE ' : ''}refused`
            : wantsSrtp
              ? 'encrypted media (SRTP) required, plain RTP offered'
              : common !== null && common.length === 0 && offered.length > 0 && accepted !== null && accepted.length > 0
                ? `no codec in common: offered ${offered.join(', ')}, the other side takes ${accepted.join(', ')}${mediaWarn === undefined ? '' : ` (warn-code ${mediaWarn.code})`}`
                : mediaWarn !== undefined
                  ? `media refused (warn-code ${mediaWarn.code})`
                  : common !== null && common.length === 0
                    ? 'no codec in common'
                    : 'the session description was refused'),
        explanation:
          `The ${reInvite ? 're-INVITE' : tx.method} from ${call.from ?? '?'} to ${call.to ?? '?'} offered ` +
          `${describeMedia(offer)} and was answered ${formatStatus(final)}. ` +
          `${reInvite ? 'The other side refused the new session description, not the call.' : info.meaning}${warnText}` +
          (fax
            ? ` The offer was T.38 fax; ${accepted === null || accepted.length === 0 ? 'the data does not show what the other side takes' : `from ${acceptedFrom}, the other side is seen taking ${accepted.join(', ')}`}.`
            : accepted === null
              ? ' The data does not show which codecs the other side takes.'
              : ` From ${acceptedFrom}, the other side takes ${accepted.join(', ') || 'nothing usable'}; ` +
                (common !== null && common.length > 0 ? `in common with the offer: ${common.join(', ')}.` : 'none of them was offered.')) +
          (later === undefined
            ? reInvite
              ? ' The call itself stays up on the session agreed before (RFC 3261 §14.1).'
              : ''
            : ` The caller then offered again (CSeq ${later.cseq}${laterOffer.length > 0 ? `: ${laterOffer.join(', ')}` : ''}) and that was accepted` +
              `${laterAnswer.length > 0 ? ` with ${laterAnswer.join(', ')}` : ''}${fax ? ', so the fax went on as audio (G.711 pass-through), which is less reliable than T.38' : ''}.`) +
          quoteWords(...answers),
        status,
        callIds: [call.callId],
        evidence: collectEvidence(transactionMessages(tx), ...others.map(transactionMessages)),
        causes,
        nextSteps: fax
          ? [
              'Enable T.38 on the side that refused it (gateway, SBC or provider trunk), or set the fax device to G.711 pass-through (PCMA/PCMU, no silence suppression, no echo cancellation).',
              'Check the T.38 parameters both sides support (version, T38FaxRateManagement, T38FaxMaxDatagram, error correction).',
            ]
          : [
              accepted !== null && accepted.length > 0
                ? `Allow one of ${accepted.join(', ')} on the caller (or the caller's codecs on the callee).`
                : 'Compare the codec lists of both sides and allow at least one common codec (G.711 PCMU/PCMA is the usual common ground).',
              'Check SRTP settings match (both RTP/AVP or both RTP/SAVP), and fax (T.38) settings.',
            ],
        willNotHelp: ['Credentials, registration or NAT changes: the call reached the other side, which refused the media.'],
        generatedBy: judgeGenerator(final, others, 'far-end'),
        details,
      });
    }
    return out;
  },
};
