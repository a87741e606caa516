// Digest authentication, RFC 3261 §22 and RFC 7616: the first 401/407 is the normal start; what follows tells whether
// the credentials were right.
import type { ChallengeFacts, CredentialFacts, MessageFacts } from '../../correlate/facts.js';
import type { Correlation, Transaction } from '../../correlate/types.js';
import type { Generator } from '../../model/analysis.js';
import { explainStatus } from '../explain.js';
import { collectEvidence, formatStatus, quoteWords, transactionMessages, wordsDetails } from './rule.js';
import type { FindingDraft, Rule } from './rule.js';

/** A 401 or 407. The guard says so in the type, so that a message that is not one keeps its type. */
function isChallenge(f: MessageFacts | undefined): f is MessageFacts & { readonly status: 401 | 407 } {
  return f?.status === 401 || f?.status === 407;
}

function sentCredentials(f: MessageFacts | undefined): CredentialFacts[] {
  return f === undefined ? [] : f.credentials.filter((c) => c.hasResponse);
}

function challengesOf(f: MessageFacts): ChallengeFacts[] {
  // RFC 3261 §22.2, §22.3: 401 carries WWW-Authenticate (a UAS or registrar), 407 Proxy-Authenticate (a proxy).
  const header = f.status === 407 ? 'Proxy-Authenticate' : 'WWW-Authenticate';
  const own = f.challenges.filter((c) => c.header === header);
  return own.length > 0 ? own : [...f.challenges];
}

function realmsText(chs: readonly ChallengeFacts[]): string {
  const realms = [...new Set(chs.map((c) => c.realm).filter((r): r is string => r !== undefined))];
  return realms.length === 0 ? 'no realm' : realms.map((r) => `"${r}"`).join(', ');
}

function challengerOf(status: number | undefined, method: string): Generator {
  if (status === 407) return 'proxy';
  return method === 'REGISTER' ? 'registrar' : 'far-end';
}

/**
 * The requests one client sent in order (authentication retries of one registration or one call's first leg), of
 * those with an answer that can start a finding: a challenge, or a 403 (to credentials). The others, most calls, have
 * nothing to tell here.
 */
function chainsOf(c: Correlation): Transaction[][] {
  const chains: Transaction[][] = [];
  for (const reg of c.registrations) if (hasAuthAnswer(reg.transactions)) chains.push(reg.transactions);
  for (const call of c.calls) {
    const first = call.invites[0];
    if (first === undefined || !hasAuthAnswer(call.invites)) continue;
    const chain = call.invites.filter((t) => t.leg === first.leg);
    if (hasAuthAnswer(chain)) chains.push(chain);
  }
  return chains;
}

function hasAuthAnswer(txs: readonly Transaction[]): boolean {
  return txs.some((t) => {
    const s = t.final?.status;
    return s === 401 || s === 407 || s === 403;
  });
}

