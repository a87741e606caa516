// The rules' one door to the catalog: short, safe lookups that never throw (a rule must not fail on an odd code).
import { describeStatus } from './catalog/describe-status.js';

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

/** Reason phrases of RFC 3261 §21 and later RFCs, used only when the catalog has no entry. */
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

/** What the catalog says about `code` in this context; a neutral answer when it has nothing. */
export function explainStatus(code: number, query: StatusQuery = {}): StatusInfo {
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

/** RFC 3261 §20.43 warn-codes, used only until the catalog has them. */
const FALLBACK_WARNINGS: Readonly<Record<number, string>> = {
  300: 'Incompatible network protocol',
  301: 'Incompatible network address formats',
  302: 'Incompatible transport protocol',
  303: 'Incompatible bandwidth units',
  304: 'Media type not available',
  305: 'Incompatible media format',
  306: 'Attribute not understood',
  307: 'Session description parameter not understood',
  330: 'Multicast not available',
  331: 'Unicast not available',
  370: 'Insufficient bandwidth',
  380: 'SIPS Not Allowed',
  381: 'SIPS Required',
  399: 'Miscellaneous warning',
};

/** What a warn-code means; undefined for a code nobody registered. */
export function explainWarning(code: number): WarningInfo | undefined {
  const text = FALLBACK_WARNINGS[code];
  if (text === undefined) return undefined;
  return { code, text, summary: text, checks: [] };
}

export interface Q850Info {
  readonly cause: number;
  readonly name: string;
  readonly summary: string;
}

/** ITU-T Q.850 cause names, used only until the catalog has them. */
const FALLBACK_Q850: Readonly<Record<number, string>> = {
  1: 'Unallocated (unassigned) number',
  3: 'No route to destination',
  16: 'Normal call clearing',
  17: 'User busy',
  18: 'No user responding',
  19: 'No answer from user (user alerted)',
  21: 'Call rejected',
  27: 'Destination out of order',
  28: 'Invalid number format (address incomplete)',
  31: 'Normal, unspecified',
  34: 'No circuit/channel available',
  38: 'Network out of order',
  41: 'Temporary failure',
  42: 'Switching equipment congestion',
  47: 'Resource unavailable, unspecified',
  58: 'Bearer capability not presently available',
  65: 'Bearer capability not implemented',
  88: 'Incompatible destination',
  102: 'Recovery on timer expiry',
  111: 'Protocol error, unspecified',
  127: 'Interworking, unspecified',
};

/** What a Q.850 cause value means; undefined when unknown. */
export function explainQ850(cause: number): Q850Info | undefined {
  const name = FALLBACK_Q850[cause];
  if (name === undefined) return undefined;
  return { cause, name, summary: name };
}
