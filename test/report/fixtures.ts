// Values for the formatter tests, taken from real parsed messages: the hostile capture (sipp + tshark) read through
// readInputs, and an AnalysisResult assembled from those messages the way the diagnosis reports them.
import type { AnalysisResult, InputReport, MessageRecord } from '../../src/index.js';
import { readInputs } from '../../src/parse/read-inputs.js';

export interface Loaded {
  readonly records: MessageRecord[];
  readonly reports: InputReport[];
}

/** Reads inputs with the library's own reader. */
export async function loadRecords(inputs: readonly string[], cwd?: string): Promise<Loaded> {
  const { records, reports } = readInputs(inputs, cwd === undefined ? {} : { cwd });
  const out: MessageRecord[] = [];
  for await (const r of records) out.push(r);
  return { records: out, reports };
}

/**
 * An analysis result built from the messages: a registration per REGISTER Call-ID and a call per INVITE Call-ID,
 * with one finding for each final failure, whose explanation quotes the message's own Warning and Reason.
 */
export function assembleResult(loaded: Loaded): AnalysisResult {
  const { records } = loaded;
  const byCall = new Map<string, MessageRecord[]>();
  for (const r of records) {
    const id = r.message.callId ?? '';
    byCall.set(id, [...(byCall.get(id) ?? []), r]);
  }
  const registrations: AnalysisResult['registrations'][number][] = [];
  const calls: AnalysisResult['calls'][number][] = [];
  const findings: AnalysisResult['findings'][number][] = [];
  for (const [callId, msgs] of byCall) {
    const first = msgs[0]?.message;
    const finals = msgs.filter((m) => m.message.kind === 'response' && (m.message.status ?? 0) >= 200);
    const last = finals[finals.length - 1]?.message;
    const status = last?.status ?? null;
    const findingIds: string[] = [];
    if (status !== null && status >= 300 && status !== 401) {
      const id = `F${findings.length + 1}`;
      findingIds.push(id);
      const failing = finals[finals.length - 1] as MessageRecord;
      findings.push({
        id,
        rule: 'call.busy',
        severity: 'error',
        title: `${status} ${last?.reason ?? ''}`.trim(),
        explanation: `The far end answered ${status}. Warning: ${last?.warnings.map((w) => w.raw).join('; ') ?? ''}. Reason: ${last?.reasons.map((r) => r.raw).join('; ') ?? ''}. From ${first?.from?.raw ?? ''}.`,
        status,
        callIds: [callId],
        evidence: [failing.index],
        causes: [`the callee ${first?.to?.raw ?? ''} is busy`],
        nextSteps: ['call again later'],
        willNotHelp: ['changing the password'],
        generatedBy: 'far-end',
        details: { warnings: last?.warnings.map((w) => w.raw) ?? [], server: last?.server ?? null },
      });
    }
    if (first?.cseq?.method === 'REGISTER') {
      registrations.push({
        aor: first.to?.uri.raw ?? '',
        contact: first.contacts[0]?.uri.raw ?? null,
        state: status !== null && status < 300 ? 'registered' : 'failed',
        lastStatus: status,
        lastReason: last?.reason ?? null,
        lastMeaning: status === 200 ? 'the registrar accepted the binding' : null,
        callIds: [callId],
        findings: findingIds,
        messages: msgs.map((m) => m.index),
        expiresRequested: first.expires ?? null,
        expiresGranted: last?.contacts[0]?.expires ?? null,
        lastSuccess: null,
        attempts: msgs.filter((m) => m.message.kind === 'request').length,
      });
    } else if (first?.method === 'INVITE') {
      calls.push({
        callId,
        from: first.from?.uri.raw ?? null,
        to: first.to?.uri.raw ?? null,
        outcome: status === 486 ? 'busy' : status !== null && status < 300 ? 'answered' : 'failed',
        finalStatus: status,
        finalReason: last?.reason ?? null,
        findings: findingIds,
        messages: msgs.map((m) => m.index),
        startTime: msgs[0]?.meta.time != null ? new Date(msgs[0].meta.time).toISOString() : null,
        postDialDelayMs: null,
        setupMs: null,
        durationMs: null,
        endedBy: null,
      });
    }
  }
  return {
    schemaVersion: 1,
    inputs: loaded.reports,
    summary: {
      messages: records.length,
      registrations: registrations.length,
      calls: calls.length,
      findings: { error: findings.length, warning: 0, info: 0 },
      topCauses: findings.length > 0 ? [{ rule: 'call.busy', title: findings[0]?.title ?? '', count: findings.length }] : [],
    },
    registrations,
    calls,
    findings,
  };
}