function analyzeChain(chain: readonly Transaction[], lastAt: number | null): FindingDraft[] {
  const out: FindingDraft[] = [];
  const wrong: { challenge: Transaction; retry: Transaction }[] = [];
  const realmMismatch: { challenge: Transaction; retry: Transaction }[] = [];
  const stale: Transaction[] = [];
  const forbidden: Transaction[] = [];
  let firstChallenge: Transaction | undefined;
  let lastChallenge: Transaction | undefined;
  let anyCredentials = false;
  let retriesWithout = 0;
  for (const tx of chain) {
    const creds = sentCredentials(tx.request);
    if (creds.length > 0) anyCredentials = true;
    else if (lastChallenge !== undefined && tx.request !== undefined) retriesWithout++;
    if (lastChallenge?.final !== undefined && creds.length > 0) {
      const asked = challengesOf(lastChallenge.final);
      const askedRealms = new Set(asked.map((a) => a.realm));
      // RFC 3261 §22.4: credentials answer a challenge of the same realm; any other realm answers nothing.
      if (asked.length > 0 && !creds.some((cr) => askedRealms.has(cr.realm))) realmMismatch.push({ challenge: lastChallenge, retry: tx });
      else if (isChallenge(tx.final)) {
        const again = challengesOf(tx.final);
        if (again.some((ch) => ch.stale)) stale.push(tx);
        else wrong.push({ challenge: lastChallenge, retry: tx });
      }
    } else if (creds.length > 0 && isChallenge(tx.final) && !challengesOf(tx.final).some((ch) => ch.stale)) {
      // Credentials sent without a challenge in the data (a cached nonce) and challenged again: only a hint, the
      // nonce may simply have expired, so these count as one challenge, not as a refusal.
    }
    if (tx.final?.status === 403 && creds.length > 0) forbidden.push(tx);
    if (isChallenge(tx.final)) {
      firstChallenge ??= tx;
      lastChallenge = tx;
    } else if (tx.final !== undefined) lastChallenge = undefined;
  }

  const method = chain[0]?.method ?? 'REGISTER';
  if (wrong.length > 0) {
    const last = wrong[wrong.length - 1] as { challenge: Transaction; retry: Transaction };
    const retryReq = last.retry.request as MessageFacts;
    const final = last.retry.final as MessageFacts;
    const cred = sentCredentials(retryReq)[0];
    const info = explainStatus(final.status ?? 401, { method, challengeNumber: 2 });
    out.push({
      rule: 'auth.wrong-credentials',
      severity: 'error',
      title: `Credentials refused: challenged again after answering (${formatStatus(final)} to an authenticated ${method})`,
      explanation:
        `The ${method} was challenged (${formatStatus(last.challenge.final as MessageFacts)}), the client answered with ` +
        `credentials for user "${cred?.username ?? '?'}" in realm "${cred?.realm ?? '?'}", and the server challenged ` +
        `again without stale=true${wrong.length > 1 ? ` (${wrong.length} times)` : ''}. A second challenge to a request ` +
        `that answered the first one means the server did not accept the digest: the password, or the user name ` +
        `(authentication ID), is wrong for this realm (RFC 3261 §22.2). ${info.meaning}`,
      status: final.status ?? null,
      callIds: [last.retry.callId],
      evidence: collectEvidence(...wrong.flatMap((w) => [transactionMessages(w.challenge), transactionMessages(w.retry)])),
      causes: [
        'The password configured on the device is wrong (typo, changed on the server, old provisioning).',
        'The authentication user name differs from the one the server expects (auth ID versus extension number).',
        'The account does not exist on the server, which answers unknown users with a fresh challenge too.',
        'The realm or domain configured on the device points to another account database.',
      ],
      nextSteps: [
        `Re-enter the password for "${cred?.username ?? 'the account'}" and check the authentication user name.`,
        'Check on the server that the account exists and is enabled, and read its authentication log.',
      ],
      willNotHelp: ['Changing codecs, ports or NAT settings: the server answered, it refused the credentials.', 'Rebooting the device.'],
      generatedBy: challengerOf(final.status, method),
      details: {
        username: cred?.username ?? null,
        realm: cred?.realm ?? null,
        challengeRealm: challengesOf(final)[0]?.realm ?? null,
        attempts: wrong.length,
        ...wordsDetails(final),
      },
    });
  }
  if (realmMismatch.length > 0) {
    const m = realmMismatch[0] as { challenge: Transaction; retry: Transaction };
    const asked = challengesOf(m.challenge.final as MessageFacts);
    const sent = sentCredentials(m.retry.request);
    out.push({
      rule: 'auth.realm-not-answered',
      severity: 'error',
      title: `The client never answers realm ${realmsText(asked)}`,
      explanation:
        `The server asked for credentials in realm ${realmsText(asked)}, but the client answered with credentials for ` +
        `realm ${sent.map((s) => `"${s.realm ?? ''}"`).join(', ')}. Credentials count only for the realm that asked ` +
        `(RFC 3261 §22.1, §22.4), so the server can never accept them.`,
      status: m.challenge.final?.status ?? null,
      callIds: [m.challenge.callId],
      evidence: collectEvidence(transactionMessages(m.challenge), transactionMessages(m.retry)),
      causes: [
        'The device has credentials configured for another realm or domain (a second account, an old provider).',
        'A proxy in front of the registrar adds its own challenge (407) that the device has no credentials for.',
      ],
      nextSteps: [`Configure credentials for realm ${realmsText(asked)} (or leave the realm empty so any realm is answered).`],
      willNotHelp: ['Re-typing the password of the other realm.'],
      generatedBy: challengerOf(m.challenge.final?.status, method),
      details: { challengeRealms: asked.map((a) => a.realm ?? null), answeredRealms: sent.map((s) => s.realm ?? null) },
    });
  }
  if (stale.length > 0) {
    const tx = stale[0] as Transaction;
    out.push({
      rule: 'auth.stale-nonce',
      severity: 'info',
      title: 'Nonce expired (stale=true): a normal new challenge',
      explanation:
        `The server challenged an authenticated ${method} with stale=true: the credentials were right but the nonce ` +
        `had expired, so the client should simply answer the new nonce without asking the user (RFC 7616 §3.3, ` +
        `RFC 3261 §22.4). This is normal.`,
      status: tx.final?.status ?? null,
      callIds: [tx.callId],
      evidence: collectEvidence(transactionMessages(tx)),
      causes: ['The server rotates nonces; the client reused an old one.'],
      nextSteps: ['Nothing, unless the next request is refused as well.'],
      willNotHelp: ['Changing the password.'],
      generatedBy: challengerOf(tx.final?.status, method),
      details: { times: stale.length },
    });
  }
  if (forbidden.length > 0) {
    const tx = forbidden[forbidden.length - 1] as Transaction;
    const final = tx.final as MessageFacts;
    const cred = sentCredentials(tx.request)[0];
    const info = explainStatus(403, { method });
    out.push({
      rule: 'auth.forbidden-after-credentials',
      severity: 'error',
      title: `403 Forbidden after credentials were sent (${method})`,
      explanation:
        `The ${method} carried credentials for user "${cred?.username ?? '?'}" and the server answered ` +
        `${formatStatus(final)}. It knows who is asking and refuses: the account is blocked, disabled, not allowed ` +
        `from this address, or the authentication user does not match the address of record (RFC 3261 §21.4.4). ` +
        `Retrying with the same credentials will not change the answer. ${info.meaning}${quoteWords(final)}`,
      status: 403,
      callIds: [tx.callId],
      evidence: collectEvidence(transactionMessages(tx)),
      causes: [
        'The account is disabled, blocked or suspended on the server (unpaid, locked after failed attempts).',
        'The authentication user is not allowed to register or call as this address of record (From/To user mismatch).',
        'The server allows this account only from certain IP addresses or user agents.',
        'The password is wrong on a server that answers a wrong password with 403 instead of a new challenge.',
      ],
      nextSteps: [
        'Check on the server whether the account is enabled and what its log says for this request.',
        'Check that the user name, authentication ID and domain belong to the same account.',
      ],
      willNotHelp: ['Retrying or rebooting: the server refused a request it could authenticate.'],
      generatedBy: method === 'REGISTER' ? 'registrar' : 'proxy',
      details: { username: cred?.username ?? null, realm: cred?.realm ?? null, ...wordsDetails(final) },
    });
  }
  // Only the client's own requests can show it never answered: a capture holding the challenges alone proves nothing.
  if (firstChallenge !== undefined && !anyCredentials && chain.some((t) => t.request !== undefined)) {
    const final = firstChallenge.final as MessageFacts;
    const asked = challengesOf(final);
    const gaveUp = retriesWithout === 0;
    const last = chain[chain.length - 1];
    const dataEnds = gaveUp && (lastAt === null || final.at === null || lastAt - final.at < 2000) && last === firstChallenge;
    out.push({
      rule: 'auth.credentials-never-sent',
      // The data ending just after the challenge may be a short capture, not a client that gave up.
      severity: dataEnds ? 'info' : gaveUp ? 'warning' : 'error',
      title: dataEnds
        ? `Challenged (${formatStatus(final)}); the data ends before the client answered`
        : `Challenged (${formatStatus(final)}) but credentials were never sent`,
      explanation:
        `The ${method} was challenged for realm ${realmsText(asked)} (${asked[0]?.scheme ?? 'Digest'}` +
        `${asked[0]?.algorithm === undefined ? '' : `, algorithm ${asked[0].algorithm}`}) and no later request in the data ` +
        `carries an Authorization or Proxy-Authorization answer` +
        (gaveUp
          ? '. The client gave up (or the data ends here).'
          : `: the client sent ${retriesWithout} more request(s) without credentials.`) +
        ' A client with credentials for this realm answers at once (RFC 3261 §22.2).',
      status: final.status ?? null,
      callIds: [firstChallenge.callId],
      evidence: collectEvidence(transactionMessages(firstChallenge), ...chain.slice(chain.indexOf(firstChallenge) + 1).map(transactionMessages)),
      causes: [
        'No user name or password is configured on the device for this account.',
        'The device does not support the algorithm or qop the server asked for (e.g. SHA-256 only, RFC 8760).',
        'The challenge came from a proxy (407) that the device has no credentials for.',
      ],
      nextSteps: ['Configure the authentication user name and password.', 'Compare the challenge algorithm with what the device supports.'],
      willNotHelp: ['Network changes: the server is reachable and answering.'],
      generatedBy: challengerOf(final.status, method),
      details: { challengeRealms: asked.map((a) => a.realm ?? null), algorithm: asked[0]?.algorithm ?? null },
    });
  }
  return out;
}

export const authRules: Rule = {
  family: 'auth',
  run(c) {
    const out: FindingDraft[] = [];
    for (const chain of chainsOf(c)) out.push(...analyzeChain(chain, c.lastAt));
    return out;
  },
};
