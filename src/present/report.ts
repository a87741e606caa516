import type { AnalysisResult, CallSummary, Finding, MessageRecord, RegistrationSummary } from '../model/index.js';
import type { MessageView } from './message-view.js';
import { viewMessage } from './message-view.js';
import type { RedactLevel } from './redact.js';
import { createRedactor, redactResult, redactView } from './redact.js';
import type { MessageFilter } from './filter.js';
import { matchFilters } from './filter.js';

/** What every report format works on: the analysis and the messages it cites, already redacted and filtered. */
export interface Report {
  readonly result: AnalysisResult;
  /** The messages the report may show, in reading order. */
  readonly messages: readonly MessageView[];
  readonly byIndex: ReadonlyMap<number, MessageView>;
  readonly redaction: RedactLevel;
  /** The filters applied, as the user wrote them. */
  readonly filters: readonly string[];
}

export interface BuildReportOptions {
  readonly redact?: RedactLevel;
  readonly filters?: readonly MessageFilter[];
  /**
   * Which messages the report holds: `all` (default), `evidence` (what findings cite: enough for the terminal,
   * Markdown and JSON), or `html` (evidence, the messages of the flows the HTML report draws, and the first
   * HTML_MAX_MESSAGES). Smaller scopes keep large inputs quick.
   */
  readonly scope?: 'all' | 'evidence' | 'html';
}

/** The HTML report draws at most this many ladders: those with error or warning findings first. */
export const HTML_MAX_FLOWS = 300;
/** The HTML report holds at most this many raw messages besides the evidence and the drawn flows. */
export const HTML_MAX_MESSAGES = 3000;

/** A call or registration the HTML report can draw. */
export interface FlowRef {
  readonly kind: 'registration' | 'call';
  /** Position in result.registrations or result.calls. */
  readonly at: number;
  readonly messages: readonly number[];
}

/** Whether a flow can be drawn whole: it has messages and every one is at hand. */
export function isWhole(messages: readonly number[], available: (index: number) => boolean): boolean {
  return messages.length > 0 && messages.every(available);
}

/**
 * The flows to draw, in report order (registrations, then calls), choosing those with error or warning findings first.
 * With `available`, only flows whose every message is at hand (an analysis that kept `flows` has a few hundred).
 */
export function pickFlows(result: AnalysisResult, max = HTML_MAX_FLOWS, available?: (index: number) => boolean): FlowRef[] {
  const severe = new Set(result.findings.filter((f) => f.severity !== 'info').map((f) => f.id));
  const all: (FlowRef & { weight: number; order: number })[] = [
    ...result.registrations.map((r, at) => ({ kind: 'registration' as const, at, messages: r.messages, weight: r.findings.some((id) => severe.has(id)) ? 0 : 1 })),
    ...result.calls.map((c, at) => ({ kind: 'call' as const, at, messages: c.messages, weight: c.findings.some((id) => severe.has(id)) ? 0 : 1 })),
  ].map((f, order) => ({ ...f, order }));
  const drawable = available === undefined ? all : all.filter((f) => isWhole(f.messages, available));
  const chosen = [...drawable].sort((a, b) => a.weight - b.weight || a.order - b.order).slice(0, max);
  return chosen.sort((a, b) => a.order - b.order).map(({ kind, at, messages }) => ({ kind, at, messages }));
}

/**
 * Puts an analysis and its messages together for the formatters. Filters keep the calls and registrations that have
 * at least one matching message (whole, so their flow stays complete), the findings about them, and recount the
 * summary; redaction is applied last to every string, so no format can leak what another hides.
 */
