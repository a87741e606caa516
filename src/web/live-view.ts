// What the page shows of the live analysis: bounded lists, message references as store ids. Plain data, so that it
// crosses from the analysis worker to the server and to the page as it is, and is saved for the next start.
import type { CallOutcome, FindingSeverity, Generator, JsonValue, MessageMeta, RegistrationState } from '../index.js';

/** One message on its way to the analysis: its store id, its bytes and what the feed said of it. */
export interface LiveMessage {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly meta: MessageMeta;
}

export interface AccountView {
  readonly aor: string;
  readonly contact: string | null;
  readonly state: RegistrationState;
  readonly lastStatus: number | null;
  readonly lastReason: string | null;
  /** What the last code means for a REGISTER, from the catalog. */
  readonly lastMeaning: string | null;
  /** ISO 8601 time of the last 2xx, or null. */
  readonly lastSuccess: string | null;
  readonly expiresGranted: number | null;
  readonly attempts: number;
  /** Milliseconds since the epoch of its last message. */
  readonly lastSeen: number | null;
  /** The REGISTER Call-IDs, newest last (the ladder opens the last). */
  readonly callIds: readonly string[];
  readonly findings: readonly string[];
}

export interface CallView {
  readonly callId: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly outcome: CallOutcome;
  readonly finalStatus: number | null;
  readonly finalReason: string | null;
  readonly startTime: string | null;
  readonly postDialDelayMs: number | null;
  readonly setupMs: number | null;
  readonly durationMs: number | null;
  readonly endedBy: 'caller' | 'callee' | null;
  readonly legs: number | null;
  readonly messages: number;
  readonly lastSeen: number | null;
  readonly findings: readonly string[];
}

export interface FindingView {
  /** Stable across snapshots and restarts: rule and the call it is about. */
  readonly key: string;
  readonly rule: string;
  readonly severity: FindingSeverity;
  readonly title: string;
  readonly explanation: string;
  readonly status: number | null;
  readonly callIds: readonly string[];
  /** Store ids of the messages that prove it. */
  readonly evidence: readonly number[];
  readonly causes: readonly string[];
  readonly nextSteps: readonly string[];
  readonly willNotHelp: readonly string[];
  readonly generatedBy: Generator;
  readonly details: { readonly [key: string]: JsonValue };
  /** Milliseconds since the epoch of its newest evidence. */
  readonly seen: number | null;
}

export interface LiveView {
  /** Accounts in trouble first, then the most recently seen. */
  readonly accounts: readonly AccountView[];
  /** Calls in progress, then the most recent. */
  readonly calls: readonly CallView[];
  /** The newest findings first. */
  readonly findings: readonly FindingView[];
  readonly totals: {
    /** Live messages analysed since the history began. */
    readonly messages: number;
    readonly accounts: number;
    readonly calls: number;
    readonly inProgress: number;
    readonly findings: { readonly error: number; readonly warning: number; readonly info: number };
  };
  readonly topCauses: readonly { readonly rule: string; readonly title: string; readonly count: number }[];
  readonly analysis: {
    /** Analyzers so far: a new one takes over every `epochMessages` (see LiveAnalysis). */
    readonly epoch: number;
    readonly epochMessages: number;
    /** How long the last snapshot took. */
    readonly snapshotMs: number;
    readonly at: number;
  };
}

export const EMPTY_VIEW: LiveView = {
  accounts: [],
  calls: [],
  findings: [],
  totals: { messages: 0, accounts: 0, calls: 0, inProgress: 0, findings: { error: 0, warning: 0, info: 0 } },
  topCauses: [],
  analysis: { epoch: 0, epochMessages: 0, snapshotMs: 0, at: 0 },
};
