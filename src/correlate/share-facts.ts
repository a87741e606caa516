// Equal values of two messages made one. A message kept for long (a call in progress, an account's last REGISTERs)
// holds its own copies of strings and lists that an earlier message of the same call or account holds too; here a
// later message takes the earlier one's where they are equal. Only identity changes: every value reads the same.
import type { Mutable } from '../parse/parse-uri.js';
import type { ChallengeFacts, ContactFacts, CredentialFacts, MessageFacts, ViaFacts } from './facts.js';

/** The earlier message's `a` (or `b`) when it is equal to `v`, else `v`. */
function pick<T extends string | undefined>(v: T, a: T, b?: T): T {
  return v === a ? a : b !== undefined && v === b ? b : v;
}

/**
 * Each item of `list` that equals the item at its position in `like` replaced by that one (its strings shared in
 * place when only some fields are equal); `like` itself when every item is. Positions count from the end when `list`
 * is the longer one.
 */
function shareList<T>(list: readonly T[], like: readonly T[], one: (item: T, other: T) => T): readonly T[] {
  if (list.length === 0 || like.length === 0 || list === like) return list;
  const items = list as T[];
  // A longer list is compared from its end: a proxy puts its own Via on top of the ones it received.
  const skip = items.length > like.length ? items.length - like.length : 0;
  let all = skip === 0 && items.length === like.length;
  for (let i = 0; i + skip < items.length && i < like.length; i++) {
    const item = one(items[i + skip] as T, like[i] as T);
    if (item !== like[i]) all = false;
    items[i + skip] = item;
  }
  return all ? like : items;
}

function shareVia(v: ViaFacts, w: ViaFacts): ViaFacts {
  if (v.transport === w.transport && v.host === w.host && v.port === w.port && v.branch === w.branch && v.received === w.received && v.rport === w.rport) return w;
  const x = v as Mutable<ViaFacts>;
  if (x.transport === w.transport) x.transport = w.transport;
  if (x.host === w.host) x.host = w.host;
  x.received = pick(x.received, w.received);
  return v;
}

function shareContact(c: ContactFacts, w: ContactFacts): ContactFacts {
  if (c.uri === w.uri && c.host === w.host && c.port === w.port && c.expires === w.expires && c.star === w.star) return w;
  const x = c as Mutable<ContactFacts>;
  if (x.uri === w.uri) x.uri = w.uri;
  x.host = pick(x.host, w.host);
  return c;
}

/**
 * `w` when every field of `fields` is equal in both, else `c` with the `strings` among them that are equal taken from
 * `w`. For the items of the few messages that carry them (challenges, credentials); the Via and Contact items of
 * every message have code of their own, without keyed reads.
 */
function shareItem<T extends object>(c: T, w: T, fields: readonly (keyof T)[], strings: readonly (keyof T)[]): T {
  if (fields.every((k) => c[k] === w[k])) return w;
  const x = c as Mutable<T>;
  for (const k of strings) if (x[k] === w[k]) x[k] = w[k];
  return c;
}

const CHALLENGE_FIELDS: readonly (keyof ChallengeFacts)[] = ['header', 'scheme', 'realm', 'nonce', 'stale', 'algorithm'];
const CHALLENGE_STRINGS: readonly (keyof ChallengeFacts)[] = ['scheme', 'realm', 'algorithm'];
const CREDENTIAL_FIELDS: readonly (keyof CredentialFacts)[] = ['header', 'scheme', 'username', 'realm', 'nonce', 'hasResponse'];
const CREDENTIAL_STRINGS: readonly (keyof CredentialFacts)[] = ['scheme', 'username', 'realm', 'nonce'];

const shareChallenge = (c: ChallengeFacts, w: ChallengeFacts): ChallengeFacts => shareItem(c, w, CHALLENGE_FIELDS, CHALLENGE_STRINGS);
const shareCredential = (c: CredentialFacts, w: CredentialFacts): CredentialFacts => shareItem(c, w, CREDENTIAL_FIELDS, CREDENTIAL_STRINGS);

/**
 * Makes a message's strings and lists the very ones of an earlier message `like` (of its call, or of its account)
 * where they are equal: Call-ID, URIs, tags, source, method, Request-URI, reason phrase, addresses, transport,
 * User-Agent, and the Via, Contact, challenge and credential items. A response's addresses and a callee's request's
 * parties are compared the other way round too.
 */
export function shareAll(facts: MessageFacts, like: MessageFacts): void {
  const f = facts as Mutable<MessageFacts>;
  f.callId = pick(f.callId, like.callId);
  f.source = pick(f.source, like.source);
  f.fromUri = pick(f.fromUri, like.fromUri, like.toUri);
  f.toUri = pick(f.toUri, like.toUri, like.fromUri);
  f.fromTag = pick(f.fromTag, like.fromTag, like.toTag);
  f.toTag = pick(f.toTag, like.toTag, like.fromTag);
  f.method = pick(f.method, like.method);
  f.cseqMethod = pick(f.cseqMethod, like.cseqMethod);
  f.requestUri = pick(f.requestUri, like.requestUri);
  f.reason = pick(f.reason, like.reason);
  f.src = pick(f.src, like.src, like.dst);
  f.dst = pick(f.dst, like.dst, like.src);
  f.transport = pick(f.transport, like.transport);
  f.agent = pick(f.agent, like.agent);
  f.via = shareList(f.via, like.via, shareVia);
  f.contacts = shareList(f.contacts, like.contacts, shareContact);
  f.challenges = shareList(f.challenges, like.challenges, shareChallenge);
  f.credentials = shareList(f.credentials, like.credentials, shareCredential);
}
