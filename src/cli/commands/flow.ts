import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Ladder, Report } from '../../index.js';
import {
  buildLadder,
  buildReport,
  formatLadderHtml,
  formatLadderMermaid,
  formatLadderPlantUml,
  formatLadderSvg,
  formatLadderText,
  isWhole,
  messagesOf,
} from '../../index.js';
import type { CliIo } from '../io.js';
import { ExitCode, useColor } from '../io.js';
import { isUtf8, loadAnalysis, readRedact } from './analyze.js';

type FlowFormat = 'text' | 'mermaid' | 'plantuml' | 'svg' | 'html';

interface FlowOptions {
  readonly call?: string;
  readonly format: FlowFormat;
  readonly ascii?: boolean;
  readonly output?: string;
  readonly redact?: string | boolean;
}

/** The ladders of a report: registrations, then calls; `--call` picks those with that Call-ID (or a part of it). */
export function selectLadders(report: Report, callId: string | undefined): Ladder[] {
  const items = [
    ...report.result.registrations.map((r) => ({ ids: r.callIds, title: `Registration ${r.aor} (${r.state}) Call-ID ${r.callIds.join(', ')}`, messages: r.messages })),
    ...report.result.calls.map((c) => ({
      ids: [c.callId],
      title: `Call ${c.from ?? '?'} -> ${c.to ?? '?'} (${c.outcome}${c.finalStatus !== null ? `, ${c.finalStatus}` : ''}) Call-ID ${c.callId}`,
      messages: c.messages,
    })),
  ];
  // Without --call, the flows the analysis held whole (on a large input it keeps a few hundred, not every one).
  const held = (i: number): boolean => report.byIndex.has(i);
  const chosen = callId === undefined ? items.filter((i) => isWhole(i.messages, held)) : items.filter((i) => i.ids.some((id) => id === callId));
  const fallback = callId !== undefined && chosen.length === 0 ? items.filter((i) => i.ids.some((id) => id.includes(callId))) : chosen;
  const ladders = fallback.map((i) => buildLadder(i.title, messagesOf(report, i.messages))).filter((l) => l.steps.length > 0);
  if (ladders.length === 0 && callId !== undefined) {
    // Messages that no call or registration holds (OPTIONS, SUBSCRIBE…) still have a flow.
    const loose = report.messages.filter((m) => m.callId === callId);
    if (loose.length > 0) ladders.push(buildLadder(`Call-ID ${callId}`, loose));
  }
  return ladders;
}

/** Adds `siplens flow`. */
export function registerFlow(program: Command, io: CliIo, exit: { code: number }): void {
  program
    .command('flow')
    .description('draw the ladder diagram of a call or registration')
    .argument('<inputs...>', 'a capture, log, snapshot or folder')
    .option('--call <call-id>', 'only the call or registration with this Call-ID')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'mermaid', 'plantuml', 'svg', 'html']).default('text'))
    .option('--ascii', 'ASCII lines instead of Unicode box drawing')
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .option('--redact [level]', 'hide secrets; --redact=all also users, numbers and addresses')
    .addHelpText(
      'after',
      `
Examples:
  siplens flow capture.pcap --call 1-2345@10.0.0.5
  siplens flow phone.log --format mermaid > flow.mmd
  siplens flow capture.pcap --format svg -o flow.svg`,
    )
    .action(async (inputs: string[], opts: FlowOptions) => {
      const redact = readRedact(opts.redact, io);
      if (redact === undefined) {
        exit.code = ExitCode.usage;
        return;
      }
      // --call: the messages of that Call-ID (or those containing the text) are kept whole; otherwise the flows an
      // HTML report would draw. Either way memory stays bounded on large inputs.
      const loaded = await loadAnalysis(inputs, io, opts.call === undefined ? { keep: 'flows' } : { keep: 'evidence', keepCallIdsContaining: opts.call });
      if (loaded.inputExit !== ExitCode.ok) {
        if (loaded.inputExit === ExitCode.noMatch) io.stderr('siplens: no SIP message found in the inputs\n');
        exit.code = loaded.inputExit;
        return;
      }
      const report = buildReport(loaded.result, loaded.messages, { redact });
      const ladders = selectLadders(report, opts.call);
      if (ladders.length === 0) {
        io.stderr(opts.call !== undefined ? `siplens: no call or registration has Call-ID "${opts.call}"\n` : 'siplens: no call or registration in the inputs\n');
        exit.code = ExitCode.noMatch;
        return;
      }
      const single = ['mermaid', 'plantuml', 'svg'].includes(opts.format);
      if (single && ladders.length > 1) {
        io.stderr(`siplens: ${ladders.length} flows; writing the first. Pick one with --call <Call-ID>.\n`);
      }
      const first = ladders[0] as Ladder;
      let text: string;
      switch (opts.format) {
        case 'mermaid':
          text = formatLadderMermaid(first);
          break;
        case 'plantuml':
          text = formatLadderPlantUml(first);
          break;
        case 'svg':
          text = `${formatLadderSvg(first)}\n`;
          break;
        case 'html':
          text = formatLadderHtml(ladders);
          break;
        default: {
          const unicode = opts.ascii !== true && isUtf8(io);
          const color = opts.output === undefined && useColor(io);
          text = ladders.map((l) => formatLadderText(l, { unicode, color })).join('\n');
        }
      }
      if (opts.output !== undefined) {
        await writeFile(resolve(io.cwd, opts.output), text);
        io.stderr(`flow written to ${opts.output}\n`);
      } else io.stdout(text);
      exit.code = ExitCode.ok;
    });
}
