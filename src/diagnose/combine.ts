// From correlation to the `analyze --json` contract in two steps: each analyzer turns what it correlated into a
// PartialAnalysis (plain data, so a worker thread can hand it over), and combinePartials numbers the findings of one
// or more of them and lists calls and registrations under the limits.
import type { Correlation } from '../correlate/types.js';
import type { AnalysisResult, CallSummary, Finding, JsonValue, RegistrationSummary } from '../model/analysis.js';
import type { InputReport } from '../model/input-report.js';
import { rules as defaultRules } from './rules/index.js';
import type { FindingDraft, Rule } from './rules/index.js';
import { everRegistered } from './rules/register.js';
import { explainPrivateAddress } from './rules/network.js';
import { explainNoResponse } from './rules/reachability.js';
import { describeMalformed } from './rules/messages.js';
import { explainRejected } from './rules/requests.js';
import { collectEvidence } from './rules/rule.js';
import { indexCorrelation } from './rules/correlation-index.js';
import type { CorrelationIndex } from './rules/correlation-index.js';
import { explainWords } from './rules/words.js';
import { rankCauses, summarizeCall, summarizeRegistration } from './summarize.js';

/** Default limits of what one result lists; everything past them is still counted in `summary`. */
export const DEFAULT_MAX_CALLS = 10_000;
export const DEFAULT_MAX_FINDINGS_PER_RULE = 200;

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/** Findings that tie on severity and first evidence are listed in the order of the rule families. */
const FAMILIES = new Map(defaultRules.map((r, i) => [r.family, i]));
function familyOrder(rule: string): number {
  const dot = rule.indexOf('.');
  return FAMILIES.get(dot < 0 ? rule : rule.slice(0, dot)) ?? FAMILIES.size;
}

export interface CallCounts {
  readonly total: number;
  readonly byOutcome: Readonly<Record<string, number>>;
  readonly byFinalStatus: Readonly<Record<string, number>>;
}

export interface OmittedFindings {
  readonly byRule: readonly (readonly [string, number])[];
  readonly bySeverity: { readonly error: number; readonly warning: number; readonly info: number };
  /** Warning and Reason values quoted by findings not listed (words.* findings still defer to them). */
  readonly quoted: readonly string[];
}

/** What one analyzer concluded, as plain data. Finding drafts are not numbered; calls and registrations carry no ids. */
export interface PartialAnalysis {
  readonly messages: number;
  readonly lastAt: number | null;
  readonly drafts: readonly FindingDraft[];
  /** Call summaries to choose the listed ones from (`findings` filled by combinePartials). */
  readonly calls: readonly CallSummary[];
  /** Every call this analyzer saw, listed or not. */
  readonly callCounts: CallCounts;
  readonly omitted: OmittedFindings;
  /** `findings` filled by combinePartials. */
  readonly registrations: readonly RegistrationSummary[];
  /** Copies of messages of transactions or calls already let go: counted, not analysed again (Correlation). */
  readonly lateCopies: number;
}

export interface CombineLimits {
  readonly maxCalls?: number;
  readonly maxFindingsPerRule?: number;
}

/** What analysis already concluded about calls that left memory (see EvictionPolicy). */
export interface FinishedCalls {
  readonly drafts: readonly FindingDraft[];
  /** Their summaries, `findings` still empty (numbered with the rest at the end). */
  readonly calls: readonly CallSummary[];
  /** Every finished call counted, listed or not (default: the calls given). */
  readonly counts?: CallCounts;
  readonly omitted?: OmittedFindings;
}

const NO_OMITTED: OmittedFindings = { byRule: [], bySeverity: { error: 0, warning: 0, info: 0 }, quoted: [] };

/** Rules whose findings gather many calls; the same finding made for several calls (after eviction) is merged. */
export function isGathering(rule: string): boolean {
  return rule.startsWith('net.') || rule.startsWith('words.') || rule === 'reach.no-response' || rule === 'msg.malformed' || rule === 'request.rejected';
}

