import type { MessageFacts } from './facts.js';

/**
 * One SIP transaction (RFC 3261 §17): a request, its retransmissions, its responses, and for an INVITE answered with a
 * non-2xx final response, the ACK that belongs to it (§17.1.1.3).
 */
export interface Transaction {
  readonly id: number;
  /** The matching key: `b:` branch form (RFC 3261 §17.1.3, §17.2.3) or `o:` RFC 2543 form. */
  readonly key: string;
  readonly method: string;
  readonly callId: string;
  readonly cseq: number;
  /** The first copy of the request seen, or undefined when only responses are in the data. */
  request: MessageFacts | undefined;
  /** Indexes of every copy of the request (the first and the retransmissions). */
  requestCopies: number[];
  /** Copies of the request after the first, from the same place (retransmissions, RFC 3261 §17.1.1.2, §17.1.2.2). */
  retransmissions: number;
  /** Distinct responses, in order; retransmitted copies are counted in responseRetransmissions. */
  responses: MessageFacts[];
  responseCopies: number[];
  responseRetransmissions: number;
  /** The first final (>= 200) response. */
  final: MessageFacts | undefined;
  /** RFC 3261 §17.1.1.3: the ACK of a non-2xx final response is part of the INVITE transaction. */
  ack: MessageFacts | undefined;
  /** The capture point and the sender: `input|sent-by`. Two legs of one call through a proxy differ here. */
  readonly leg: string;
  firstAt: number | null;
  lastAt: number | null;
}

/** A dialog (RFC 3261 §12): Call-ID with the caller's and the callee's tag; several To tags of one INVITE are forks. */
export interface Dialog {
  readonly callId: string;
  readonly fromTag: string;
  readonly toTag: string;
  /** early: created by a 1xx with a To tag; confirmed: by a 2xx (RFC 3261 §12.1). */
  state: 'early' | 'confirmed' | 'terminated';
  readonly created: number;
}

export interface Call {
  readonly callId: string;
  /** Other Call-IDs of the same call (B2BUA legs tied by X-CID, icid, …), grouped into this one. */
  readonly linkedCallIds: string[];
  from: string | undefined;
  to: string | undefined;
  /** The From tag of the first INVITE: the caller's side of every dialog of the call. */
  callerTag: string | undefined;
  /** Dialog-creating INVITEs (no To tag), in order: authentication retries and other legs too. */
  readonly invites: Transaction[];
  readonly reInvites: Transaction[];
  readonly cancels: Transaction[];
  readonly byes: Transaction[];
  readonly prackOrUpdate: Transaction[];
  readonly others: Transaction[];
  /** ACKs for 2xx responses: their own transactions (RFC 3261 §13.2.2.4, §17.1.1.3). */
  readonly acks: MessageFacts[];
  readonly dialogs: Dialog[];
  readonly messages: number[];
  firstAt: number | null;
  lastAt: number | null;
}

export interface Registration {
  /** The To URI of the REGISTER (RFC 3261 §10.2: the address of record). */
  readonly aor: string;
  /** The first Contact URI, or null (a query, or removal with `*`). */
  readonly contact: string | null;
  /** The most recent REGISTER transactions (at most MAX_REGISTRATION_HISTORY, 4; older ones counted in `dropped`). */
  readonly transactions: Transaction[];
  readonly callIds: string[];
  readonly messages: number[];
  lastAt: number | null;
  /** REGISTER transactions let go to keep memory bounded on long captures (their requests still count as attempts). */
  dropped: number;
  /** Of those, the ones answered 2xx (the account did register at some point). */
  droppedSuccesses: number;
  /** Number of the registration's first message in the data. */
  readonly firstMessage: number;
  /**
   * Final answers to every REGISTER of this binding so far, challenges included, by status. A Map, not an object
   * keyed by status: V8 keeps integer keys as array elements sized to the largest key, about 1.7 KB for `{ 200: n }`
   * (docs/PERFORMANCE.md, "Where the memory goes").
   */
  readonly finalCounts: Map<number, number>;
  /** Changes between registered and refused so far (challenges do not count). */
  switches: number;
  /** Whether the last final answer (challenges aside) registered the binding. */
  lastOutcome: boolean | undefined;
}

export interface Subscription {
  readonly callId: string;
  readonly event: string | undefined;
  readonly transactions: Transaction[];
  readonly messages: number[];
  state: string | undefined;
}

/** OPTIONS pings between two parties (RFC 3261 §11), counted rather than listed. */
export interface Keepalive {
  readonly key: string;
  readonly from: string | undefined;
  readonly target: string | undefined;
  sent: number;
  answered: number;
  unanswered: number;
  lastStatus: number | undefined;
  /** The most recent transactions; older ones are counted in `dropped` (answered: `droppedAnswered`). */
  readonly transactions: Transaction[];
  readonly messages: number[];
  dropped: number;
  droppedAnswered: number;
}

/** Everything correlation knows at one moment. */
export interface Correlation {
  readonly messages: number;
  readonly transactions: readonly Transaction[];
  readonly calls: readonly Call[];
  readonly registrations: readonly Registration[];
  readonly subscriptions: readonly Subscription[];
  readonly keepalives: readonly Keepalive[];
  /** Transactions of other methods outside dialogs (MESSAGE, PUBLISH, …). */
  readonly others: readonly Transaction[];
  /** The time of the last message (for "still running" versus "timed out"). */
  readonly lastAt: number | null;
  /** Copies of messages of calls already let go (late retransmissions), counted and not correlated again. */
  readonly lateCopies?: number;
  /** Messages with defects (MessageFacts.defects), counted by code, the first ones kept. */
  readonly defective?: Defective;
}

/** The messages of the input that break the SIP grammar where it matters. */
export interface Defective {
  readonly count: number;
  readonly byCode: Readonly<Record<string, number>>;
  /** The first ones, at most MAX_DEFECTIVE_SAMPLES. */
  readonly sample: readonly MessageFacts[];
}
