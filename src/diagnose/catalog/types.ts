// The shapes of the catalog: response codes, warn-codes, Q.850 causes. Data lives in the sibling files; these types
// are public API (re-exported through src/diagnose/index.ts), so fields are only ever added, never changed.

/** Where a code stands today: in the IANA registry and in use, deprecated by a later RFC, or gone from the registry. */
export type CodeStatus = 'current' | 'deprecated' | 'historic';

/** Who usually sends a response. `redirect` is a redirect server (RFC 3261 §8.3), `any` is any element. */
export type Sender = 'uas' | 'proxy' | 'registrar' | 'gateway' | 'redirect' | 'any';

/**
 * Whether sending the same request again can succeed.
 * - `yes`: as it is (provisional and success codes, or transient answers),
 * - `no`: not to this target in this form,
 * - `after-change`: after the request or the configuration is changed (credentials, interval, body, URI),
 * - `after-delay`: later, honouring Retry-After when present,
 * - `elsewhere`: at another target (the Contact of a 3xx, another server),
 * - `not-applicable`: the code is not a failure.
 */
export type RetryAdvice = 'yes' | 'no' | 'after-change' | 'after-delay' | 'elsewhere' | 'not-applicable';

/**
 * Whether a code is a fault at all.
 * - `fault`: something is wrong and needs fixing,
 * - `normal`: part of normal operation (a first 401/407 challenge, a redirect, a provisional or success code),
 * - `answer`: a person's (or their device's) answer, such as busy or decline,
 * - `expected`: the natural result of something else, such as 487 after a CANCEL.
 */
export type FaultKind = 'fault' | 'normal' | 'answer' | 'expected';

/** A note from a vendor's own documentation, kept beside the RFC facts with its source. */
export interface VendorNote {
  /** The vendor whose document says it, as they write their name ("Clear-Com"). */
  readonly vendor: string;
  /** A lower-case id for matching `--vendor clear-com`. */
  readonly vendorId: string;
  /** The system the note is about, when it is another vendor's ("Avaya"). */
  readonly appliesTo?: string;
  readonly note: string;
  /** Where the note comes from: a document name or path, never copied text. */
  readonly source: string;
}

/** One SIP response code. Every explanatory string is written fresh for siplens; facts cite their RFC section. */
export interface StatusEntry {
  readonly code: number;
  /** The reason phrase as the IANA registry (or, for historic codes, the defining RFC) spells it. */
  readonly reason: string;
  /** Other spellings met in the field or in other lists ("Internal Server Error" for 500). */
  readonly otherReasons?: readonly string[];
  readonly class: 1 | 2 | 3 | 4 | 5 | 6;
  readonly status: CodeStatus;
  /** Whether the code is in the IANA SIP response-code registry. */
  readonly iana: boolean;
  /** The defining RFC, e.g. "RFC 3261". */
  readonly rfc: string;
  /** The section of `rfc` that defines it, e.g. "§21.4.23". */
  readonly section: string;
  /** Why the status is deprecated or historic, when it is. */
  readonly statusNote?: string;
  /** What the code says, in plain words. */
  readonly summary: string;
  /** What it means as the answer to a REGISTER. */
  readonly onRegister: string;
  /** What it means as the answer to an INVITE. */
  readonly onInvite: string;
  /** What it means as the answer to other methods. */
  readonly onOther: string;
  /** Meanings for particular other methods (SUBSCRIBE, BYE, INFO...), keyed by upper-case method name. */
  readonly onMethod?: Readonly<Record<string, string>>;
  /** Likely causes, most likely first. */
  readonly causes: readonly string[];
  /** What to check and how to fix it, in the order a field engineer would go. */
  readonly checks: readonly string[];
  /** Things people try that will not help. */
  readonly willNotHelp: readonly string[];
  readonly senders: readonly Sender[];
  /** Header fields that carry more detail about this answer (Min-Expires, Retry-After, Warning, Reason...). */
  readonly detailHeaders: readonly string[];
  readonly retry: RetryAdvice;
  readonly fault: FaultKind;
  /** When the code is not a fault, or when it is one only sometimes. */
  readonly faultNote?: string;
  readonly vendorNotes: readonly VendorNote[];
  /** Extra words a user might search with ("busy", "dnd", "codec"). */
  readonly keywords?: readonly string[];
  /** Related codes worth reading next. */
  readonly seeAlso?: readonly number[];
}