/**
 * The same gathering finding made twice (in two eviction batches, or in two shares of the input): one finding with
 * the calls, the evidence and the counts of both, its explanation said again with the sums.
 */
export function mergeDrafts(x: FindingDraft, y: FindingDraft): FindingDraft {
  // Whatever order the two come in, the one whose evidence starts first speaks for both, and the lists are sorted:
  // merging is then the same in one thread and across several.
  const [prev, d] = (y.evidence[0] ?? Infinity) < (x.evidence[0] ?? Infinity) ? [y, x] : [x, y];
  const merged: FindingDraft = {
    ...prev,
    callIds: [...new Set([...prev.callIds, ...d.callIds])].sort().slice(0, 20),
    evidence: collectEvidence(prev.evidence, d.evidence),
  };
  const a = prev.details;
  const b = d.details;
  const num = (x: JsonValue | undefined): number => (typeof x === 'number' ? x : 0);
  if (prev.rule === 'msg.malformed') return mergeMalformed(merged, a, b);
  if (prev.rule === 'net.private-address') {
    // Received and rport are those of the earliest answer that showed either, in whichever part it was.
    const text = (x: JsonValue | undefined): string | undefined => (typeof x === 'string' ? x : undefined);
    const at = (x: JsonValue | undefined): number => (typeof x === 'number' ? x : Infinity);
    const from = at(b['receivedIn']) < at(a['receivedIn']) ? b : a;
    const received = from['received'] ?? null;
    const rport = from['rport'] ?? null;
    return {
      ...merged,
      details: { ...a, received, rport, receivedIn: from['receivedIn'] ?? null },
      explanation: explainPrivateAddress(String(a['sourceAddress']), text(a['privateContact']), text(a['privateVia']), text(received), typeof rport === 'number' ? rport : null),
    };
  }
  if (prev.rule === 'reach.no-response' && typeof a['requests'] === 'number') {
    const details: Record<string, JsonValue> = { ...a, requests: num(a['requests']) + num(b['requests']), copies: num(a['copies']) + num(b['copies']), spanMs: Math.max(num(a['spanMs']), num(b['spanMs'])) };
    const upstream = typeof a['upstream'] === 'string' ? a['upstream'] : typeof b['upstream'] === 'string' ? b['upstream'] : undefined;
    return {
      ...merged,
      details: { ...details, ...(upstream !== undefined && { upstream }) },
      explanation: explainNoResponse({
        method: String(details['method']),
        target: String(details['target']),
        requestUri: String(details['requestUri'] ?? ''),
        transport: String(details['transport']),
        copies: num(details['copies']),
        requests: num(details['requests']),
        spanMs: num(details['spanMs']),
        forwarded: details['forwarded'] === true,
        ...(upstream !== undefined && { upstream }),
      }),
    };
  }
  if (prev.rule === 'request.rejected' && typeof a['times'] === 'number') {
    const times = num(a['times']) + num(b['times']);
    return {
      ...merged,
      details: { ...a, times },
      explanation: explainRejected(String(a['kind']), String(a['method']), String(a['target']), String(a['answer']), times, String(a['words'])),
    };
  }
  if (prev.rule.startsWith('words.') && typeof a['times'] === 'number') {
    const times = num(a['times']) + num(b['times']);
    return { ...merged, details: { ...a, times }, explanation: explainWords(String(a['what']), String(a['line']), times) };
  }
  return merged;
}

function mergeMalformed(merged: FindingDraft, a: FindingDraft['details'], b: FindingDraft['details']): FindingDraft {
  const count = (x: JsonValue | undefined): number => (typeof x === 'number' ? x : 0);
  const byCode: Record<string, number> = {};
  const senders = new Set<string>();
  for (const d of [a, b]) {
    const codes = d['byCode'];
    if (codes !== null && typeof codes === 'object' && !Array.isArray(codes)) {
      for (const [k, v] of Object.entries(codes as Record<string, JsonValue>)) byCode[k] = (byCode[k] ?? 0) + count(v);
    }
    const from = d['senders'];
    if (Array.isArray(from)) for (const x of from) if (typeof x === 'string') senders.add(x);
  }
  const sorted = Object.fromEntries(Object.entries(byCode).sort((x, y) => x[0].localeCompare(y[0])));
  const list = [...senders].sort();
  const messages = count(a['messages']) + count(b['messages']);
  return { ...merged, ...describeMalformed(messages, sorted, list), details: { ...a, messages, byCode: sorted, senders: list.slice(0, 20) } };
}

