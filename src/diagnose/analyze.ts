// analyze(): the whole pipeline, inputs → messages → correlation → findings → the `analyze --json` contract.
import { createCorrelator } from '../correlate/correlator.js';
import type { EvictionPolicy } from '../correlate/correlator.js';
import type { Correlation } from '../correlate/types.js';
import type { AnalysisResult, CallSummary, Finding, JsonValue } from '../model/analysis.js';
import type { InputReport } from '../model/input-report.js';
import type { Issue } from '../model/issue.js';
import type { MessageRecord } from '../model/message-record.js';
import { parseMessage } from '../parse/parse-message.js';
import type { ParseOptions } from '../parse/parse-message.js';
import { readInputs } from '../parse/read-inputs.js';
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
}

export interface Analysis {
  readonly result: AnalysisResult;
  /** The kept messages by index (see `keepMessages`). */
  readonly messages: ReadonlyMap<number, MessageRecord>;
}

/** Incremental analysis for a live view: push messages as they come, take a snapshot when it is time to redraw. */
export interface Analyzer {
  push(record: MessageRecord): void;
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
  dropQuotedWords(drafts);
  drafts.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (a.evidence[0] ?? Infinity) - (b.evidence[0] ?? Infinity));
  const findings: Finding[] = drafts.map((d, i) => ({ id: `F${i + 1}`, ...d }));
  const byCallId = new Map<string, string[]>();
  for (const f of findings) {
    for (const id of f.callIds) {
      const list = byCallId.get(id);
      if (list === undefined) byCallId.set(id, [f.id]);
      else list.push(f.id);
    }
  }
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  const calls = [
    ...finished.calls.map((c) => ({ ...c, findings: [...new Set(byCallId.get(c.callId) ?? [])] })),
    ...correlation.calls.map((c) => summarizeCall(c, byCallId)),
  ].sort((a, b) => (a.messages[0] ?? 0) - (b.messages[0] ?? 0));
  return {
    schemaVersion: 1,
    inputs: inputs.map((r) => ({ ...r, issues: [...r.issues] })),
    summary: {
      messages: correlation.messages,
      registrations: correlation.registrations.length,
      calls: calls.length,
      findings: counts,
      topCauses: rankCauses(findings),
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
function dropQuotedWords(drafts: FindingDraft[]): void {
  const quoted = new Set<string>();
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
 * A message kept for reports: its own copy of the bytes (a record's bytes are a view into the reader's chunk, which
 * would keep the whole chunk alive) and what to parse it again with. Parsing again is cheaper than holding the parsed
 * message with every cache its accessors filled.
 */
interface StoredMessage {
  readonly index: number;
  readonly meta: MessageRecord['meta'];
  readonly raw: Uint8Array;
  readonly issues: readonly Issue[];
}

const STREAM_TRANSPORTS = new Set(['TCP', 'TLS', 'WS', 'WSS']);

function storeMessage(record: MessageRecord): StoredMessage {
  return { index: record.index, meta: record.meta, raw: record.message.raw.slice(), issues: record.message.issues.slice() };
}

function reviveMessage(stored: StoredMessage, parse: ParseOptions | undefined): MessageRecord {
  const stream = stored.meta.transport !== undefined && STREAM_TRANSPORTS.has(stored.meta.transport);
  const message = parseMessage(stored.raw, stream ? { ...parse, stream } : parse);
  // The issues as they stood when read (framing issues included), not a second copy of the parser's.
  message.issues.length = 0;
  message.issues.push(...stored.issues);
  return { index: stored.index, message, meta: stored.meta };
}

/** Creates an incremental analyzer (the live web view feeds it message by message). */
export function createAnalyzer(options: AnalyzeOptions = {}, inputs: readonly InputReport[] = []): Analyzer {
  const k = options.keepMessages ?? 'evidence';
  const keep: KeepMessages = k === true ? 'all' : k === false ? 'none' : k;
  const correlator = createCorrelator();
  const records = new Map<number, StoredMessage>();
  const ruleList = options.rules ?? defaultRules;
  const finishedDrafts: FindingDraft[] = [];
  const finishedCalls: CallSummary[] = [];
  const every = options.eviction === false ? 0 : (options.eviction?.checkEvery ?? 4096);
  let pushed = 0;

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
    finishedDrafts.push(...drafts);
    for (const e of evicted) finishedCalls.push(summarizeCall(e.call, new Map()));
    if (keep === 'evidence') {
      const cited = new Set<number>();
      for (const d of drafts) for (const i of d.evidence) cited.add(i);
      for (const e of evicted) for (const i of e.call.messages) if (!cited.has(i)) records.delete(i);
    }
  }

  function snapshot(): AnalysisResult {
    return diagnose(correlator.snapshot(), inputs, ruleList, { drafts: finishedDrafts, calls: finishedCalls });
  }
  return {
    push(record) {
      correlator.push(record);
      if (keep !== 'none') records.set(record.index, storeMessage(record));
      if (every > 0 && ++pushed % every === 0) evict();
    },
    snapshot,
    analysis() {
      const result = snapshot();
      const kept = new Map<number, MessageRecord>();
      if (keep === 'all') {
        for (const [i, stored] of records) kept.set(i, reviveMessage(stored, options.parse));
        return { result, messages: kept };
      }
      const cited = new Set<number>();
      for (const f of result.findings) for (const i of f.evidence) cited.add(i);
      for (const i of [...cited].sort((a, b) => a - b)) {
        const stored = records.get(i);
        if (stored !== undefined) kept.set(i, reviveMessage(stored, options.parse));
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
  let reports: InputReport[] = [];
  let records: AsyncIterable<MessageRecord>;
  if (isStringList(inputs)) {
    const read = readInputs(inputs, options);
    reports = read.reports;
    records = read.records;
  } else records = inputs;
  const analyzer = createAnalyzer(options, reports);
  for await (const r of records) analyzer.push(r);
  return analyzer.analysis();
}

function isStringList(x: readonly string[] | AsyncIterable<MessageRecord>): x is readonly string[] {
  return Array.isArray(x);
}
