// analyze(): the whole pipeline, inputs → messages → correlation → findings → the `analyze --json` contract.
import { createCorrelator } from '../correlate/correlator.js';
import type { EvictionPolicy } from '../correlate/correlator.js';
import type { Correlation } from '../correlate/types.js';
import type { AnalysisResult, CallSummary, Finding, JsonValue } from '../model/analysis.js';
import type { InputReport } from '../model/input-report.js';
import type { MessageRecord } from '../model/message-record.js';
import type { RawMessage } from '../model/raw-message.js';
import { extractFacts, scanFacts } from '../correlate/scan-facts.js';
import { MessageStore } from './message-store.js';
import type { StoredMessage } from './message-store.js';
import { parseMessage } from '../parse/parse-message.js';
import type { ParseOptions } from '../parse/parse-message.js';
import { readRawInputs } from '../parse/read-inputs.js';
import type { ReadInputsOptions } from '../parse/read-inputs.js';
import { rules as defaultRules } from './rules/index.js';
import type { FindingDraft, Rule } from './rules/index.js';
import { everRegistered } from './rules/register.js';
import { collectEvidence } from './rules/rule.js';
import { rankCauses, summarizeCall, summarizeRegistration } from './summarize.js';

/** Which parsed messages an analysis keeps for reports: every one, those cited as evidence, or none. */
export type KeepMessages = 'all' | 'evidence' | 'none';

/** The options of readInputs (cwd, stdin, limits, onProgress, signal) apply when `analyze` reads paths. */
export interface AnalyzeOptions extends ReadInputsOptions {
  /**
   * Default `evidence`: the messages findings cite (reports quote them); `none` keeps memory flat on huge inputs.
   * `true` is `all`, `false` is `none`.
   */
  readonly keepMessages?: KeepMessages | boolean;
  /** The rule families to run; default every one. */
  readonly rules?: readonly Rule[];
  /**
   * Calls that are over and idle are diagnosed and let go while reading, so memory stays bounded on long captures.
   * `false` keeps every call to the end (results are the same for inputs shorter than the policy's windows).
   */
  readonly eviction?: (EvictionPolicy & { readonly checkEvery?: number }) | false;
  /**
   * Calls the result lists at most (default 10 000): failed and diagnosed calls are listed before answered ones, and
   * every call is counted in `summary` (callsByOutcome, callsByFinalStatus), so memory stays flat on huge inputs.
   */
  readonly maxCalls?: number;
  /** Findings of one rule listed at most (default 200); the rest are counted in `summary.findingsByRule`. */
  readonly maxFindingsPerRule?: number;
}

export interface Analysis {
  readonly result: AnalysisResult;
  /** The kept messages by index (see `keepMessages`). */
  readonly messages: ReadonlyMap<number, MessageRecord>;
}