/** Which findings are one: the same rule and title, and msg.malformed whatever it counts. */
export function gatherKey(d: FindingDraft): string {
  return d.rule === 'msg.malformed' ? d.rule : `${d.rule}\u0000${d.title}`;
}

function mergeGathering(drafts: readonly FindingDraft[]): FindingDraft[] {
  const out: FindingDraft[] = [];
  const seen = new Map<string, number>();
  for (const d of drafts) {
    if (!isGathering(d.rule)) {
      out.push(d);
      continue;
    }
    const key = gatherKey(d);
    const at = seen.get(key);
    if (at === undefined) {
      seen.set(key, out.length);
      // Sorted as a merge sorts them, so that a finding made once reads as one made of several parts.
      out.push({ ...d, callIds: [...new Set(d.callIds)].sort().slice(0, 20) });
    } else out[at] = mergeDrafts(out[at] as FindingDraft, d);
  }
  return out;
}

/** Runs the rule families over a correlation, without numbering; they share one index of it. */
export function runRules(correlation: Correlation, ruleList: readonly Rule[] = defaultRules, index: CorrelationIndex = indexCorrelation(correlation)): FindingDraft[] {
  const drafts: FindingDraft[] = [];
  for (const rule of ruleList) drafts.push(...rule.run(correlation, index));
  return drafts;
}

/** The raw Warning and Reason values a finding's details quote. */
export function quotedWords(d: FindingDraft): string[] {
  const out: string[] = [];
  for (const key of ['warnings', 'reasons']) {
    const list = d.details[key];
    if (!Array.isArray(list)) continue;
    for (const item of list as readonly JsonValue[]) {
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
        const raw = (item as { readonly [k: string]: JsonValue })['raw'];
        if (typeof raw === 'string') out.push(raw);
      }
    }
  }
  return out;
}

/**
 * A words.* finding repeats what another finding already quotes and decodes: keep the Warning/Reason findings only
 * for values no other finding carries in its details.
 */
function dropQuotedWords(drafts: FindingDraft[], alsoQuoted: readonly string[]): void {
  const quoted = new Set<string>(alsoQuoted);
  for (const d of drafts) if (!d.rule.startsWith('words.')) for (const raw of quotedWords(d)) quoted.add(raw);
  for (let i = drafts.length - 1; i >= 0; i--) {
    const d = drafts[i] as FindingDraft;
    if (d.rule.startsWith('words.') && quotedWords(d).every((raw) => quoted.has(raw))) drafts.splice(i, 1);
  }
}

/** RFC 3261 §10.2: a registration with no 2xx at all that no more specific rule explained. */
function neverSucceeds(c: Correlation, drafts: readonly FindingDraft[]): FindingDraft[] {
  const explained = new Set<string>();
  for (const d of drafts) if (d.severity === 'error') for (const id of d.callIds) explained.add(id);
  const out: FindingDraft[] = [];
  for (const reg of c.registrations) {
    if (everRegistered(reg) || reg.transactions.length === 0) continue;
    if (reg.callIds.some((id) => explained.has(id))) continue;
    const finals = reg.transactions.flatMap((t) => (t.final === undefined ? [] : [t.final]));
    const last = finals[finals.length - 1];
    if (last === undefined) continue; // no answer at all, or still pending: reach.no-response speaks for it
    if ((last.status === 401 || last.status === 407) && finals.length === 1) continue; // a first challenge, then the data ends
    out.push({
      rule: 'register.never-succeeds',
      severity: 'error',
      title: `${reg.aor} never registers: last answer ${last.status ?? '?'} ${last.reason ?? ''}`.trimEnd(),
      explanation: `None of the ${reg.transactions.length} REGISTER transactions for ${reg.aor} was accepted; the last answer was ${last.status ?? '?'} ${last.reason ?? ''}.`,
      status: last.status ?? null,
      callIds: [...reg.callIds],
      evidence: collectEvidence(finals.map((f) => f.index)),
      causes: ['See the answers: the registrar refuses this account as configured.'],
      nextSteps: ['Compare the account settings (user, domain, registrar, transport) with the provider\'s.'],
      willNotHelp: [],
      generatedBy: 'registrar',
      details: { statuses: finals.map((f) => f.status ?? null) },
    });
  }
  return out;
}

