import { createColors } from 'picocolors';
import type { InputReport, Issue, MessageRecord } from '../model/index.js';

/** The `siplens messages --json` contract (schema/messages.schema.json). Fields may be added, never renamed or removed. */
export const MESSAGES_SCHEMA_VERSION = 1;

export interface MessageOriginJson {
  readonly path: string;
  readonly line?: number;
  readonly packet?: number;
  readonly offset: number;
}

export interface IssueJson {
  readonly code: string;
  readonly severity: Issue['severity'];
  readonly message: string;
  readonly span?: { readonly start: number; readonly end: number };
  readonly origin?: MessageOriginJson;
}

/** One message of `messages --json` (and one line of `--ndjson`). */
export interface MessageJson {
  readonly index: number;
  readonly kind: 'request' | 'response';
  /** ISO 8601, or null when the source gives no absolute time. */
  readonly time: string | null;
  /** The time as the source wrote it when it is not absolute (time of day, uptime). */
  readonly timeText?: string;
  readonly callId: string | null;
  readonly cseq: { readonly seq: number; readonly method: string } | null;
  readonly method?: string;
  readonly requestUri?: string;
  readonly status?: number;
  readonly reason?: string;
  readonly src: string | null;
  readonly dst: string | null;
  readonly transport: string | null;
  readonly direction: 'in' | 'out' | null;
  /** The reader that produced it: `pcap`, `pcapng`, `pjsip`, `hep`, … */
  readonly format: string | null;
  /** Bytes of the message as read. */
  readonly size: number;
  readonly origin: MessageOriginJson;
  readonly issues: readonly IssueJson[];
}

export interface InputJson {
  readonly path: string;
  readonly kind: string;
  readonly format: string | null;
  readonly messages: number;
  readonly skipped: number;
  readonly issues: readonly IssueJson[];
  readonly parent?: string;
}

function toOriginJson(origin: { path: string; offset: number; line?: number; packet?: number }): MessageOriginJson {
  return {
    path: origin.path,
    ...(origin.line === undefined ? {} : { line: origin.line }),
    ...(origin.packet === undefined ? {} : { packet: origin.packet }),
    offset: origin.offset,
  };
}

export function toIssueJson(issue: Issue): IssueJson {
  return {
    code: issue.code,
    severity: issue.severity,
    message: issue.message,
    ...(issue.span === undefined ? {} : { span: { start: issue.span.start, end: issue.span.end } }),
    ...(issue.origin === undefined ? {} : { origin: toOriginJson(issue.origin) }),
  };
}

/** ISO 8601 for a time in ms since the epoch, or null (also for times a Date cannot hold). */
export function toIsoTime(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms)) return null;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** A message record as the `messages --json` contract has it. */
export function toMessageJson(record: MessageRecord): MessageJson {
  const { message, meta } = record;
  const cseq = message.cseq;
  return {
    index: record.index,
    kind: message.kind,
    time: toIsoTime(meta.time),
    ...(meta.timeText === undefined ? {} : { timeText: meta.timeText }),
    callId: message.callId ?? null,
    cseq: cseq === undefined ? null : { seq: cseq.seq, method: cseq.method },
    ...(message.kind === 'request'
      ? { method: message.method ?? '', ...(message.requestUri === undefined ? {} : { requestUri: message.requestUri }) }
      : { status: message.status ?? 0, reason: message.reason ?? '' }),
    src: meta.src ?? null,
    dst: meta.dst ?? null,
    transport: meta.transport ?? null,
    direction: meta.direction ?? null,
    format: meta.format ?? null,
    size: message.raw.length,
    origin: toOriginJson(meta.origin),
    issues: message.issues.map(toIssueJson),
  };
}

/** An input report as the `messages --json` contract has it. */
export function toInputJson(report: InputReport): InputJson {
  return {
    path: report.path,
    kind: report.kind,
    format: report.format,
    messages: report.messages,
    skipped: report.skipped,
    issues: report.issues.map(toIssueJson),
    ...(report.parent === undefined ? {} : { parent: report.parent }),
  };
}

/** One terminal line per message: time, src → dst, method or status, Call-ID. */
export function formatMessageLine(record: MessageRecord, options: { readonly color?: boolean } = {}): string {
  const c = createColors(options.color === true);
  const { message, meta } = record;
  const time = toIsoTime(meta.time) ?? meta.timeText ?? '-';
  const direction = meta.direction === undefined ? '' : `${meta.direction === 'in' ? 'in ' : 'out'} `;
  const flow = `${direction}${meta.src ?? '?'} → ${meta.dst ?? '?'}`;
  let what: string;
  if (message.kind === 'request') {
    what = c.bold(message.method ?? '?');
  } else {
    const status = message.status ?? 0;
    const text = `${status} ${message.reason ?? ''}`.trim();
    const coloured = status >= 400 ? c.red(text) : status >= 200 ? c.green(text) : c.yellow(text);
    what = `${coloured}${message.cseq === undefined ? '' : c.dim(` (${message.cseq.method})`)}`;
  }
  const flag = message.issues.some((i) => i.severity === 'error') ? c.red(' !') : '';
  return `${c.dim(`#${record.index}`)} ${c.dim(time)}  ${flow}  ${what}  ${message.callId ?? '-'}${flag}`;
}
