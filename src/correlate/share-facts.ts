// Equal values of two messages made one. A message kept for long (a call in progress, an account's last REGISTERs)
// holds its own copies of strings and lists that an earlier message of the same call or account holds too; here a
// later message takes the earlier one's where they are equal. Only identity changes: every value reads the same.
import type { ChallengeFacts, ContactFacts, CredentialFacts, MessageFacts, ViaFacts } from './facts.js';

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Of `v`, `a` and `b`, the earlier message's string when it is equal to `v`. */
function pick(v: string | undefined, a: string | undefined, b: string | undefined): string | undefined {
  return v === a ? a : v === b ? b : v;
}

/**
 * Makes a message's Call-ID, URIs, tags and source the very strings of an earlier message of its transaction or call
 * where they are equal.
 */
export function share(facts: MessageFacts, like: MessageFacts): void {
  const f = facts as Writable<MessageFacts>;
  if (f.callId === like.callId) f.callId = like.callId;
  // A request the callee sends (a BYE) names the parties the other way round.
  f.fromUri = pick(f.fromUri, like.fromUri, like.toUri);
  f.toUri = pick(f.toUri, like.toUri, like.fromUri);
  f.fromTag = pick(f.fromTag, like.fromTag, like.toTag);
  f.toTag = pick(f.toTag, like.toTag, like.fromTag);
  if (f.source === like.source) f.source = like.source;
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
  const x = v as Writable<ViaFacts>;
  if (x.transport === w.transport) x.transport = w.transport;
  if (x.host === w.host) x.host = w.host;
  x.received = pick(x.received, w.received, undefined);
  return v;
}

function shareContact(c: ContactFacts, w: ContactFacts): ContactFacts {
  if (c.uri === w.uri && c.host === w.host && c.port === w.port && c.expires === w.expires && c.star === w.star) return w;
  const x = c as Writable<ContactFacts>;
  if (x.uri === w.uri) x.uri = w.uri;
  x.host = pick(x.host, w.host, undefined);
  return c;
}

/**
 * `w` when every field of `fields` is equal in both, else `c` with the `strings` among them that are equal taken from
 * `w`. For the items of the few messages that carry them (challenges, credentials); the Via and Contact items of
 * every message have code of their own, without keyed reads.
 */
function shareItem<T extends object>(c: T, w: T, fields: readonly (keyof T)[], strings: readonly (keyof T)[]): T {
  if (fields.every((k) => c[k] === w[k])) return w;
  const x = c as { -readonly [K in keyof T]: T[K] };
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
 * share, and also the Request-URI, addresses (a response's source is its request's destination), transport, reason
 * phrase, User-Agent, and the Via, Contact, challenge and credential lists, item by item. For messages kept for the
 * whole input: an account's last REGISTER transactions (docs/PERFORMANCE.md, "Equal values of an account's REGISTERs
 * kept once").
 */
export function shareAll(facts: MessageFacts, like: MessageFacts): void {
  share(facts, like);
  const f = facts as Writable<MessageFacts>;
  f.method = pick(f.method, like.method, undefined) as string;
  f.cseqMethod = pick(f.cseqMethod, like.cseqMethod, undefined) as string;
  f.requestUri = pick(f.requestUri, like.requestUri, undefined);
  f.reason = pick(f.reason, like.reason, undefined);
  f.src = pick(f.src, like.src, like.dst);
  f.dst = pick(f.dst, like.dst, like.src);
  f.transport = pick(f.transport, like.transport, undefined);
  f.agent = pick(f.agent, like.agent, undefined);
  f.via = shareList(f.via, like.via, shareVia);
  f.contacts = shareList(f.contacts, like.contacts, shareContact);
  f.challenges = shareList(f.challenges, like.challenges, shareChallenge);
  f.credentials = shareList(f.credentials, like.credentials, shareCredential);
}