/** The context a code was met in, to judge its meaning and whether it is a fault. */
export interface StatusContext {
  /** The method of the request it answered (REGISTER, INVITE, BYE...). */
  readonly method?: string;
  /** Keep only this vendor's notes ("clear-com"). Without it every vendor note is returned. */
  readonly vendor?: string;
  /** For 401/407: the number of this challenge within the same attempt (1 for the first). */
  readonly challengeNumber?: number;
  /** For 487: whether the request had been CANCELled (or the dialog ended) before it came. */
  readonly afterCancel?: boolean;
}

/** A catalog entry explained for one context. */
export interface StatusExplanation extends StatusEntry {
  /** The code asked about; differs from `code` when the answer fell back to x00. */
  readonly requested: number;
  /** The meaning for the method in the context, or the summary when no method was given. */
  readonly meaning: string;
  /** Set when `requested` is not in the catalog and this is the x00 of its class (RFC 3261 §8.1.3.2). */
  readonly fallbackFrom?: number;
  /** Says that the answer is the class's x00, when it fell back. */
  readonly fallbackNote?: string;
  /** Whether this code is a fault in the context given. */
  readonly isFault: boolean;
  /** Why `isFault` is what it is, in one sentence. */
  readonly faultReason: string;
}

/** A warn-code of the Warning header (RFC 3261 §20.43) or the IANA warn-code registry. */
export interface WarnCodeEntry {
  readonly code: number;
  /** The recommended warn-text. */
  readonly text: string;
  readonly rfc: string;
  readonly section: string;
  /** What it means, in plain words. */
  readonly summary: string;
  /** What to check. */
  readonly checks: readonly string[];
  /** Response codes it is usually seen with. */
  readonly seenWith: readonly number[];
}

/** The class of a Q.850 cause value: the top three bits of the seven-bit value (ITU-T Q.850). */
export type Q850Class =
  | 'normal event'
  | 'resource unavailable'
  | 'service or option not available'
  | 'service or option not implemented'
  | 'invalid message'
  | 'protocol error'
  | 'interworking';

/** An ITU-T Q.850 cause value, as carried by `Reason: Q.850;cause=N` (RFC 3326 §2). */
export interface Q850Entry {
  readonly cause: number;
  readonly name: string;
  readonly class: Q850Class;
  /** What it means for a SIP call, in plain words. */
  readonly summary: string;
  /** The SIP response RFC 3398 §7.2.4.1 maps it to, when the table lists it. */
  readonly sipStatus?: number;
  /** A qualifier of that mapping (RFC 3398 §7.2.4.1 footnotes). */
  readonly sipNote?: string;
}

/** The answer of `sipStatusForQ850`. */
export interface Q850ToSip {
  readonly cause: number;
  /** The SIP response code, or undefined when no response is sent for it (16 clears with BYE/CANCEL). */
  readonly status: number | undefined;
  /** `rfc3398` when the RFC 3398 §7.2.4.1 table lists the cause; `class-default` when siplens chose by class. */
  readonly basis: 'rfc3398' | 'class-default';
  readonly note?: string;
}

/** The answer of `q850ForSipStatus`. */
export interface SipToQ850 {
  readonly status: number;
  /** The Q.850 cause, or undefined when RFC 3398 gives none (487, or chosen from the Warning for 488/606). */
  readonly cause: number | undefined;
  /** `rfc3398` when the RFC 3398 §8.2.6.1 table lists the code; `rfc3398-default` for its catch-all (cause 31). */
  readonly basis: 'rfc3398' | 'rfc3398-default';
  readonly note?: string;
}

/** One match of `searchCatalog`. */
export interface CatalogMatch {
  /** A response code, a warn-code or a Q.850 cause. */
  readonly kind: 'status' | 'warning' | 'q850';
  readonly code: number;
  /** e.g. "486 Busy Here", "warning 305 Incompatible media format", "Q.850 cause 17 User busy". */
  readonly title: string;
  /** Higher is better; only comparable within one search. */
  readonly score: number;
}

/** A place where the seed, the IANA registry and the RFCs do not say the same thing. */
export interface Disagreement {
  readonly code: number;
  readonly topic: string;
  readonly seed?: string;
  readonly iana?: string;
  readonly rfc?: string;
  /** What siplens does about it. */
  readonly resolution: string;
}

/** Operational error of the catalog functions (a code that cannot be a SIP status at all). */
export class CatalogError extends Error {
  readonly code: 'out-of-range' | 'unknown-warn-code' | 'unknown-q850-cause';
  constructor(code: CatalogError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CatalogError';
    this.code = code;
  }
}
