// The rules' one door to the catalog: short, safe lookups that never throw (a rule must not fail on an odd code).
import { describeQ850, describeStatus, describeWarning } from './catalog/index.js';

export interface StatusInfo {
  readonly code: number;
  readonly reason: string;
  readonly summary: string;
  /** The meaning for the method the response answered. */
  readonly meaning: string;
  readonly causes: readonly string[];
  readonly checks: readonly string[];
  readonly willNotHelp: readonly string[];
  readonly senders: readonly string[];
  readonly isFault: boolean;
  readonly faultReason: string;
}

export interface StatusQuery {
  readonly method?: string;
  readonly challengeNumber?: number;
  readonly afterCancel?: boolean;
}

/** Reason phrases of RFC 3261 §21, for a code the catalog answers with its class's x00. */
const FALLBACK_REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  420: 'Bad Extension',
  421: 'Extension Required',
  422: 'Session Interval Too Small',
  423: 'Interval Too Brief',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  484: 'Address Incomplete',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  600: 'Busy Everywhere',
  603: 'Decline',
  606: 'Not Acceptable',
};

/**
 * Answers already given, by question: the rules ask about the same few codes for every call, and each answer is a copy
 * of a catalog entry. Bounded, since methods and codes come from the input.
 */
const MAX_REMEMBERED = 4096;
const statusAnswers = new Map<string, StatusInfo>();
const warningAnswers = new Map<number, WarningInfo | undefined>();
const q850Answers = new Map<number, Q850Info | undefined>();

function remember<K, V>(answers: Map<K, V>, key: K, value: V): V {
  if (answers.size >= MAX_REMEMBERED) answers.clear();
  answers.set(key, value);
  return value;
}

/** What the catalog says about `code` in this context; a neutral answer when it has nothing. */
export function explainStatus(code: number, query: StatusQuery = {}): StatusInfo {
  // The method last: the other parts cannot hold a `|`.
  const key = `${code}|${query.challengeNumber ?? ''}|${query.afterCancel ?? ''}|${query.method ?? ''}`;
  return statusAnswers.get(key) ?? remember(statusAnswers, key, lookUpStatus(code, query));
}

function lookUpStatus(code: number, query: StatusQuery): StatusInfo {
  try {
    const context: { method?: string; challengeNumber?: number; afterCancel?: boolean } = {};
    if (query.method !== undefined) context.method = query.method;
    if (query.challengeNumber !== undefined) context.challengeNumber = query.challengeNumber;
    if (query.afterCancel !== undefined) context.afterCancel = query.afterCancel;
    const e = describeStatus(code, context);
    return {
      code,
      reason: e.fallbackFrom === undefined ? e.reason : (FALLBACK_REASONS[code] ?? e.reason),
      summary: e.summary,
      meaning: e.meaning,
      causes: e.causes,
      checks: e.checks,
      willNotHelp: e.willNotHelp,
      senders: e.senders,
      isFault: e.isFault,
      faultReason: e.faultReason,
    };
  } catch {
    const reason = FALLBACK_REASONS[code] ?? `SIP ${Math.floor(code / 100)}xx response`;
    return {
      code,
      reason,
      summary: reason,
      meaning: reason,
      causes: [],
      checks: [],
      willNotHelp: [],
      senders: [],
      isFault: code >= 300,
      faultReason: '',
    };
  }
}

export interface WarningInfo {
  readonly code: number;
  readonly text: string;
  readonly summary: string;
  readonly checks: readonly string[];
}

/** What a warn-code means (the catalog); undefined outside 300-399. */
export function explainWarning(code: number): WarningInfo | undefined {
  return warningAnswers.has(code) ? warningAnswers.get(code) : remember(warningAnswers, code, lookUpWarning(code));
}

function lookUpWarning(code: number): WarningInfo | undefined {
  try {
    const w = describeWarning(code);
    return { code, text: w.text, summary: w.summary, checks: w.checks };
  } catch {
    return undefined;
  }
}

export interface Q850Info {
  readonly cause: number;
  readonly name: string;
  readonly summary: string;
}

/** What a Q.850 cause value means (the catalog); undefined outside 0-127. */
export function explainQ850(cause: number): Q850Info | undefined {
  return q850Answers.has(cause) ? q850Answers.get(cause) : remember(q850Answers, cause, lookUpQ850(cause));
}

function lookUpQ850(cause: number): Q850Info | undefined {
  try {
    const q = describeQ850(cause);
    return { cause, name: q.name, summary: q.summary };
  } catch {
    return undefined;
  }
}
