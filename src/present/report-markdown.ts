import type { Finding } from '../model/index.js';
import { buildLadder } from './ladder.js';
import { formatLadderMermaid } from './ladder-formats.js';
import type { MessageView } from './message-view.js';
import type { Report } from './report.js';
import { messagesOf } from './report.js';
import { describeAccountCount, describeHistory, describeLastSuccess, describeMessageHead, describeOutcome, formatIso, formatMs, formatStatus, groupAccounts } from './report-text.js';

/**
 * Escapes text for Markdown prose and table cells: HTML is allowed in Markdown, so `<`, `>` and `&` become entities,
 * and the characters that start formatting, links or cells are backslash-escaped.
 */
export function escapeMarkdown(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '&') out += '&amp;';
    else if (ch === '\n' || ch === '\r') out += ' ';
    // `[` and `]` escaped leave `(`, `!` without a link to form; `#` only matters at a line start, and every value
    // is placed after a table pipe, a list mark or other text.
    else if ('\\`*_[]|~'.includes(ch)) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/** A fence longer than any backtick run inside, so a body cannot close the code block. */
function fence(text: string): string {
  let longest = 0;
  let run = 0;
  for (const ch of text) {
    run = ch === '`' ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  const f = '`'.repeat(Math.max(3, longest + 1));
  return `${f}text\n${text.replaceAll('\r\n', '\n').trimEnd()}\n${f}`;
}

export interface MarkdownReportOptions {
  /** Mermaid ladders per call and registration (GitHub, GitLab render them). Default true. */
  readonly ladders?: boolean;
}

/** The report as Markdown, to paste into a ticket. */
export function formatMarkdownReport(report: Report, options: MarkdownReportOptions = {}): string {
  const { result } = report;
  const e = escapeMarkdown;
  const out: string[] = [];
  const fs = result.summary.findings;
  out.push('# siplens analysis', '');
  out.push(
    `${result.summary.messages} SIP messages from ${plural(result.inputs.filter((i) => i.parent === undefined).length, 'input')}; ${describeAccountCount(result)}, ` +
      `${plural(result.summary.calls, 'call')}; **${plural(fs.error, 'error')}**, ${plural(fs.warning, 'warning')}, ${fs.info} info.`,
  );
  if (report.filters.length > 0) out.push('', `Filtered by ${report.filters.map((f) => `\`${f.replaceAll('`', '')}\``).join(', ')}.`);
  if (report.redaction !== 'none') out.push('', `Redacted (${report.redaction === 'all' ? 'secrets, users, numbers and addresses' : 'passwords, nonces, digest responses'}).`);

  if (result.summary.topCauses.length > 0) {
    out.push('', '## Top causes', '');
    result.summary.topCauses.forEach((t, i) => out.push(`${i + 1}. ${e(t.title)} (\`${t.rule}\`) ×${t.count}`));
  }

  out.push('', '## Inputs read', '', '| input | kind | format | SIP messages | skipped |', '|---|---|---|---:|---:|');
  for (const i of result.inputs) out.push(`| ${e(i.path)} | ${e(i.kind)} | ${e(i.format ?? '')} | ${i.messages} | ${i.skipped} |`);
  const issues = result.inputs.flatMap((i) => i.issues);
  if (issues.length > 0) {
    out.push('', 'Skipped or partly read:', '');
    for (const is of issues.slice(0, 50)) out.push(`- ${is.severity}: ${e(is.message)} (\`${is.code}\`)`);
  }

  out.push('', '## Accounts', '');
  if (result.registrations.length === 0) out.push('No REGISTER seen.');
  else {
    out.push('| account | state now | last response | meaning | expires | last success | REGISTERs | history |', '|---|---|---|---|---:|---|---:|---|');
    for (const { latest: r, all } of groupAccounts(result.registrations, (i) => report.byIndex.get(i)?.time ?? null)) {
      out.push(
        `| ${e(r.aor)} | ${r.state} | ${e(formatStatus(r.lastStatus, r.lastReason))} | ${e(r.lastMeaning ?? '')} | ${r.expiresGranted ?? ''} | ${e(describeLastSuccess(all))} | ${all.reduce((n, x) => n + x.attempts, 0)} | ${e(describeHistory(all))} |`,
      );
    }
  }

  out.push('', '## Calls', '');
  if (result.calls.length === 0) out.push('No INVITE seen.');
  else {
    out.push('| start | from | to | outcome | final response | setup | findings |', '|---|---|---|---|---|---:|---|');
    for (const c of result.calls) {
      out.push(
        `| ${e(formatIso(c.startTime))} | ${e(c.from ?? '')} | ${e(c.to ?? '')} | ${describeOutcome(c)} | ${e(formatStatus(c.finalStatus, c.finalReason))} | ${formatMs(c.setupMs)} | ${c.findings.join(' ')} |`,
      );
    }
  }

  out.push('', '## Findings', '');
  if (result.findings.length === 0) out.push('Nothing wrong found.');
  for (const f of result.findings) out.push(...formatFindingMarkdown(f, report), '');

  if (options.ladders !== false) {
    const items = [
      ...result.registrations.map((r) => ({ title: `Registration ${r.aor}`, messages: r.messages })),
      ...result.calls.map((c) => ({ title: `Call ${c.callId}`, messages: c.messages })),
    ];
    if (items.length > 0) out.push('## Flows', '');
    for (const item of items) {
      const msgs = messagesOf(report, item.messages);
      if (msgs.length === 0) continue;
      out.push(`### ${e(item.title)}`, '', '```mermaid', formatLadderMermaid(buildLadder(item.title, msgs)).trimEnd(), '```', '');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function formatFindingMarkdown(f: Finding, report: Report): string[] {
  const e = escapeMarkdown;
  const out = [`### ${f.severity.toUpperCase()} ${f.id}: ${e(f.title)}`, ''];
  out.push(`\`${f.rule}\`${f.status !== null ? `, status ${f.status}` : ''}, produced by: ${f.generatedBy}`, '', e(f.explanation));
  const list = (title: string, items: readonly string[], numbered: boolean): void => {
    if (items.length === 0) return;
    out.push('', `**${title}**`, '');
    items.forEach((it, i) => out.push(`${numbered ? `${i + 1}.` : '-'} ${e(it)}`));
  };
  list('Likely causes', f.causes, false);
  list('What to do', f.nextSteps, true);
  list('Will not help', f.willNotHelp, false);
  const evidence = f.evidence.map((i) => report.byIndex.get(i)).filter((m): m is MessageView => m !== undefined);
  if (evidence.length > 0) {
    out.push('', '**Evidence**', '');
    const quoted = evidence
      .slice(0, 6)
      .map((m) => [describeMessageHead(m, '->'), `  ${m.startLine}`, ...m.keyLines.map((l) => `  ${l}`)].join('\n'))
      .join('\n');
    out.push(fence(quoted));
  }
  return out;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
