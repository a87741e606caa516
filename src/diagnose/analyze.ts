// analyze(): the whole pipeline, inputs → messages → correlation → findings → the `analyze --json` contract.
import { createCorrelator } from '../correlate/correlator.js';
import type { Correlation } from '../correlate/types.js';
import type { AnalysisResult, Finding, JsonValue } from '../model/analysis.js';
import type { InputReport } from '../model/input-report.js';
import type { MessageRecord } from '../model/message-record.js';
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

/** Runs the rules over a correlation and numbers the findings; pure, so it can run again on every snapshot. */
export function diagnose(correlation: Correlation, inputs: readonly InputReport[], ruleList: readonly Rule[] = defaultRules): AnalysisResult {
  const drafts: FindingDraft[] = [];
  for (const rule of ruleList) drafts.push(...rule.run(correlation));
  drafts.push(...neverSucceeds(correlation, drafts));
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
  return {
    schemaVersion: 1,
    inputs: inputs.map((r) => ({ ...r, issues: [...r.issues] })),
    summary: {
      messages: correlation.messages,
      registrations: correlation.registrations.length,
      calls: correlation.calls.length,
      findings: counts,
      topCauses: rankCauses(findings),
    },
    registrations: correlation.registrations.map((r) => summarizeRegistration(r, byCallId)),
    calls: correlation.calls.map((c) => summarizeCall(c, byCallId)),
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

/** Creates an incremental analyzer (the live web view feeds it message by message). */
export function createAnalyzer(options: AnalyzeOptions = {}, inputs: readonly InputReport[] = []): Analyzer {
  const k = options.keepMessages ?? 'evidence';
  const keep: KeepMessages = k === true ? 'all' : k === false ? 'none' : k;
  const correlator = createCorrelator();
  const records = new Map<number, MessageRecord>();
  const ruleList = options.rules ?? defaultRules;
  function snapshot(): AnalysisResult {
    return diagnose(correlator.snapshot(), inputs, ruleList);
  }
  return {
    push(record) {
      correlator.push(record);
      if (keep !== 'none') records.set(record.index, record);
    },
    snapshot,
    analysis() {
      const result = snapshot();
      if (keep !== 'evidence') return { result, messages: records };
      const cited = new Set<number>();
      for (const f of result.findings) for (const i of f.evidence) cited.add(i);
      const kept = new Map<number, MessageRecord>();
      for (const i of [...cited].sort((a, b) => a - b)) {
        const r = records.get(i);
        if (r !== undefined) kept.set(i, r);
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
