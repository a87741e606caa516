import type { MessageRecord } from '../model/message-record.js';
import { extractFacts, isThinFacts, thinFacts } from './scan-facts.js';
import type { MessageFacts } from './facts.js';
import { computeTransactionKey } from './transaction-key.js';
import type { Call, Correlation, Dialog, Keepalive, Registration, Subscription, Transaction } from './types.js';
import { namedLeg } from './leg-ties.js';
import { shareAll } from './share-facts.js';

/** REGISTER transactions kept per registration; enough for challenges, refreshes, flapping. */
export const MAX_REGISTRATION_HISTORY = 4;
/** OPTIONS transactions kept per keepalive pair, and per subscription; older ones are counted. */
const MAX_KEEPALIVE_HISTORY = 16;
const MAX_SUBSCRIPTION_HISTORY = 32;
/** Defective messages kept as examples (the rest are counted). */
export const MAX_DEFECTIVE_SAMPLES = 20;
/** Transactions of other methods outside dialogs kept at once. */
const MAX_OTHERS = 1024;

export interface CorrelatorOptions {
  /**
   * Hears the message indexes of transactions let go outside call eviction (registration history, keepalives,
   * subscriptions and other requests beyond their limits), so that whoever keeps the messages can drop them too.
   */
  readonly onRelease?: (indexes: readonly number[]) => void;
  /**
   * Reads a message's whole facts again, by index, from what the caller keeps of it (its bytes), or undefined. Given,
   * an answered REGISTER transaction keeps only what matching needs of its messages (thinFacts), and the rest is read
   * again when a snapshot is taken: an account's last REGISTER transactions stay in memory for the whole input, and
   * with thousands of accounts they were most of the facts held (docs/PERFORMANCE.md, "Registrations kept thin").
   * Every message of a transaction still held must be readable until the transaction is let go (onRelease).
   */
  readonly reread?: (index: number) => MessageFacts | undefined;
}

/** Methods that belong to a call's dialog once the call is known (RFC 3261 §12.2, RFC 3262, RFC 3311, RFC 3515). */
const IN_CALL = new Set(['BYE', 'CANCEL', 'PRACK', 'UPDATE', 'INFO', 'REFER', 'ACK']);

export interface Correlator {
  /** Adds one message (in reading order). */
  push(record: MessageRecord): MessageFacts;
  /** Adds a message already reduced to its facts. */
  pushFacts(facts: MessageFacts): void;
  /** The time of the last message so far (ms), or null. */
  lastAt(): number | null;
  /** The correlated model so far (live objects: read, do not change). */
  snapshot(): Correlation;
  /**
   * Takes out the calls that are over and idle (see EvictionPolicy) with their transactions, so that a long capture
   * is followed in bounded memory. A message that comes later for an evicted Call-ID starts a new call.
   */
  evictIdleCalls(policy?: EvictionPolicy): EvictedCall[];
}

/** When a call may leave memory: over (or silent) for a while in data time and far back in reading order. */
export interface EvictionPolicy {
  /**
   * Data time since the call's last message, for a call that ended (final non-2xx, or BYE answered). Default 4 s:
   * later retransmissions of its messages (RFC 3261 Timer D/G/J, up to 32 s) are recognised by the keys left behind.
   */
  readonly endedIdleMs?: number;
  /** Data time since the last message for any call (answered calls can last long). Default 2 h. */
  readonly idleMs?: number;
  /**
   * Messages read since the call's last message, so that inputs read one after another still meet. Default 20 000.
   * It applies to a call last seen in an earlier input, or when the data has no times.
   */
  readonly minMessagesSince?: number;
  /**
   * The same for a call last seen in the input being read, when both have times: there data time decides, and this
   * only covers messages a little out of order. Default 2 000.
   */
  readonly minMessagesSinceInInput?: number;
}

export interface EvictedCall {
  readonly call: Call;
  readonly transactions: readonly Transaction[];
}

