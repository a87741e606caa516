import type { InputReport } from './input-report.js';

/** A JSON value, for the open-ended `details` of a finding. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export type FindingSeverity = 'error' | 'warning' | 'info';

/** Who produced the failure, as far as the evidence shows. */
export type Generator = 'far-end' | 'proxy' | 'registrar' | 'gateway' | 'local' | 'network' | 'unknown';

/**
 * One diagnosis, with its evidence. Part of the `analyze --json` contract (schemaVersion 1): fields may be added,
 * never renamed or removed.
 */
export interface Finding {
  /** Unique in one result: `F1`, `F2`, … */
  readonly id: string;
  /** The rule that made it: `auth.wrong-password`, `register.interval-too-brief`, … */
  readonly rule: string;
  readonly severity: FindingSeverity;
  readonly title: string;
  /** Plain words, built from the catalog and the values in the messages. */
  readonly explanation: string;
  /** The SIP status the finding is about, or null (no response at all). */
  readonly status: number | null;
  readonly callIds: readonly string[];
  /** Indexes of the messages that prove it (MessageRecord.index). */
  readonly evidence: readonly number[];
  /** Likely causes, most likely first. */
  readonly causes: readonly string[];
  readonly nextSteps: readonly string[];
  readonly willNotHelp: readonly string[];
  readonly generatedBy: Generator;
  /** Values that matter: minExpires, retryAfter, warnings, reasons, offeredCodecs, acceptedCodecs, … */
  readonly details: { readonly [key: string]: JsonValue };
}

export type RegistrationState = 'registered' | 'failed' | 'unregistered' | 'pending' | 'unknown';

export interface RegistrationSummary {
  /** Address of record: the To URI of the REGISTER (`sip:1001@example.com`). */
  readonly aor: string;
  readonly contact: string | null;
  readonly state: RegistrationState;
  readonly lastStatus: number | null;
  readonly lastReason: string | null;
  /** Meaning of lastStatus for a REGISTER, from the catalog. */
  readonly lastMeaning: string | null;
  readonly callIds: readonly string[];
  readonly findings: readonly string[];
  /** Every message of this registration's transactions, in order. */
  readonly messages: readonly number[];
  readonly expiresRequested: number | null;
  readonly expiresGranted: number | null;
  /** ISO 8601 time of the last 2xx, or null. */
  readonly lastSuccess: string | null;
  readonly attempts: number;
  /** Number of the first message of this registration in the data. */
  readonly firstMessage?: number;
  /** The final answers this binding's REGISTERs got, challenges included, by status, lowest first. */
  readonly finalStatuses?: readonly { readonly status: number; readonly count: number }[];
}

export type CallOutcome =
  | 'answered'
  | 'busy'
  | 'declined'
  | 'cancelled'
  | 'no-answer'
  | 'rejected'
  | 'failed'
  | 'no-response'
  | 'in-progress';

export interface CallSummary {
  readonly callId: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly outcome: CallOutcome;
  readonly finalStatus: number | null;
  readonly finalReason: string | null;
  readonly findings: readonly string[];
  readonly messages: readonly number[];
  /** ISO 8601 of the first INVITE, or null when the source has no absolute time. */
  readonly startTime: string | null;
  /** INVITE to first 18x, in ms. */
  readonly postDialDelayMs: number | null;
  /** INVITE to final response, in ms. */
  readonly setupMs: number | null;
  /** 200 OK to BYE, in ms. */
  readonly durationMs: number | null;
  /** `caller`, `callee`, or null when the call was not ended in the data. */
  readonly endedBy: 'caller' | 'callee' | null;
  /** Call-IDs of the same call on other legs of a B2BUA (tied by X-CID, P-Charging-Vector icid, …). */
  readonly linkedCallIds?: readonly string[];
  /** Hops the INVITE was seen on (both sides of a proxy: 2). */
  readonly legs?: number;
  /** Whether the caller sent a CANCEL. */
  readonly cancelled?: boolean;
  /** re-INVITEs and UPDATEs in the dialog (hold, codec change, session refresh). */
  readonly reInvites?: number;
  /** Whether reliable provisional responses were used (PRACK, RFC 3262). */
  readonly prack?: boolean;
  /** Request and response retransmissions seen in the call's transactions. */
  readonly retransmissions?: number;
}

/** The `analyze --json` contract, schemaVersion 1. Fields may be added, never renamed or removed. */
export interface AnalysisResult {
  readonly schemaVersion: 1;
  readonly inputs: readonly InputReport[];
  readonly summary: {
    readonly messages: number;
    readonly registrations: number;
    readonly calls: number;
    readonly findings: { readonly error: number; readonly warning: number; readonly info: number };
    /** The most frequent failure rules, most frequent first. */
    readonly topCauses: readonly { readonly rule: string; readonly title: string; readonly count: number }[];
    /** Calls in `calls`: fewer than `calls` when the input held more than the limit (maxCalls). */
    readonly callsListed?: number;
    /** Every call by outcome, listed or not. */
    readonly callsByOutcome?: Readonly<Record<string, number>>;
    /** Every call by final status (`none`: no final response), listed or not. */
    readonly callsByFinalStatus?: Readonly<Record<string, number>>;
    /** Findings in `findings`: fewer than the counts when a rule fired more often than the limit per rule. */
    readonly findingsListed?: number;
    /** Every finding by rule, listed or not. */
    readonly findingsByRule?: Readonly<Record<string, number>>;
    /**
     * Messages that belong to transactions or calls already concluded and let go: retransmissions that came after
     * the end, or a later input repeating calls an earlier one held. Counted here, not analysed again.
     */
    readonly lateCopies?: number;
  };
  readonly registrations: readonly RegistrationSummary[];
  readonly calls: readonly CallSummary[];
  readonly findings: readonly Finding[];
}