export function buildReport(
  result: AnalysisResult,
  records: ReadonlyMap<number, MessageRecord> | Iterable<MessageRecord>,
  options: BuildReportOptions = {},
): Report {
  const list = [...(records instanceof Map ? records.values() : (records as Iterable<MessageRecord>))].sort(
    (a, b) => a.index - b.index,
  );
  let kept = result;
  const filters = options.filters ?? [];
  const scope = options.scope ?? 'all';
  // Without filters, only the messages the chosen scope shows need a view (viewing 100 000 messages takes seconds).
  const wanted = filters.length > 0 || scope === 'all' ? undefined : scopeIndexes(result, list, scope);
  let views = (wanted === undefined ? list : list.filter((r) => wanted.has(r.index))).map(viewMessage);
  if (filters.length > 0) {
    const matching = views.filter((v) => matchFilters(v, filters));
    kept = restrictResult(result, new Set(matching.map((v) => v.index)));
    const shown = new Set(matching.map((v) => v.index));
    for (const c of kept.calls) for (const i of c.messages) shown.add(i);
    for (const r of kept.registrations) for (const i of r.messages) shown.add(i);
    if (scope !== 'all') {
      const inScope = scopeIndexes(kept, list, scope);
      const matched = new Set(matching.map((v) => v.index));
      for (const i of [...shown]) if (!inScope.has(i) && !matched.has(i)) shown.delete(i);
    }
    views = views.filter((v) => shown.has(v.index));
  }
  const level = options.redact ?? 'none';
  const redactor = createRedactor(level, list);
  views = views.map((v) => redactView(v, redactor));
  kept = redactResult(kept, redactor);
  return {
    result: kept,
    messages: views,
    byIndex: new Map(views.map((v) => [v.index, v])),
    redaction: level,
    filters: filters.map((f) => f.text),
  };
}

function scopeIndexes(result: AnalysisResult, records: readonly MessageRecord[], scope: 'evidence' | 'html'): Set<number> {
  const out = new Set<number>(result.findings.flatMap((f) => f.evidence));
  if (scope === 'html') {
    const at = new Set(records.map((r) => r.index));
    for (const f of pickFlows(result, HTML_MAX_FLOWS, (i) => at.has(i))) for (const i of f.messages) out.add(i);
    for (const r of records.slice(0, HTML_MAX_MESSAGES)) out.add(r.index);
  }
  return out;
}

/** Keeps what touches the matching messages, and recounts the summary. */
function restrictResult(result: AnalysisResult, matching: ReadonlySet<number>): AnalysisResult {
  const touches = (indexes: readonly number[]): boolean => indexes.some((i) => matching.has(i));
  const calls: CallSummary[] = result.calls.filter((c) => touches(c.messages));
  const registrations: RegistrationSummary[] = result.registrations.filter((r) => touches(r.messages));
  const keptIds = new Set<string>([...calls.flatMap((c) => c.findings), ...registrations.flatMap((r) => r.findings)]);
  const findings: Finding[] = result.findings.filter((f) => keptIds.has(f.id) || touches(f.evidence));
  const counts = { error: 0, warning: 0, info: 0 };
  const byRule = new Map<string, { rule: string; title: string; count: number }>();
  for (const f of findings) {
    counts[f.severity]++;
    if (f.severity === 'info') continue;
    const e = byRule.get(f.rule) ?? { rule: f.rule, title: f.title, count: 0 };
    e.count++;
    byRule.set(f.rule, e);
  }
  return {
    ...result,
    summary: {
      ...result.summary,
      messages: matching.size,
      registrations: registrations.length,
      calls: calls.length,
      findings: counts,
      topCauses: [...byRule.values()].sort((a, b) => b.count - a.count),
    },
    registrations,
    calls,
    findings,
  };
}

/** Messages of a call or registration, in order, that the report has. */
export function messagesOf(report: Report, indexes: readonly number[]): MessageView[] {
  const out: MessageView[] = [];
  for (const i of indexes) {
    const v = report.byIndex.get(i);
    if (v !== undefined) out.push(v);
  }
  return out.sort((a, b) => a.index - b.index);
}

/** Whether any finding is at `threshold` severity or worse (`error` > `warning` > `info`). */
export function hasFindingsAtOrAbove(result: AnalysisResult, threshold: 'error' | 'warning'): boolean {
  const { error, warning } = result.summary.findings;
  return threshold === 'error' ? error > 0 : error + warning > 0;
}