/**
 * The partial analysis of a correlation: the rules run over what is still in memory, joined to what was concluded
 * about calls already let go. `lastAt` overrides the correlation's own last time (a worker sees only its share).
 */
export function partialOf(
  correlation: Correlation,
  ruleList: readonly Rule[] = defaultRules,
  finished: FinishedCalls = { drafts: [], calls: [] },
  lastAt: number | null = correlation.lastAt,
): PartialAnalysis {
  const c = lastAt === correlation.lastAt ? correlation : { ...correlation, lastAt };
  const index = indexCorrelation(c);
  const drafts: FindingDraft[] = [...finished.drafts, ...runRules(c, ruleList, index)];
  drafts.push(...neverSucceeds(c, drafts));
  const none = new Map<string, string[]>();
  const live = c.calls.map((call) => summarizeCall(call, none, index.viewOf(call)));
  const byOutcome: Record<string, number> = { ...finished.counts?.byOutcome };
  const byFinalStatus: Record<string, number> = { ...finished.counts?.byFinalStatus };
  if (finished.counts === undefined) for (const s of finished.calls) countCall(s, byOutcome, byFinalStatus);
  for (const s of live) countCall(s, byOutcome, byFinalStatus);
  return {
    messages: c.messages,
    lastAt,
    drafts,
    calls: [...finished.calls, ...live],
    callCounts: { total: (finished.counts?.total ?? finished.calls.length) + live.length, byOutcome, byFinalStatus },
    omitted: finished.omitted ?? NO_OMITTED,
    registrations: c.registrations.map((r) => summarizeRegistration(r, none, lastAt)),
    lateCopies: c.lateCopies ?? 0,
  };
}

function countCall(c: CallSummary, byOutcome: Record<string, number>, byFinalStatus: Record<string, number>): void {
  byOutcome[c.outcome] = (byOutcome[c.outcome] ?? 0) + 1;
  const key = c.finalStatus === null ? 'none' : String(c.finalStatus);
  byFinalStatus[key] = (byFinalStatus[key] ?? 0) + 1;
}