/**
 * Appends to a transaction's list, keeping short lists exactly as long as they are: a pushed array reserves room for
 * 17 items, and a capture holds tens of thousands of transactions with one to three of each.
 */
function append<T>(list: T[], item: T): T[] {
  if (list.length >= 8) {
    list.push(item);
    return list;
  }
  // concat gives an array of exactly the new length (push and index assignment reserve room for 17).
  return list.concat(item);
}

function sameHop(a: MessageFacts, b: MessageFacts): boolean {
  return a.source === b.source && a.src === b.src && a.dst === b.dst;
}

function stripUriParams(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  const semi = uri.indexOf(';');
  return semi < 0 ? uri : uri.slice(0, semi);
}

/** Data time a let-go key is remembered at least: RFC 3261 Timers B, F and H (64·T1, 32 s) end every retransmission. */
const TOMBSTONE_KEEP_MS = 64_000;
/** Data time going back by more than this starts a new input (the same file given again): the ended-call idle time. */
const INPUT_REWIND_MS = 4_000;
/**
 * Keys in one tombstone generation (two are kept): at most this many, for data without times or of very high rates,
 * and at least the smaller number, so that a short input read twice (or two snapshots whose logs overlap) still
 * meets itself.
 */
const TOMBSTONE_GENERATION = 100_000;
const TOMBSTONE_GENERATION_MIN = 20_000;

/**
 * The keys of transactions let go (or Call-IDs of calls evicted), so that late copies are counted rather than taken
 * for new ones. Two generations: the current one is retired once it spans TOMBSTONE_KEEP_MS of data time (and holds
 * 20,000 keys) or holds 100,000 keys, and the one before it is dropped. A key is so remembered for at least 64 s of
 * data time after it was let go, or 20,000 later keys; memory follows the rate of the traffic, not its length.
 */
class Tombstones {
  #current = new Set<string>();
  #previous = new Set<string>();
  #since: number | null = null;

