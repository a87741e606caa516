// Registration, RFC 3261 §10: what the registrar answered and what it means for the account.
import type { MessageFacts } from '../../correlate/facts.js';
import type { Registration, Transaction } from '../../correlate/types.js';
import { explainStatus } from '../explain.js';
import { TRANSACTION_TIMEOUT_MS } from './reachability.js';
import { collectEvidence, formatStatus, quoteWords, secondsText, transactionMessages, wordsDetails } from './rule.js';
import type { FindingDraft, Rule } from './rule.js';

/** RFC 3261 §10.2.1.1: the interval a REGISTER asks for: the Contact's expires parameter, else the Expires header. */
export function requestedExpires(req: MessageFacts | undefined): number | undefined {
  if (req === undefined) return undefined;
  return req.contacts[0]?.expires ?? req.expires;
}

/** RFC 3261 §10.2.4: the interval granted: the expires of our binding in the 200, else its Expires header. */
export function grantedExpires(tx: Transaction): number | undefined {
  const ok = tx.final;
  if (ok?.status === undefined || ok.status < 200 || ok.status >= 300) return undefined;
  const ours = tx.request?.contacts[0]?.uri;
  const match = ok.contacts.find((c) => c.uri === ours) ?? (ok.contacts.length === 1 ? ok.contacts[0] : undefined);
  return match?.expires ?? ok.expires ?? requestedExpires(tx.request);
}

