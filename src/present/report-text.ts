import { createColors } from 'picocolors';
import type { AnalysisResult, CallSummary, Finding, RegistrationSummary } from '../model/index.js';
import type { MessageView } from './message-view.js';
import type { Report } from './report.js';
import { formatTable, sanitizeForTerminal, wrapText } from './text-table.js';

export interface TextReportOptions {
  /** ANSI colours (a terminal that wants them). */
  readonly color: boolean;
  /** Box-drawn tables and Unicode marks; false gives plain ASCII-friendly text. */
  readonly unicode: boolean;
  /** Line width for wrapped explanations (default 100). */
  readonly width?: number;
  /** Most evidence messages quoted per finding (default 6). */
  readonly maxEvidence?: number;
  /** Most findings written out in full (default 40); the rest are counted, and are in --html, --md and --json. */
  readonly maxFindings?: number;
  /** Most rows of the accounts and calls tables (default 50), failures first. */
  readonly maxRows?: number;
}

const MAX_EVIDENCE = 6;

/** Outcome words as a person says them. */
export function describeOutcome(c: CallSummary): string {
  switch (c.outcome) {
    case 'answered':
      return 'answered';
    case 'busy':
      return 'busy';
    case 'declined':
      return 'declined';
    case 'cancelled':
      return 'cancelled by caller';
    case 'no-answer':
      return 'not answered';
    case 'rejected':
      return 'rejected';
    case 'failed':
      return 'failed';
    case 'no-response':
      return 'no response';
    case 'in-progress':
      return 'in progress';
  }
}

/** `486 Busy Here`, or `no response`. */
export function formatStatus(code: number | null, reason: string | null): string {
  if (code === null) return 'no response';
  return `${code}${reason ? ` ${reason}` : ''}`;
}

/** `2026-11-24 18:22:27.680` from an ISO 8601 time (UTC), or '' for null. */
export function formatIso(iso: string | null): string {
  return iso === null ? '' : iso.replace('T', ' ').replace('Z', '');
}