/** Incremental analysis for a live view: push messages as they come, take a snapshot when it is time to redraw. */
export interface Analyzer {
  push(record: MessageRecord): void;
  /**
   * A framed message, not parsed: its facts are read straight from its bytes. Numbered after the highest record
   * index pushed so far, in the order pushed; returns the number given.
   */
  pushRaw(raw: RawMessage): number;
  snapshot(): AnalysisResult;
  /** The snapshot and the kept messages. */
  analysis(): Analysis;
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/** What analysis already concluded about calls that left memory (see EvictionPolicy). */
export interface FinishedCalls {
  readonly drafts: readonly FindingDraft[];
  /** Their summaries, `findings` still empty (numbered with the rest at the end). */
  readonly calls: readonly CallSummary[];
  /** Every finished call counted, listed or not. */
  readonly counts?: { readonly total: number; readonly byOutcome: Readonly<Record<string, number>>; readonly byFinalStatus: Readonly<Record<string, number>> };
  /** Findings made and not listed (past maxFindingsPerRule). */
  readonly omitted?: {
    readonly omittedByRule: ReadonlyMap<string, number>;
    readonly omitted: { readonly error: number; readonly warning: number; readonly info: number };
    readonly quoted: ReadonlySet<string>;
  };
  readonly maxFindingsPerRule?: number;
  readonly maxCalls?: number;
}

const NO_FINISHED: FinishedCalls = { drafts: [], calls: [] };

/** Rules whose findings gather many calls; the same finding made for several calls (after eviction) is merged. */
function isGathering(rule: string): boolean {
  return rule.startsWith('net.') || rule.startsWith('words.') || rule === 'reach.no-response';
}

function mergeGathering(drafts: FindingDraft[]): FindingDraft[] {
  const out: FindingDraft[] = [];
  const seen = new Map<string, number>();
  for (const d of drafts) {
    if (!isGathering(d.rule)) {
      out.push(d);
      continue;
    }
    const key = `${d.rule}\u0000${d.title}`;
    const at = seen.get(key);
    if (at === undefined) {
      seen.set(key, out.length);
      out.push(d);
      continue;
    }
    const prev = out[at] as FindingDraft;
    out[at] = {
      ...prev,
      callIds: [...new Set([...prev.callIds, ...d.callIds])].slice(0, 20),
      evidence: collectEvidence(prev.evidence, d.evidence),
    };
  }
  return out;
}

/** Runs the rule families over a correlation, without numbering. */
export function runRules(correlation: Correlation, ruleList: readonly Rule[] = defaultRules): FindingDraft[] {
  const drafts: FindingDraft[] = [];
  for (const rule of ruleList) drafts.push(...rule.run(correlation));
  return drafts;
}

/** Runs the rules over a correlation and numbers the findings; pure, so it can run again on every snapshot. */
export function diagnose(
  correlation: Correlation,
  inputs: readonly InputReport[],
  ruleList: readonly Rule[] = defaultRules,
  finished: FinishedCalls = NO_FINISHED,
): AnalysisResult {
  let drafts: FindingDraft[] = [...finished.drafts, ...runRules(correlation, ruleList)];
  drafts.push(...neverSucceeds(correlation, drafts));
  drafts = mergeGathering(drafts);
  dropQuotedWords(drafts, finished.omitted?.quoted);
  drafts.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (a.evidence[0] ?? Infinity) - (b.evidence[0] ?? Infinity));
  // Past the limit per rule a finding is counted, not listed (findings of calls already let go were limited then).
  const limit = finished.maxFindingsPerRule ?? DEFAULT_MAX_FINDINGS_PER_RULE;
  const byRule = new Map<string, number>();
  const omittedByRule = new Map(finished.omitted?.omittedByRule ?? []);
  const omitted = { error: 0, warning: 0, info: 0, ...finished.omitted?.omitted };
  const listed: FindingDraft[] = [];
  for (const d of drafts) {
    const n = byRule.get(d.rule) ?? 0;
    byRule.set(d.rule, n + 1);
    if (n < limit || isGathering(d.rule)) listed.push(d);
    else {
      omittedByRule.set(d.rule, (omittedByRule.get(d.rule) ?? 0) + 1);
      omitted[d.severity]++;
    }
  }
  const findings: Finding[] = listed.map((d, i) => ({ id: `F${i + 1}`, ...d }));
  const byCallId = new Map<string, string[]>();
  for (const f of findings) {
    for (const id of f.callIds) {
      const list = byCallId.get(id);
      if (list === undefined) byCallId.set(id, [f.id]);
      else list.push(f.id);
    }
  }
  const counts = { error: omitted.error, warning: omitted.warning, info: omitted.info };
  for (const f of findings) counts[f.severity]++;
  const findingsByRule: Record<string, number> = {};
  for (const f of findings) findingsByRule[f.rule] = (findingsByRule[f.rule] ?? 0) + 1;
  for (const [rule, n] of omittedByRule) findingsByRule[rule] = (findingsByRule[rule] ?? 0) + n;
  const live = correlation.calls.map((c) => summarizeCall(c, byCallId));
  const byOutcome: Record<string, number> = { ...finished.counts?.byOutcome };
  const byFinalStatus: Record<string, number> = { ...finished.counts?.byFinalStatus };
  for (const c of live) {
    byOutcome[c.outcome] = (byOutcome[c.outcome] ?? 0) + 1;
    const key = c.finalStatus === null ? 'none' : String(c.finalStatus);
    byFinalStatus[key] = (byFinalStatus[key] ?? 0) + 1;
  }
  const totalCalls = (finished.counts?.total ?? finished.calls.length) + live.length;
  const maxCalls = finished.maxCalls ?? DEFAULT_MAX_CALLS;
  let calls = [...finished.calls.map((c) => ({ ...c, findings: [...new Set(byCallId.get(c.callId) ?? [])] })), ...live];
  if (calls.length > maxCalls) {
    // Calls still in memory join the finished ones under the same limit: diagnosed or failed calls first.
    const problem = (c: CallSummary): boolean => c.outcome !== 'answered' || c.findings.length > 0;
    calls = [...calls.filter(problem), ...calls.filter((c) => !problem(c))].slice(0, maxCalls);
  }
  calls.sort((a, b) => (a.messages[0] ?? 0) - (b.messages[0] ?? 0));
  return {
    schemaVersion: 1,
    inputs: inputs.map((r) => ({ ...r, issues: [...r.issues] })),
    summary: {
      messages: correlation.messages,
      registrations: correlation.registrations.length,
      calls: totalCalls,
      findings: counts,
      topCauses: rankCauses(findings, findingsByRule),
      callsListed: calls.length,
      callsByOutcome: byOutcome,
      callsByFinalStatus: byFinalStatus,
      findingsListed: findings.length,
      findingsByRule,
    },
    registrations: correlation.registrations.map((r) => summarizeRegistration(r, byCallId, correlation.lastAt)),
    calls,
    findings,
  };
}