/** The same counts with keys in order, so that results compare equal however they were counted. */
function sortedKeys(counts: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/** Numbers the findings of one or more partial analyses and lists calls and registrations under the limits. */
export function combinePartials(parts: readonly PartialAnalysis[], inputs: readonly InputReport[], limits: CombineLimits = {}): AnalysisResult {
  let drafts = mergeGathering(parts.flatMap((p) => p.drafts));
  dropQuotedWords(drafts, parts.flatMap((p) => p.omitted.quoted));
  drafts.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      (a.evidence[0] ?? Infinity) - (b.evidence[0] ?? Infinity) ||
      familyOrder(a.rule) - familyOrder(b.rule),
  );
  // Past the limit per rule a finding is counted, not listed (findings of calls already let go were limited then).
  const limit = limits.maxFindingsPerRule ?? DEFAULT_MAX_FINDINGS_PER_RULE;
  const perRule = new Map<string, number>();
  const omittedByRule = new Map<string, number>();
  const omitted = { error: 0, warning: 0, info: 0 };
  for (const p of parts) {
    for (const [rule, n] of p.omitted.byRule) omittedByRule.set(rule, (omittedByRule.get(rule) ?? 0) + n);
    omitted.error += p.omitted.bySeverity.error;
    omitted.warning += p.omitted.bySeverity.warning;
    omitted.info += p.omitted.bySeverity.info;
  }
  const listed: FindingDraft[] = [];
  for (const d of drafts) {
    const n = perRule.get(d.rule) ?? 0;
    perRule.set(d.rule, n + 1);
    if (n < limit || isGathering(d.rule)) listed.push(d);
    else {
      omittedByRule.set(d.rule, (omittedByRule.get(d.rule) ?? 0) + 1);
      omitted[d.severity]++;
    }
  }
  drafts = listed;
  const findings: Finding[] = drafts.map((d, i) => ({ id: `F${i + 1}`, ...d }));
  const byCallId = new Map<string, string[]>();
  for (const f of findings) {
    for (const id of f.callIds) {
      const list = byCallId.get(id);
      if (list === undefined) byCallId.set(id, [f.id]);
      else list.push(f.id);
    }
  }
  const idsFor = (callIds: readonly string[]): string[] => {
    const out = new Set<string>();
    for (const id of callIds) for (const f of byCallId.get(id) ?? []) out.add(f);
    return [...out];
  };
  const counts = { ...omitted };
  for (const f of findings) counts[f.severity]++;
  const findingsByRule: Record<string, number> = {};
  for (const f of findings) findingsByRule[f.rule] = (findingsByRule[f.rule] ?? 0) + 1;
  for (const [rule, n] of omittedByRule) findingsByRule[rule] = (findingsByRule[rule] ?? 0) + n;

  const byOutcome: Record<string, number> = {};
  const byFinalStatus: Record<string, number> = {};
  let totalCalls = 0;
  for (const p of parts) {
    totalCalls += p.callCounts.total;
    addCounts(byOutcome, p.callCounts.byOutcome);
    addCounts(byFinalStatus, p.callCounts.byFinalStatus);
  }
  const maxCalls = limits.maxCalls ?? DEFAULT_MAX_CALLS;
  let calls: CallSummary[] = parts.flatMap((p) => p.calls).map((c) => ({ ...c, findings: idsFor([c.callId]) }));
  calls.sort((a, b) => (a.messages[0] ?? 0) - (b.messages[0] ?? 0));
  if (calls.length > maxCalls) {
    // Calls that were not answered are listed first, then answered ones, each in the order they began; every call
    // is counted in the summary.
    const answered = (c: CallSummary): boolean => c.outcome === 'answered';
    const keep = new Set([...calls.filter((c) => !answered(c)), ...calls.filter(answered)].slice(0, maxCalls));
    calls = calls.filter((c) => keep.has(c));
  }
  // In the order they were first seen (one analyzer meets them so; the shares of several are put back in that order).
  const registrations = parts
    .flatMap((p) => p.registrations)
    .map((r) => ({ ...r, findings: idsFor(r.callIds) }))
    .sort((a, b) => (a.firstMessage ?? 0) - (b.firstMessage ?? 0));
  return {
    schemaVersion: 1,
    inputs: inputs.map((r) => ({ ...r, issues: [...r.issues] })),
    summary: {
      messages: parts.reduce((n, p) => n + p.messages, 0),
      registrations: registrations.length,
      calls: totalCalls,
      findings: counts,
      topCauses: rankCauses(findings, findingsByRule),
      callsListed: calls.length,
      callsByOutcome: sortedKeys(byOutcome),
      callsByFinalStatus: sortedKeys(byFinalStatus),
      findingsListed: findings.length,
      findingsByRule: sortedKeys(findingsByRule),
      lateCopies: parts.reduce((n, p) => n + p.lateCopies, 0),
    },
    registrations,
    calls,
    findings,
  };
}

/** Runs the rules over a correlation and numbers the findings; pure, so it can run again on every snapshot. */
export function diagnose(
  correlation: Correlation,
  inputs: readonly InputReport[],
  ruleList: readonly Rule[] = defaultRules,
  finished: FinishedCalls = { drafts: [], calls: [] },
  limits: CombineLimits = {},
): AnalysisResult {
  return combinePartials([partialOf(correlation, ruleList, finished)], inputs, limits);
}