/** A duration in ms as `850 ms` or `12.3 s`. */
export function formatMs(ms: number | null): string {
  if (ms === null) return '';
  return ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The one line that says where a message was seen. */
export function describeMessageHead(m: MessageView, arrow = '→'): string {
  const parts = [`#${m.index}`];
  if (m.timeLabel) parts.push(m.timeLabel);
  parts.push(`${m.src} ${arrow} ${m.dst}`);
  if (m.transport) parts.push(m.transport);
  parts.push(`(${m.origin})`);
  return parts.join('  ');
}

/** The terminal report of `siplens analyze`. */
export function formatTextReport(report: Report, options: TextReportOptions): string {
  const c = createColors(options.color);
  const u = options.unicode;
  const width = options.width ?? 100;
  const maxEvidence = options.maxEvidence ?? MAX_EVIDENCE;
  const maxRows = options.maxRows ?? 50;
  const { result } = report;
  const s = sanitizeForTerminal;
  const out: string[] = [];
  const heading = (text: string): void => {
    out.push('');
    out.push(c.bold(c.underline(text)));
  };
  const sev = (f: Finding): string => {
    const tag = f.severity.toUpperCase();
    return f.severity === 'error' ? c.red(c.bold(tag)) : f.severity === 'warning' ? c.yellow(c.bold(tag)) : c.blue(tag);
  };
  const fs = result.summary.findings;
  out.push(c.bold('siplens analysis'));
  const topInputs = result.inputs.filter((i) => i.parent === undefined).length;
  out.push(
    `${result.summary.messages} SIP messages from ${topInputs} input${topInputs === 1 ? '' : 's'}; ` +
      `${describeAccountCount(result)}, ` +
      `${result.summary.calls} call${result.summary.calls === 1 ? '' : 's'}; findings: ` +
      `${fs.error > 0 ? c.red(`${fs.error} error${fs.error === 1 ? '' : 's'}`) : '0 errors'}, ` +
      `${fs.warning > 0 ? c.yellow(`${fs.warning} warning${fs.warning === 1 ? '' : 's'}`) : '0 warnings'}, ${fs.info} info`,
  );
  if (report.filters.length > 0) out.push(c.dim(`filtered by ${report.filters.join(', ')}`));
  if (report.redaction !== 'none') {
    out.push(c.dim(report.redaction === 'all' ? 'redacted: secrets, users, numbers and addresses (pseudonyms)' : 'redacted: passwords, nonces, digest responses'));
  }

  heading('Inputs read');
  if (result.inputs.length === 0) out.push('  (none)');
  else {
    out.push(
      formatTable(
        ['input', 'kind', 'format', 'SIP messages', 'skipped'],
        result.inputs.map((i) => [
          i.parent !== undefined && i.path.startsWith(i.parent) ? `${u ? '└ ' : '- '}${i.path.slice(i.parent.length)}` : i.path,
          i.kind,
          i.format ?? '',
          String(i.messages),
          String(i.skipped),
        ]),
        { boxed: u, maxCellWidth: 60, header: c.bold },
      ).trimEnd(),
    );
    const issues = result.inputs.flatMap((i) => i.issues.map((is) => ({ input: i.path, issue: is })));
    if (issues.length > 0) {
      out.push(c.dim(`Skipped or partly read (${issues.length}):`));
      for (const { input, issue } of issues.slice(0, 20)) {
        const where = issue.origin ? `${issue.origin.path}${issue.origin.line !== undefined ? `:${issue.origin.line}` : ''}` : input;
        out.push(wrapText(`${issue.severity === 'error' ? c.red('✗') : c.yellow('!')} ${s(where)}: ${s(issue.message)} ${c.dim(`[${issue.code}]`)}`, width, '  '));
      }
      if (issues.length > 20) out.push(c.dim(`  … and ${issues.length - 20} more (see --json)`));
    }
  }
  const late = result.summary.lateCopies ?? 0;
  if (late > 0) {
    const what = `${late} message${late === 1 ? '' : 's'} came after ${late === 1 ? 'its' : 'their'} transaction or call had been concluded`;
    out.push(wrapText(c.dim(`${what} (late retransmissions, or a later input repeating calls of an earlier one): counted, not analysed again.`), width, ''));
  }

  heading('Accounts (registration state)');
  if (result.registrations.length === 0) out.push('  No REGISTER seen.');
  else {
    const allAccounts = groupAccounts(result.registrations, (i) => report.byIndex.get(i)?.time ?? null);
    const accounts = pickRows(allAccounts, maxRows, (a) => a.latest.state !== 'registered');
    const rows = accounts.map(({ latest: r, all }) => [
      r.aor,
      r.state,
      formatStatus(r.lastStatus, r.lastReason),
      r.expiresGranted !== null ? `${r.expiresGranted} s` : r.expiresRequested !== null ? `asked ${r.expiresRequested} s` : '',
      describeLastSuccess(all),
      String(all.reduce((n, x) => n + x.attempts, 0)),
      describeHistory(all),
    ]);
    out.push(
      formatTable(['account', 'state now', 'last response', 'expires', 'last success', 'REGISTERs', 'history'], rows, {
        boxed: u,
        maxCellWidth: 56,
        header: c.bold,
        cell: (v, ri, ci) => (ci === 1 ? paintState(c, accounts[ri]?.latest, v) : v),
      }).trimEnd(),
    );
    if (accounts.length < allAccounts.length) out.push(c.dim(`  … and ${allAccounts.length - accounts.length} more accounts, all registered (see --html or --json)`));
    const meanings = new Set<string>();
    for (const { latest: r } of accounts) {
      // One line per distinct answer: a hundred accounts registered with 200 OK need its meaning once.
      const key = `${r.lastStatus ?? ''} ${r.lastMeaning ?? ''}`;
      if (!r.lastMeaning || meanings.has(key)) continue;
      meanings.add(key);
      out.push(wrapText(`${s(formatStatus(r.lastStatus, r.lastReason))} (${s(r.aor)}): ${s(r.lastMeaning)}`, width, '  '));
    }
  }

  heading('Calls');
  if (result.calls.length === 0) out.push('  No INVITE seen.');
  else {
    const calls = pickRows(result.calls, maxRows, (call) => call.findings.length > 0);
    const rows = calls.map((call) => [
      formatIso(call.startTime),
      `${call.from ?? '?'} → ${call.to ?? '?'}`,
      describeOutcome(call),
      formatStatus(call.finalStatus, call.finalReason),
      formatMs(call.setupMs),
      call.findings.join(' '),
    ]);
    out.push(
      formatTable(['start', 'from → to', 'outcome', 'final response', 'setup', 'findings'], rows, {
        boxed: u,
        maxCellWidth: 56,
        header: c.bold,
        cell: (v, ri, ci) => (ci === 2 ? paintOutcome(c, calls[ri], v) : v),
      }).trimEnd(),
    );
    if (calls.length < result.calls.length) out.push(c.dim(`  … and ${result.calls.length - calls.length} more calls without findings (see --html or --json, or narrow with --filter)`));
  }

  heading('Findings');
  if (result.findings.length === 0) out.push('  Nothing wrong found.');
  const maxFindings = options.maxFindings ?? 40;
  for (const f of result.findings.slice(0, maxFindings)) {
    out.push('');
    out.push(`${sev(f)} ${c.bold(`${f.id} ${s(f.title)}`)} ${c.dim(`(${f.rule}${f.status !== null ? `, status ${f.status}` : ''}, from ${f.generatedBy})`)}`);
    out.push(wrapText(s(f.explanation), width, '  '));
    if (f.causes.length > 0) {
      out.push(c.bold('  Likely causes:'));
      for (const cause of f.causes) out.push(wrapText(`${u ? '•' : '-'} ${s(cause)}`, width, '    '));
    }
    if (f.nextSteps.length > 0) {
      out.push(c.bold('  What to do:'));
      f.nextSteps.forEach((step, i) => out.push(wrapText(`${i + 1}. ${s(step)}`, width, '    ')));
    }
    if (f.willNotHelp.length > 0) {
      out.push(c.bold('  Will not help:'));
      for (const w of f.willNotHelp) out.push(wrapText(`${u ? '•' : '-'} ${s(w)}`, width, '    '));
    }
    const evidence = f.evidence.map((i) => report.byIndex.get(i)).filter((m): m is MessageView => m !== undefined);
    if (evidence.length > 0) {
      out.push(c.bold('  Evidence:'));
      for (const m of evidence.slice(0, maxEvidence)) {
        out.push(`    ${c.dim(s(describeMessageHead(m, u ? '→' : '->')))}`);
        out.push(`      ${c.bold(s(m.startLine))}`);
        for (const line of m.keyLines) out.push(`      ${s(line)}`);
      }
      if (evidence.length > maxEvidence) out.push(c.dim(`    … and ${evidence.length - maxEvidence} more messages`));
    }
  }

  if (result.findings.length > maxFindings) {
    out.push('');
    out.push(c.dim(`… and ${result.findings.length - maxFindings} more findings: see --html, --md or --json, or narrow with --filter.`));
  }

  if (result.summary.topCauses.length > 0) {
    heading('Top causes');
    result.summary.topCauses.forEach((t, i) => out.push(`  ${i + 1}. ${s(t.title)} ${c.dim(`(${t.rule})`)} ×${t.count}`));
  }
  out.push('');
  const text = `${out.join('\n')}\n`;
  return u ? text : text.replaceAll('→', '->').replaceAll('×', 'x').replaceAll('…', '...').replaceAll('✗', 'x');
}

type Colors = ReturnType<typeof createColors>;

/** The registrations of each address of record, in order of first appearance, with the one that ended last. */
export function groupAccounts(
  regs: readonly RegistrationSummary[],
  timeOf: (index: number) => number | null = () => null,
): { latest: RegistrationSummary; all: RegistrationSummary[] }[] {
  const byAor = new Map<string, RegistrationSummary[]>();
  for (const r of regs) byAor.set(r.aor, [...(byAor.get(r.aor) ?? []), r]);
  const lastIndex = (r: RegistrationSummary): number => r.messages[r.messages.length - 1] ?? -1;
  // Later by the clock when both have one (logs of several files are read one after another), else by reading order.
  const order = (a: RegistrationSummary, b: RegistrationSummary): number => {
    const ta = timeOf(lastIndex(a));
    const tb = timeOf(lastIndex(b));
    return ta !== null && tb !== null && ta !== tb ? ta - tb : lastIndex(a) - lastIndex(b);
  };
  return [...byAor.values()].map((all) => {
    const sorted = [...all].sort(order);
    return { latest: sorted[sorted.length - 1] as RegistrationSummary, all: sorted };
  });
}

/** Up to `max` items, those `first` picks ahead of the others, in their original order. */
function pickRows<T>(items: readonly T[], max: number, first: (item: T) => boolean): T[] {
  if (items.length <= max) return [...items];
  const keep = new Set<T>(items.filter(first).slice(0, max));
  for (const item of items) {
    if (keep.size >= max) break;
    keep.add(item);
  }
  return items.filter((item) => keep.has(item));
}

/** `2 accounts (3 registrations)`: accounts are addresses of record, a registration is one of their contacts. */
export function describeAccountCount(result: AnalysisResult): string {
  const accounts = new Set(result.registrations.map((r) => r.aor)).size;
  const bindings = result.summary.registrations;
  const word = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
  return accounts === bindings ? word(accounts, 'account') : `${word(accounts, 'account')} (${word(bindings, 'registration')})`;
}

/** When the account was last registered: the time, or that it was though the log gives no date, or `never`. */
export function describeLastSuccess(all: readonly RegistrationSummary[]): string {
  const at = formatIso([...all].reverse().find((x) => x.lastSuccess !== null)?.lastSuccess ?? null);
  if (at !== '') return at;
  const ever = all.some((r) => r.state === 'registered' || (r.finalStatuses ?? []).some((f) => f.status >= 200 && f.status < 300));
  return ever ? 'yes (no date in the data)' : 'never';
}

/**
 * `6× 200, 1× 423; 7 challenges`: the final answers of the account's REGISTERs. Challenges (401/407) come last: each
 * successful registration usually starts with one (RFC 3261 §22.2). Without the counts, the states of its bindings.
 */
export function describeHistory(all: readonly RegistrationSummary[]): string {
  const counts = new Map<number, number>();
  for (const r of all) for (const f of r.finalStatuses ?? []) counts.set(f.status, (counts.get(f.status) ?? 0) + f.count);
  if (counts.size === 0) {
    if (all.length < 2) return '';
    const states = new Map<string, number>();
    for (const r of all) states.set(r.state, (states.get(r.state) ?? 0) + 1);
    return [...states.entries()].map(([state, n]) => `${n} ${state}`).join(', ');
  }
  const sorted = [...counts].sort((a, b) => a[0] - b[0]);
  const answers = sorted.filter(([s]) => s !== 401 && s !== 407).map(([s, n]) => `${n}× ${s}`);
  const challenges = sorted.filter(([s]) => s === 401 || s === 407).reduce((n, [, c]) => n + c, 0);
  return [answers.join(', '), challenges > 0 ? `${challenges} challenge${challenges === 1 ? '' : 's'}` : ''].filter(Boolean).join('; ');
}

function paintState(c: Colors, r: RegistrationSummary | undefined, v: string): string {
  switch (r?.state) {
    case 'registered':
      return c.green(v);
    case 'failed':
      return c.red(v);
    case 'pending':
    case 'unregistered':
      return c.yellow(v);
    default:
      return v;
  }
}

function paintOutcome(c: Colors, call: CallSummary | undefined, v: string): string {
  if (call === undefined) return v;
  if (call.outcome === 'answered') return c.green(v);
  if (call.outcome === 'in-progress' || call.outcome === 'cancelled' || call.outcome === 'no-answer') return c.yellow(v);
  return c.red(v);
}