/** The raw Warning and Reason values a finding's details quote. */
function quotedWords(d: FindingDraft): string[] {
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
function dropQuotedWords(drafts: FindingDraft[], alsoQuoted?: ReadonlySet<string>): void {
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

const STREAM_TRANSPORTS = new Set(['TCP', 'TLS', 'WS', 'WSS']);

function reviveMessage(stored: StoredMessage, parse: ParseOptions | undefined, asRead: boolean): MessageRecord {
  const stream = stored.meta.transport !== undefined && STREAM_TRANSPORTS.has(stored.meta.transport);
  const message = parseMessage(stored.bytes, stream ? { ...parse, stream } : parse);
  if (asRead) {
    // A record pushed as parsed: the issues as they stood when read, not a second copy of the parser's.
    message.issues.length = 0;
    message.issues.push(...stored.issues);
  } else if (stored.issues.length > 0) message.issues.unshift(...stored.issues);
  return { index: stored.index, message, meta: stored.meta };
}

/** Default limits of what one result lists; everything past them is still counted in `summary`. */
export const DEFAULT_MAX_CALLS = 10_000;
export const DEFAULT_MAX_FINDINGS_PER_RULE = 200;

/** The calls a result lists: failures first, all of them counted. */
class CallList {
  readonly problems: CallSummary[] = [];
  readonly clean: CallSummary[] = [];
  #cleanFrom = 0;
  readonly byOutcome: Record<string, number> = {};
  readonly byFinalStatus: Record<string, number> = {};
  total = 0;
  constructor(readonly max: number) {}

  count(c: CallSummary): void {
    this.total++;
    this.byOutcome[c.outcome] = (this.byOutcome[c.outcome] ?? 0) + 1;
    const k = c.finalStatus === null ? 'none' : String(c.finalStatus);
    this.byFinalStatus[k] = (this.byFinalStatus[k] ?? 0) + 1;
  }

  /** Lists a finished call: a problem call pushes out the oldest answered one when the list is full. */
  add(c: CallSummary, problem: boolean): void {
    this.count(c);
    const listed = this.problems.length + this.clean.length - this.#cleanFrom;
    if (listed < this.max) {
      (problem ? this.problems : this.clean).push(c);
      return;
    }
    if (!problem || this.#cleanFrom >= this.clean.length) return;
    this.#cleanFrom++;
    this.problems.push(c);
    if (this.#cleanFrom > 4096 && this.#cleanFrom * 2 > this.clean.length) {
      this.clean.splice(0, this.#cleanFrom);
      this.#cleanFrom = 0;
    }
  }

  listed(): CallSummary[] {
    return [...this.problems, ...this.clean.slice(this.#cleanFrom)];
  }
}

/** Finding drafts kept for calls already let go: at most `max` per rule, the rest counted. */
class DraftList {
  readonly kept: FindingDraft[] = [];
  readonly #perRule = new Map<string, number>();
  readonly #gathered = new Map<string, number>();
  readonly omittedByRule = new Map<string, number>();
  readonly omitted = { error: 0, warning: 0, info: 0 };
  /** Warning and Reason values quoted by findings no longer listed (dropQuotedWords still honours them). */
  readonly quoted = new Set<string>();
  constructor(readonly max: number) {}

  /** Adds drafts; returns those not kept, whose evidence may go. */
  add(drafts: readonly FindingDraft[]): FindingDraft[] {
    const dropped: FindingDraft[] = [];
    for (const d of drafts) {
      if (isGathering(d.rule)) {
        const key = `${d.rule}\u0000${d.title}`;
        const at = this.#gathered.get(key);
        if (at !== undefined) {
          const prev = this.kept[at] as FindingDraft;
          this.kept[at] = mergeDrafts(prev, d);
          continue;
        }
        this.#gathered.set(key, this.kept.length);
        this.kept.push(d);
        continue;
      }
      const n = this.#perRule.get(d.rule) ?? 0;
      this.#perRule.set(d.rule, n + 1);
      if (n < this.max) {
        this.kept.push(d);
        continue;
      }
      this.omittedByRule.set(d.rule, (this.omittedByRule.get(d.rule) ?? 0) + 1);
      this.omitted[d.severity]++;
      if (this.quoted.size < 10_000 && !d.rule.startsWith('words.')) for (const raw of quotedWords(d)) this.quoted.add(raw);
      dropped.push(d);
    }
    return dropped;
  }
}

function mergeDrafts(prev: FindingDraft, d: FindingDraft): FindingDraft {
  return {
    ...prev,
    callIds: [...new Set([...prev.callIds, ...d.callIds])].slice(0, 20),
    evidence: collectEvidence(prev.evidence, d.evidence),
  };
}

/** Creates an incremental analyzer (the live web view feeds it message by message). */
export function createAnalyzer(options: AnalyzeOptions = {}, inputs: readonly InputReport[] = []): Analyzer {
  const k = options.keepMessages ?? 'evidence';
  const keep: KeepMessages = k === true ? 'all' : k === false ? 'none' : k;
  const store = new MessageStore();
  /** Indexes pushed as parsed records (their issues are kept as read). */
  const asRecords = new Set<number>();
  /** Messages cited by findings already made: they stay whatever else lets them go. */
  const cited = new Set<number>();
  const release = (indexes: readonly number[]): void => {
    if (keep !== 'evidence') return;
    for (const i of indexes) {
      if (cited.has(i)) continue;
      store.delete(i);
      asRecords.delete(i);
    }
  };
  const correlator = createCorrelator({ onRelease: release });
  const ruleList = options.rules ?? defaultRules;
  const finishedDrafts = new DraftList(options.maxFindingsPerRule ?? DEFAULT_MAX_FINDINGS_PER_RULE);
  const finishedCalls = new CallList(options.maxCalls ?? DEFAULT_MAX_CALLS);
  const every = options.eviction === false ? 0 : (options.eviction?.checkEvery ?? 4096);
  let pushed = 0;
  let nextRaw = 0;

  /** Diagnoses calls that are over and idle, keeps what they concluded, and lets their messages go. */
  function evict(): void {
    const evicted = correlator.evictIdleCalls(options.eviction === false ? {} : (options.eviction ?? {}));
    if (evicted.length === 0) return;
    const live = correlator.snapshot();
    const part: Correlation = {
      messages: 0,
      transactions: evicted.flatMap((e) => e.transactions),
      calls: evicted.map((e) => e.call),
      registrations: [],
      subscriptions: [],
      keepalives: [],
      others: [],
      lastAt: live.lastAt,
    };
    const drafts = runRules(part, ruleList);
    const dropped = new Set(finishedDrafts.add(drafts));
    const withFindings = new Set<string>();
    for (const d of drafts) {
      for (const id of d.callIds) withFindings.add(id);
      if (!dropped.has(d)) for (const i of d.evidence) cited.add(i);
    }
    for (const e of evicted) {
      const summary = summarizeCall(e.call, new Map());
      finishedCalls.add(summary, summary.outcome !== 'answered' || withFindings.has(e.call.callId));
    }
    if (keep === 'evidence') for (const e of evicted) release(e.call.messages);
  }

  function snapshot(): AnalysisResult {
    return diagnose(correlator.snapshot(), inputs, ruleList, {
      drafts: finishedDrafts.kept,
      calls: finishedCalls.listed(),
      counts: finishedCalls,
      omitted: finishedDrafts,
      maxFindingsPerRule: finishedDrafts.max,
      maxCalls: finishedCalls.max,
    });
  }

  function afterPush(): void {
    if (every > 0 && ++pushed % every === 0) evict();
  }

  return {
    push(record) {
      if (keep !== 'none') {
        store.put(record.index, record.message.raw, record.meta, record.message.issues.slice());
        asRecords.add(record.index);
      }
      correlator.pushFacts(extractFacts(record));
      if (record.index >= nextRaw) nextRaw = record.index + 1;
      afterPush();
    },
    pushRaw(raw) {
      const index = nextRaw++;
      if (keep !== 'none') store.put(index, raw.bytes, raw.meta, raw.issues);
      correlator.pushFacts(scanFacts(raw.bytes, raw.meta, index));
      afterPush();
      return index;
    },
    snapshot,
    analysis() {
      const result = snapshot();
      const kept = new Map<number, MessageRecord>();
      if (keep === 'all') {
        for (const i of [...store.indexes()].sort((a, b) => a - b)) {
          const stored = store.get(i) as StoredMessage;
          kept.set(i, reviveMessage(stored, options.parse, asRecords.has(i)));
        }
        return { result, messages: kept };
      }
      const wanted = new Set<number>();
      for (const f of result.findings) for (const i of f.evidence) wanted.add(i);
      for (const i of [...wanted].sort((a, b) => a - b)) {
        const stored = store.get(i);
        if (stored !== undefined) kept.set(i, reviveMessage(stored, options.parse, asRecords.has(i)));
      }
      return { result, messages: kept };
    },
  };
}

/** Analyses messages already in memory. */
export function analyzeRecords(records: Iterable<MessageRecord>, options: AnalyzeOptions = {}): Analysis {
  const analyzer = createAnalyzer(options);
  for (const r of records) analyzer.push(r);
  return analyzer.analysis();
}

/** Reads the inputs (files, folders, archives, captures, logs) or takes a stream of messages, and analyses them. */
export async function analyze(inputs: readonly string[] | AsyncIterable<MessageRecord>, options: AnalyzeOptions = {}): Promise<Analysis> {
  if (isStringList(inputs)) {
    // Paths: the framed messages go straight to their facts, batch by batch, with no parsed message in between.
    const read = readRawInputs(inputs, options);
    const analyzer = createAnalyzer(options, read.reports);
    for await (const batch of read.batches) for (const raw of batch) analyzer.pushRaw(raw);
    return analyzer.analysis();
  }
  const analyzer = createAnalyzer(options, []);
  for await (const r of inputs) analyzer.push(r);
  return analyzer.analysis();
}

function isStringList(x: readonly string[] | AsyncIterable<MessageRecord>): x is readonly string[] {
  return Array.isArray(x);
}