  add(key: string, at: number | null): void {
    const n = this.#current.size;
    const spans = at !== null && this.#since !== null && at - this.#since > TOMBSTONE_KEEP_MS;
    if (n >= TOMBSTONE_GENERATION || (spans && n >= TOMBSTONE_GENERATION_MIN)) {
      this.#previous = this.#current;
      this.#current = new Set();
      this.#since = null;
    }
    if (this.#since === null) this.#since = at;
    this.#current.add(key);
  }

  has(key: string): boolean {
    return this.#current.has(key) || this.#previous.has(key);
  }
}

/** Correlates messages one at a time into transactions, dialogs, calls, registrations, subscriptions and keepalives. */
export function createCorrelator(options: CorrelatorOptions = {}): Correlator {
  const onRelease = options.onRelease;
  const reread = options.reread;
  /** REGISTER transactions whose messages are kept thin (see CorrelatorOptions.reread). */
  const thinned = new Set<Transaction>();
  /** A snapshot read the thinned transactions' facts again: they are thinned once more at the next message. */
  let thinAgain = false;
  const transactions: Transaction[] = [];
  const byKey = new Map<string, Transaction>();
  const calls = new Map<string, Call>();
  const registrations = new Map<string, Registration>();
  const registrationByCallId = new Map<string, Registration>();
  const latestRegistrationByAor = new Map<string, Registration>();
  const subscriptions = new Map<string, Subscription>();
  const keepalives = new Map<string, Keepalive>();
  const others: Transaction[] = [];
  const callByCorrelation = new Map<string, Call>();
  let messages = 0;
  let nextId = 0;
  let lastAt: number | null = null;
  /** Index of the last message of each call, for eviction. */
  const lastIndexOf = new Map<Call, number>();
  /** Keys of evicted transactions and Call-IDs of evicted calls: late copies are counted, not taken for new ones. */
  const tombstones = new Tombstones();
  const deadCallIds = new Tombstones();
  let lateCopies = 0;
  /** Transactions let go outside call eviction since the last compaction of `transactions`. */
  let droppedTx = 0;
  const correlationKeysOf = new Map<Call, string[]>();
  let maxIndex = -1;
  /**
   * The input being read (its path) and the index of its first message: a new path, or data time going back by more
   * than INPUT_REWIND_MS (the same file given twice), starts a new one. See EvictionPolicy.minMessagesSinceInInput.
   */
  let inputPath: string | undefined;
  let inputStart = 0;
  let defectiveCount = 0;
  const defectsByCode: Record<string, number> = {};
  const defectiveSample: MessageFacts[] = [];

  function newTransaction(key: string, facts: MessageFacts, method: string): Transaction {
    const top = facts.via[0];
    const tx: Transaction = {
      id: nextId++,
      key,
      method,
      callId: facts.callId,
      cseq: facts.cseq,
      request: undefined,
      requestCopies: [],
      retransmissions: 0,
      responses: [],
      responseCopies: [],
      responseRetransmissions: 0,
      final: undefined,
      ack: undefined,
      leg: [facts.source, top?.host ?? '', top?.port ?? ''].join('|'),
      firstAt: facts.at,
      lastAt: facts.at,
    };
    transactions.push(tx);
    byKey.set(key, tx);
    return tx;
  }

  function link(a: Call, b: Call): void {
    if (!a.linkedCallIds.includes(b.callId)) a.linkedCallIds.push(b.callId);
    if (!b.linkedCallIds.includes(a.callId)) b.linkedCallIds.push(a.callId);
  }

  function getCall(facts: MessageFacts, create: boolean): Call | undefined {
    let call = calls.get(facts.callId);
    if (call !== undefined || !create) return call;
    call = {
      callId: facts.callId,
      linkedCallIds: [],
      from: undefined,
      to: undefined,
      callerTag: undefined,
      invites: [],
      reInvites: [],
      cancels: [],
      byes: [],
      prackOrUpdate: [],
      others: [],
      acks: [],
      dialogs: [],
      messages: [],
      firstAt: facts.at,
      lastAt: facts.at,
    };
    calls.set(facts.callId, call);
    if (facts.correlation.length > 0) correlationKeysOf.set(call, [...facts.correlation]);
    for (const value of facts.correlation) {
      const leg = namedLeg(value);
      const named = leg === undefined ? undefined : calls.get(leg);
      if (named !== undefined && named !== call) link(named, call);
      const other = callByCorrelation.get(value);
      if (other === undefined) callByCorrelation.set(value, call);
      else if (other !== call) link(other, call);
    }
    return call;
  }

  function noteDialog(call: Call, facts: MessageFacts): void {
    if (facts.kind !== 'response' || facts.status === undefined || facts.toTag === undefined) return;
    if (facts.status < 101 || facts.status >= 300) return;
    const fromTag = facts.fromTag ?? '';
    let dialog: Dialog | undefined = call.dialogs.find((d) => d.fromTag === fromTag && d.toTag === facts.toTag);
    if (dialog === undefined) {
      dialog = { callId: call.callId, fromTag, toTag: facts.toTag, state: 'early', created: facts.index };
      call.dialogs.push(dialog);
    }
    if (facts.status >= 200 && dialog.state === 'early') dialog.state = 'confirmed';
  }

  function routeToCall(tx: Transaction, facts: MessageFacts): boolean {
    const method = tx.method;
    const existing = calls.get(facts.callId);
    if (method === 'INVITE') {
      const call = getCall(facts, true) as Call;
      const initial =
        facts.kind === 'request'
          ? facts.toTag === undefined
          : call.invites.length === 0 && call.dialogs.length === 0 && call.reInvites.length === 0;
      if (initial) {
        call.invites.push(tx);
        if (call.from === undefined) {
          call.from = stripUriParams(facts.fromUri);
          call.to = stripUriParams(facts.toUri);
          call.callerTag = facts.fromTag;
        }
      } else call.reInvites.push(tx);
      return true;
    }
    if (existing === undefined && method !== 'BYE' && method !== 'CANCEL') return false;
    if (!IN_CALL.has(method) && existing === undefined) return false;
    if (!IN_CALL.has(method) && facts.toTag === undefined) return false;
    const call = existing ?? (getCall(facts, true) as Call);
    if (call.from === undefined && method === 'BYE') {
      // The call began before the data did: the BYE's sender is one party; caller/callee stay unknown.
      call.from = stripUriParams(facts.fromUri);
      call.to = stripUriParams(facts.toUri);
    }
    if (method === 'CANCEL') call.cancels.push(tx);
    else if (method === 'BYE') call.byes.push(tx);
    else if (method === 'PRACK' || method === 'UPDATE') call.prackOrUpdate.push(tx);
    else call.others.push(tx);
    return true;
  }

  /**
   * What a registration's whole history says, kept as it happens (the transactions themselves are kept only for the
   * last MAX_REGISTRATION_HISTORY): answers by status, and changes between registered and refused (challenges aside).
   */
  function noteRegisterFinal(reg: Registration, status: number): void {
    reg.finalCounts.set(status, (reg.finalCounts.get(status) ?? 0) + 1);
    if (status === 401 || status === 407) return;
    const ok = status >= 200 && status < 300;
    if (reg.lastOutcome !== undefined && reg.lastOutcome !== ok) reg.switches++;
    reg.lastOutcome = ok;
  }

  /** Puts `f` of each of a transaction's messages in their place; the final answer stays the same one of `responses`. */
  function replaceFacts(tx: Transaction, f: (facts: MessageFacts) => MessageFacts): void {
    if (tx.request !== undefined) tx.request = f(tx.request);
    if (tx.ack !== undefined) tx.ack = f(tx.ack);
    const at = tx.final === undefined ? -1 : tx.responses.indexOf(tx.final);
    tx.responses = tx.responses.map(f);
    if (at >= 0) tx.final = tx.responses[at];
  }

  /** Keeps only what matching needs of an answered REGISTER transaction's messages (CorrelatorOptions.reread). */
  function thinOut(tx: Transaction): void {
    if (reread === undefined || tx.method !== 'REGISTER' || tx.final === undefined) return;
    thinned.add(tx);
    replaceFacts(tx, thinFacts);
  }

  /** Reads again the whole facts of the thinned transactions' messages, for a snapshot. */
  function rereadThinned(): void {
    if (reread === undefined || thinned.size === 0) return;
    const whole = (f: MessageFacts): MessageFacts => (isThinFacts(f) ? (reread(f.index) ?? f) : f);
    for (const tx of thinned) replaceFacts(tx, whole);
    thinAgain = thinned.size > 0;
  }

  /**
   * Takes a transaction out of the correlator's maps, its key remembered so that late copies are counted; it leaves
   * `transactions` at the next sweep.
   */
  function bury(t: Transaction): void {
    if (byKey.get(t.key) === t) byKey.delete(t.key);
    tombstones.add(t.key, lastAt);
    listOf.delete(t);
    ownerOf.delete(t);
    thinned.delete(t);
    droppedTx++;
  }

  /** Lets a transaction go outside call eviction: buried, its messages released. */
  function letGo(t: Transaction): number[] {
    bury(t);
    const indexes = [...t.requestCopies, ...t.responseCopies];
    if (t.ack !== undefined) indexes.push(t.ack.index);
    onRelease?.(indexes);
    return indexes;
  }

  /** letGo, and the messages taken out of the owner's list. */
  function forget(t: Transaction, list: number[] | undefined): void {
    const gone = new Set(letGo(t));
    if (list === undefined || gone.size === 0) return;
    let w = 0;
    for (const i of list) if (!gone.has(i)) list[w++] = i;
    list.length = w;
  }

  function routeToRegistration(tx: Transaction, facts: MessageFacts): Registration {
    const aor = stripUriParams(facts.toUri) ?? '(no To)';
    let reg = registrationByCallId.get(facts.callId);
    if (reg === undefined || reg.aor !== aor) {
      const first = facts.kind === 'request' ? facts.contacts[0] : undefined;
      let contact: string | null = first === undefined || first.star ? null : first.uri;
      if (contact === null) {
        reg = latestRegistrationByAor.get(aor);
        if (reg === undefined) contact = null;
      }
      if (reg === undefined || contact !== null) {
        const key = [aor, contact ?? ''].join('|');
        reg = registrations.get(key);
        if (reg === undefined) {
          reg = { aor, contact, transactions: [], callIds: [], messages: [], lastAt: facts.at, dropped: 0, droppedSuccesses: 0, firstMessage: facts.index, finalCounts: new Map(), switches: 0, lastOutcome: undefined };
          registrations.set(key, reg);
        }
      }
      registrationByCallId.set(facts.callId, reg);
    }
    latestRegistrationByAor.set(aor, reg);
    if (!reg.callIds.includes(facts.callId)) reg.callIds.push(facts.callId);
    reg.transactions.push(tx);
    // Refreshes every few minutes for hours: keep the recent history the rules read, count the rest.
    if (reg.transactions.length > MAX_REGISTRATION_HISTORY) dropOldest(reg);
    return reg;
  }

  /**
   * Lets a registration's oldest REGISTER transaction go, counted in `dropped`; its messages leave the list, and the
   * Call-IDs are those of the transactions kept, in their order. Every REGISTER of every account passes here once
   * its history is full, so it works in place on lists of at most MAX_REGISTRATION_HISTORY + 1 items.
   */
  function dropOldest(reg: Registration): void {
    const t = reg.transactions.shift() as Transaction;
    if (t.request !== undefined) reg.dropped++;
    const st = t.final?.status;
    if (st !== undefined && st >= 200 && st < 300) reg.droppedSuccesses++;
    const gone = letGo(t);
    const list = reg.messages;
    let w = 0;
    for (const i of list) if (!gone.includes(i)) list[w++] = i;
    list.length = w;
    const ids: string[] = [];
    for (const k of reg.transactions) if (!ids.includes(k.callId)) ids.push(k.callId);
    for (const id of reg.callIds) if (!ids.includes(id) && registrationByCallId.get(id) === reg) registrationByCallId.delete(id);
    reg.callIds.length = 0;
    for (const id of ids) reg.callIds.push(id);
  }

  function routeToSubscription(tx: Transaction, facts: MessageFacts): Subscription {
    let sub = subscriptions.get(facts.callId);
    if (sub === undefined) {
      sub = { callId: facts.callId, event: facts.event, transactions: [], messages: [], state: undefined };
      subscriptions.set(facts.callId, sub);
    }
    sub.transactions.push(tx);
    if (sub.transactions.length > MAX_SUBSCRIPTION_HISTORY) forget(sub.transactions.shift() as Transaction, sub.messages);
    return sub;
  }

  function routeToKeepalive(tx: Transaction, facts: MessageFacts): Keepalive {
    const target = stripUriParams(facts.requestUri ?? facts.toUri);
    const key = [facts.source, facts.fromUri ?? '', target ?? ''].join('|');
    let ka = keepalives.get(key);
    if (ka === undefined) {
      ka = { key, from: stripUriParams(facts.fromUri), target, sent: 0, answered: 0, unanswered: 0, lastStatus: undefined, transactions: [], messages: [], dropped: 0, droppedAnswered: 0 };
      keepalives.set(key, ka);
    }
    ka.transactions.push(tx);
    if (ka.transactions.length > MAX_KEEPALIVE_HISTORY) {
      const old = ka.transactions.shift() as Transaction;
      ka.dropped++;
      if (old.final !== undefined) ka.droppedAnswered++;
      forget(old, ka.messages);
    }
    return ka;
  }

  /** Where the messages of a transaction are listed, once it is routed. */
  const listOf = new Map<Transaction, number[]>();
  const ownerOf = new Map<Transaction, Call | Registration | Subscription | Keepalive | null>();

  function route(tx: Transaction, facts: MessageFacts): void {
    const method = tx.method;
    let owner: Call | Registration | Subscription | Keepalive | null = null;
    if (method === 'REGISTER') owner = routeToRegistration(tx, facts);
    else if (routeToCall(tx, facts)) owner = calls.get(facts.callId) ?? null;
    else if (method === 'SUBSCRIBE' || method === 'NOTIFY') owner = routeToSubscription(tx, facts);
    else if (method === 'OPTIONS') owner = routeToKeepalive(tx, facts);
    else {
      others.push(tx);
      if (others.length > MAX_OTHERS) forget(others.shift() as Transaction, undefined);
    }
    ownerOf.set(tx, owner);
    if (owner !== null) listOf.set(tx, owner.messages);
  }

  function record(tx: Transaction, facts: MessageFacts): void {
    tx.lastAt = facts.at ?? tx.lastAt;
    if (tx.firstAt === null) tx.firstAt = facts.at;
    listOf.get(tx)?.push(facts.index);
    const owner = ownerOf.get(tx);
    if (owner !== null && owner !== undefined && 'lastAt' in owner) owner.lastAt = facts.at ?? owner.lastAt;
    if (owner !== null && owner !== undefined && 'dialogs' in owner) lastIndexOf.set(owner, facts.index);
  }

  function pushRequest(facts: MessageFacts): void {
    if (facts.method === 'ACK') {
      const inviteTx = byKey.get(computeTransactionKey(facts, 'INVITE'));
      if (inviteTx?.final?.status !== undefined && inviteTx.final.status >= 300) {
        inviteTx.ack ??= facts;
        record(inviteTx, facts);
        return;
      }
      // RFC 3261 §13.2.2.4: the ACK of a 2xx is a transaction of its own, sent end to end.
      const call = calls.get(facts.callId);
      if (call === undefined && deadCallIds.has(facts.callId)) {
        lateCopies++;
        return;
      }
      if (call !== undefined) {
        call.acks.push(facts);
        call.messages.push(facts.index);
        call.lastAt = facts.at ?? call.lastAt;
        lastIndexOf.set(call, facts.index);
        const dialog = call.dialogs.find((d) => d.toTag === facts.toTag);
        if (dialog !== undefined && dialog.state === 'early') dialog.state = 'confirmed';
      } else {
        const lone = newTransaction(`ack:${facts.index}`, facts, 'ACK');
        lone.request = facts;
        lone.requestCopies = append(lone.requestCopies, facts.index);
        ownerOf.set(lone, null);
        others.push(lone);
      }
      return;
    }
    const key = computeTransactionKey(facts);
    let tx = byKey.get(key);
    if (tx === undefined && tombstones.has(key)) {
      lateCopies++;
      return;
    }
    if (tx === undefined) {
      // A REGISTER is like the account's previous one (kept for the whole input), another request like its call's INVITE.
      const like =
        facts.method === 'REGISTER'
          ? (registrationByCallId.get(facts.callId) ?? latestRegistrationByAor.get(stripUriParams(facts.toUri) ?? '(no To)'))?.transactions.at(-1)?.request
          : calls.get(facts.callId)?.invites[0]?.request;
      if (like !== undefined) shareAll(facts, like);
      tx = newTransaction(key, facts, facts.method);
      tx.request = facts;
      tx.requestCopies = append(tx.requestCopies, facts.index);
      route(tx, facts);
      record(tx, facts);
      return;
    }
    if (tx.request === undefined) tx.request = facts;
    else if (sameHop(tx.request, facts)) tx.retransmissions++;
    tx.requestCopies = append(tx.requestCopies, facts.index);
    record(tx, facts);
    thinOut(tx);
  }

  function pushResponse(facts: MessageFacts): void {
    const key = computeTransactionKey(facts);
    let tx = byKey.get(key);
    if (tx === undefined && tombstones.has(key)) {
      lateCopies++;
      return;
    }
    if (tx === undefined) {
      // An answer whose request is not in the data (captured late, or sent before the log began).
      tx = newTransaction(key, facts, facts.cseqMethod);
      route(tx, facts);
    }
    const owner = ownerOf.get(tx);
    const copy = tx.responses.find((r) => r.status === facts.status && r.toTag === facts.toTag);
    if (copy !== undefined) {
      if (sameHop(copy, facts)) tx.responseRetransmissions++;
      tx.responseCopies = append(tx.responseCopies, facts.index);
    } else {
      const like = tx.request ?? tx.responses[0];
      if (like !== undefined) shareAll(facts, like);
      if (owner !== undefined && owner !== null && 'aor' in owner) {
        // The same answer to the account's previous REGISTER: the challenge or the bindings, most often unchanged.
        const at = owner.transactions.indexOf(tx);
        const before = at > 0 ? owner.transactions[at - 1]?.responses.find((r) => r.status === facts.status) : undefined;
        if (before !== undefined) shareAll(facts, before);
      }
      tx.responses = append(tx.responses, facts);
      tx.responseCopies = append(tx.responseCopies, facts.index);
      if (facts.status !== undefined && facts.status >= 200 && tx.final === undefined) {
        tx.final = facts;
        if (tx.method === 'REGISTER' && owner !== undefined && owner !== null && 'aor' in owner) noteRegisterFinal(owner, facts.status);
      }
    }
    record(tx, facts);
    thinOut(tx);
    if (owner !== undefined && owner !== null && 'dialogs' in owner) {
      if (tx.method === 'INVITE') noteDialog(owner, facts);
      if (tx.method === 'BYE' && facts.status !== undefined && facts.status >= 200 && facts.status < 300) {
        for (const d of owner.dialogs) if (d.toTag === facts.toTag || d.toTag === facts.fromTag) d.state = 'terminated';
      }
    }
    if (owner !== undefined && owner !== null && 'event' in owner && tx.method === 'SUBSCRIBE' && facts.status !== undefined) {
      if (facts.status >= 300) owner.state = 'failed';
      else if (facts.status >= 200 && owner.state === undefined) owner.state = 'accepted';
    }
  }

  function pushFacts(facts: MessageFacts): void {
    if (thinAgain) {
      thinAgain = false;
      for (const tx of thinned) thinOut(tx);
    }
    messages++;
    if (facts.index > maxIndex) maxIndex = facts.index;
    if (facts.source !== inputPath || (facts.at !== null && lastAt !== null && facts.at < lastAt - INPUT_REWIND_MS)) {
      inputPath = facts.source;
      inputStart = facts.index;
    }
    if (facts.defects.length > 0) {
      defectiveCount++;
      for (const code of facts.defects) defectsByCode[code] = (defectsByCode[code] ?? 0) + 1;
      if (defectiveSample.length < MAX_DEFECTIVE_SAMPLES) defectiveSample.push(facts);
    }
    if (facts.at !== null) lastAt = lastAt === null || facts.at > lastAt ? facts.at : lastAt;
    // Without Call-ID and CSeq a message belongs to no transaction (RFC 3261 §8.1.1); the parser reported why.
    if (facts.callId === '' && facts.cseq < 0) return;
    if (facts.kind === 'request') pushRequest(facts);
    else pushResponse(facts);
    if (facts.method === 'NOTIFY' && facts.kind === 'request' && facts.subscriptionState !== undefined) {
      const sub = subscriptions.get(facts.callId);
      if (sub !== undefined) sub.state = facts.subscriptionState;
    }
  }

  /**
   * A call is over when a BYE was answered, or when it was refused: some INVITE got a final answer of 300 or more,
   * none got a 2xx, and every INVITE that was answered at all has its final answer. An INVITE that nothing ever
   * answered (a proxy's copy to a dead next hop, the caller's side answered 408) does not hold the call open.
   */
  function isOver(call: Call): boolean {
    if (call.byes.some((b) => b.final !== undefined)) return true;
    let refused = false;
    for (const tx of call.invites) {
      const s = tx.final?.status;
      if (s === undefined) {
        if (tx.responses.length > 0) return false;
      } else if (s < 300) return false;
      else refused = true;
    }
    return refused;
  }

  function evictIdleCalls(policy: EvictionPolicy = {}): EvictedCall[] {
    const endedIdle = policy.endedIdleMs ?? 4_000;
    const idle = policy.idleMs ?? 7_200_000;
    const gap = policy.minMessagesSince ?? 20_000;
    const gapInInput = Math.min(gap, policy.minMessagesSinceInInput ?? 2_000);
    const out: EvictedCall[] = [];
    for (const call of calls.values()) {
      const lastIndex = lastIndexOf.get(call) ?? -1;
      const quiet = call.lastAt === null || lastAt === null ? Infinity : lastAt - call.lastAt;
      // Measured in message numbers, not in messages pushed: a share of the input (a worker) sees every other one.
      if (maxIndex - lastIndex < (lastIndex >= inputStart && quiet !== Infinity ? gapInInput : gap)) continue;
      if (quiet < (isOver(call) ? endedIdle : idle)) continue;
      const txs = [...call.invites, ...call.reInvites, ...call.cancels, ...call.byes, ...call.prackOrUpdate, ...call.others];
      out.push({ call, transactions: txs });
    }
    for (const { call, transactions: txs } of out) {
      calls.delete(call.callId);
      lastIndexOf.delete(call);
      deadCallIds.add(call.callId, lastAt);
      for (const key of correlationKeysOf.get(call) ?? []) if (callByCorrelation.get(key) === call) callByCorrelation.delete(key);
      correlationKeysOf.delete(call);
      for (const tx of txs) bury(tx);
    }
    // The list is swept once an eighth of it is let go, not on every eviction (it holds tens of thousands); a
    // transaction let go and still listed keeps its messages' facts alive (at a half, a third of all facts held).
    if (droppedTx * 8 > transactions.length) compact();
    return out;
  }

  /** Keeps in `transactions` the ones still owned (a transaction let go has lost its owner entry). */
  function compact(): void {
    let w = 0;
    for (const tx of transactions) if (ownerOf.has(tx)) transactions[w++] = tx;
    transactions.length = w;
    droppedTx = 0;
  }

  return {
    evictIdleCalls,
    push(rec) {
      const facts = extractFacts(rec);
      pushFacts(facts);
      return facts;
    },
    pushFacts,
    lastAt: () => lastAt,
    snapshot() {
      compact();
      rereadThinned();
      for (const ka of keepalives.values()) {
        ka.sent = ka.dropped + ka.transactions.length;
        ka.answered = ka.droppedAnswered + ka.transactions.filter((t) => t.final !== undefined).length;
        ka.unanswered = ka.sent - ka.answered;
        ka.lastStatus = ka.transactions.at(-1)?.final?.status;
      }
      return {
        messages,
        transactions,
        calls: [...calls.values()],
        registrations: [...registrations.values()],
        subscriptions: [...subscriptions.values()],
        keepalives: [...keepalives.values()],
        others,
        lastAt,
        lateCopies,
        ...(defectiveCount > 0 && { defective: { count: defectiveCount, byCode: { ...defectsByCode }, sample: [...defectiveSample] } }),
      };
    },
  };
}