/** `09:31:44` (UTC), for a sentence. */
function clockOf(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/** Longer gaps between two REGISTERs of one device are taken for a clock change (devices boot at 1970). */
const MAX_PLAUSIBLE_GAP_MS = 7 * 24 * 3600 * 1000;

function isSuccess(tx: Transaction): boolean {
  const s = tx.final?.status;
  return s !== undefined && s >= 200 && s < 300;
}

function hasCredentials(tx: Transaction): boolean {
  return tx.request?.credentials.some((c) => c.hasResponse) === true;
}

function checkRegistration(reg: Registration): FindingDraft[] {
  const out: FindingDraft[] = [];
  const txs = reg.transactions;
  const aor = reg.aor;

  // 423 Interval Too Brief, RFC 3261 §10.2.8 / §21.4.17: the registrar's minimum is in Min-Expires.
  const brief = txs.filter((t) => t.final?.status === 423);
  if (brief.length > 0) {
    const tx = brief[brief.length - 1] as Transaction;
    const final = tx.final as MessageFacts;
    const asked = requestedExpires(tx.request);
    const later = txs.slice(txs.indexOf(tx) + 1);
    const fixedBy = later.find(isSuccess);
    const fixed = fixedBy !== undefined;
    const retried = later.find((t) => t.request !== undefined);
    const retriedExpires = requestedExpires(retried?.request);
    // A compliant client retries at once with the interval the registrar asked for (RFC 3261 §10.2.8); a success
    // much later is the device being reconfigured or restarted, with the account unregistered in between.
    const fixedAfterMs = fixedBy?.final?.at === undefined || fixedBy.final.at === null || final.at === null ? null : fixedBy.final.at - final.at;
    const prompt = fixedAfterMs !== null && fixedAfterMs <= TRANSACTION_TIMEOUT_MS;
    const info = explainStatus(423, { method: 'REGISTER' });
    // RFC 3261 §10.3: a refused REGISTER leaves the bindings as they were; an earlier grant runs on until it expires.
    const before = txs.slice(0, txs.indexOf(tx)).filter(isSuccess);
    const lastOk = before[before.length - 1];
    const lastGrant = lastOk === undefined ? undefined : grantedExpires(lastOk);
    const runsUntil = lastOk?.final?.time === undefined || lastOk.final.time === null || lastGrant === undefined ? null : lastOk.final.time + lastGrant * 1000;
    const stillBound =
      runsUntil !== null && final.time !== null && runsUntil > final.time && !fixed
        ? ` The binding granted at ${clockOf(lastOk?.final?.time ?? 0)} for ${lastGrant ?? '?'} s still runs until ${clockOf(runsUntil)}; after that calls to ${aor} no longer reach the device.`
        : '';
    out.push({
      rule: 'register.interval-too-brief',
      severity: fixed ? 'warning' : 'error',
      title: `423 Interval Too Brief: the registrar wants at least ${final.minExpires ?? '?'} s, the device asked for ${asked ?? '?'} s`,
      explanation:
        `${aor} asked to be registered for ${asked ?? 'an unstated number of'} seconds and the registrar answered ` +
        `${formatStatus(final)} with Min-Expires: ${final.minExpires ?? '(missing)'}. The registrar keeps no binding shorter ` +
        `than that; the client must retry with an expiry of at least Min-Expires (RFC 3261 §10.2.8). ` +
        (fixed && (prompt || fixedAfterMs === null)
          ? 'The client did so and was registered.'
          : fixed
            ? `The client did not retry with a longer interval at once; it was registered only ${secondsText(fixedAfterMs ?? 0)} later` +
              `${requestedExpires(fixedBy.request) === undefined ? '' : `, asking ${requestedExpires(fixedBy.request)} s`}, and had no registration until then.`
            : retriedExpires !== undefined
            ? `The client retried with ${retriedExpires} s and still did not succeed.`
            : 'The client never retried with a longer interval.') +
        `${stillBound} ${info.meaning}${quoteWords(final)}`,
      status: 423,
      callIds: [tx.callId],
      evidence: collectEvidence(transactionMessages(tx), retried === undefined ? [] : transactionMessages(retried)),
      causes: [
        `The registration interval configured on the device (${asked ?? '?'} s) is below the server's minimum (${final.minExpires ?? '?'} s).`,
        'The device ignores Min-Expires and keeps asking for its own interval.',
      ],
      nextSteps: [`Set the registration expiry on the device to ${final.minExpires ?? 'the Min-Expires value'} s or more.`],
      willNotHelp: ['Changing the password: authentication is not the problem.', 'Network changes: the registrar answered.'],
      generatedBy: 'registrar',
      details: { minExpires: final.minExpires ?? null, expiresRequested: asked ?? null, bindingUntil: stillBound === '' || runsUntil === null ? null : new Date(runsUntil).toISOString(), ...wordsDetails(final) },
    });
  }

  // Granted shorter than asked, RFC 3261 §10.2.4: the registrar may shorten, never lengthen.
  const shortened = txs.filter((t) => {
    const g = grantedExpires(t);
    const a = requestedExpires(t.request);
    return g !== undefined && a !== undefined && a > 0 && g > 0 && g < a;
  });
  if (shortened.length > 0) {
    const tx = shortened[shortened.length - 1] as Transaction;
    const g = grantedExpires(tx) as number;
    const a = requestedExpires(tx.request) as number;
    out.push({
      rule: 'register.expiry-shortened',
      severity: g < 60 ? 'warning' : 'info',
      title: `Registration granted for ${g} s, shorter than the ${a} s asked`,
      explanation:
        `The registrar accepted ${aor} but granted ${g} seconds instead of the ${a} asked. A registrar may shorten the ` +
        `interval (RFC 3261 §10.3 step 7); the client must refresh before the granted time runs out, not its own.` +
        (g < 60 ? ' So short an interval usually means NAT keepalive by re-registration, with heavy signalling.' : ''),
      status: tx.final?.status ?? null,
      callIds: [tx.callId],
      evidence: collectEvidence(transactionMessages(tx)),
      causes: ['The registrar caps the interval (a maximum expiry, or NAT keepalive policy).'],
      nextSteps: ['Check that the device refreshes within the granted interval (see the refresh findings).'],
      willNotHelp: ['Raising the expiry on the device: the registrar decides.'],
      generatedBy: 'registrar',
      details: { expiresRequested: a, expiresGranted: g },
    });
  }

  // Refresh too late: the next REGISTER came after the granted binding had expired.
  const successes = txs.filter((t) => isSuccess(t) && (grantedExpires(t) ?? 0) > 0);
  const late: { tx: Transaction; next: Transaction; gapMs: number; granted: number }[] = [];
  for (const tx of successes) {
    const granted = grantedExpires(tx) as number;
    const at = tx.final?.at;
    if (at === null || at === undefined) continue;
    const next = txs.slice(txs.indexOf(tx) + 1).find((t) => t.request !== undefined && t.request.at !== null);
    if (next?.request?.at === undefined || next.request.at === null) continue;
    // A removal (expires 0) is not a refresh; a gap of days is a device clock being set, not a late refresh.
    if (requestedExpires(next.request) === 0) continue;
    const gapMs = next.request.at - at;
    if (gapMs > granted * 1000 && gapMs < MAX_PLAUSIBLE_GAP_MS) late.push({ tx, next, gapMs, granted });
  }
  if (late.length > 0) {
    const worst = late.reduce((a, b) => (b.gapMs - b.granted * 1000 > a.gapMs - a.granted * 1000 ? b : a));
    out.push({
      rule: 'register.refresh-late',
      severity: 'warning',
      title: `Registration refreshed too late: ${secondsText(worst.gapMs)} after a ${worst.granted} s grant`,
      explanation:
        `${aor} was registered for ${worst.granted} s but the next REGISTER came ${secondsText(worst.gapMs)} later` +
        `${late.length > 1 ? ` (${late.length} times)` : ''}, so the binding had expired in between and calls to ` +
        `this account could not be delivered (RFC 3261 §10.2.4: refresh before the granted interval ends).`,
      status: null,
      callIds: [worst.tx.callId],
      evidence: collectEvidence(transactionMessages(worst.tx), worst.next.requestCopies),
      causes: [
        'The device refreshes on its own configured interval, ignoring the shorter one granted.',
        'Refreshes were sent but lost (look for unanswered REGISTERs in between).',
        'The device was offline or restarting.',
      ],
      nextSteps: ['Make the device refresh before the granted expiry (most refresh at about half of it).'],
      willNotHelp: ['Changing credentials.'],
      generatedBy: 'local',
      details: { gapSeconds: Math.round(worst.gapMs / 1000), expiresGranted: worst.granted, times: late.length },
    });
  }

  // 403/404 without credentials: the registrar refuses the address of record itself.
  for (const code of [403, 404] as const) {
    // 403 after credentials is the authentication family's (auth.forbidden-after-credentials); 404 is the same
    // answer with or without them: the address of record is unknown (RFC 3261 §10.3 step 3).
    const hits = txs.filter((t) => t.final?.status === code && (code === 404 || !hasCredentials(t)));
    if (hits.length === 0) continue;
    const tx = hits[hits.length - 1] as Transaction;
    const final = tx.final as MessageFacts;
    const info = explainStatus(code, { method: 'REGISTER' });
    out.push({
      rule: code === 403 ? 'register.forbidden' : 'register.not-found',
      severity: 'error',
      title: `${formatStatus(final)} to REGISTER for ${aor}`,
      explanation:
        (code === 403
          ? `The registrar refused to register ${aor} without asking for credentials: it will not serve this account or ` +
            `this client at all (RFC 3261 §21.4.4). `
          : `The registrar does not know ${aor}: the user or the domain is not one it serves (RFC 3261 §21.4.5, ` +
            `§10.3 step 3). `) +
        `${info.meaning}${quoteWords(final)}`,
      status: code,
      callIds: [tx.callId],
      evidence: collectEvidence(transactionMessages(tx)),
      causes:
        code === 403
          ? [
              'The account is disabled or blocked on the server.',
              'The server accepts registrations only from known IP addresses (an IP allow-list or trunk with IP authentication).',
              'The domain in the To/From header is not served by this registrar.',
            ]
          : [
              'The user part (extension) does not exist on the registrar.',
              'The domain in the address of record is wrong (the SIP domain differs from the server address).',
            ],
      nextSteps:
        code === 403
          ? ['Check that the account is enabled and allowed from this address.', 'Check the SIP domain configured on the device.']
          : ['Check the user name and the SIP domain configured on the device against the server.'],
      willNotHelp: ['Retrying: the answer will stay the same.', 'Network changes: the registrar answered.'],
      generatedBy: 'registrar',
      details: { aor, ...wordsDetails(final) },
    });
  }

  // A proxy, not the registrar, challenged the REGISTER (RFC 3261 §22.3).
  const proxyChallenged = txs.find((t) => t.final?.status === 407);
  if (proxyChallenged !== undefined) {
    out.push({
      rule: 'register.proxy-challenge',
      severity: 'info',
      title: '407 on REGISTER: a proxy between the device and the registrar asks for credentials',
      explanation:
        `The REGISTER for ${aor} was answered 407 Proxy Authentication Required: a proxy on the way (an outbound ` +
        `proxy or SBC) wants credentials before forwarding it, which is normal when the first request is challenged ` +
        `and answered (RFC 3261 §22.3). The authentication findings say whether the answer was accepted.`,
      status: 407,
      callIds: [proxyChallenged.callId],
      evidence: collectEvidence(transactionMessages(proxyChallenged)),
      causes: ['An outbound proxy or SBC authenticates requests itself.'],
      nextSteps: ['Make sure the device has credentials for the proxy realm.'],
      willNotHelp: [],
      generatedBy: 'proxy',
      details: { realm: proxyChallenged.final?.challenges[0]?.realm ?? null },
    });
  }

  // Flapping: registered, then refused, then registered again (counted over the whole history as it came).
  const switches = reg.switches;
  if (switches >= 3) {
    out.push({
      rule: 'register.flapping',
      severity: 'warning',
      title: `Registration flapping: ${switches} changes between registered and refused`,
      explanation: `${aor} went between registered and refused ${switches} times in the data.`,
      status: null,
      callIds: [...reg.callIds],
      evidence: collectEvidence(txs.flatMap((t) => (t.final === undefined ? [] : [t.final.index]))),
      causes: ['Two devices register the same account with different credentials or contacts.', 'An unstable path or a failing server in a pool.'],
      nextSteps: ['Look at the Contact and source address of each REGISTER: is it one device?'],
      willNotHelp: [],
      generatedBy: 'unknown',
      details: { changes: switches },
    });
  }
  return out;
}

/** Whether a registration ever got a 2xx. */
export function everRegistered(reg: Registration): boolean {
  return reg.droppedSuccesses > 0 || reg.transactions.some(isSuccess);
}

export const registerRules: Rule = {
  family: 'register',
  run(c) {
    return c.registrations.flatMap(checkRegistration);
  },
};
