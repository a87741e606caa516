// The live analysis behind the Monitoring window: the library's incremental analyzer, fed message by message, and a
// bounded history of what it concluded. The analyzer keeps every finished call's summary and findings and diagnoses
// everything again on each snapshot, so one analyzer for a long run would grow without bound and get slower with
// every snapshot. Here a new analyzer takes over every `epochMessages` messages, started with the recent messages of
// the calls and registrations still in progress; what the old one concluded stays in the history maps below, capped.
import type { AnalysisResult, Analyzer, CallSummary, Finding, RegistrationSummary } from '../index.js';
import { createAnalyzer, parseMessage } from '../index.js';
import type { AccountView, CallView, FindingView, LiveMessage, LiveView } from './live-view.js';

export interface LiveAnalysisOptions {
  /** Messages one analyzer takes before a new one takes over. Default 50 000. */
  readonly epochMessages?: number;
  /** Recent messages kept to start the next analyzer with the calls in progress. Default 20 000. */
  readonly carryMessages?: number;
  /** History kept: accounts, calls, findings. Defaults 10 000, 2 000, 1 000. */
  readonly maxAccounts?: number;
  readonly maxCalls?: number;
  readonly maxFindings?: number;
  /** How many of each a view carries to the page. Defaults 300 accounts, 200 calls, 100 findings. */
  readonly viewAccounts?: number;
  readonly viewCalls?: number;
  readonly viewFindings?: number;
}

interface Epoch {
  readonly analyzer: Analyzer;
  /** Store id and time of each message, by the analyzer's index (dense from 0, as its eviction expects). */
  readonly ids: number[];
  readonly times: number[];
}

interface Carried {
  readonly message: LiveMessage;
  readonly callId: string;
}

const TROUBLE: Readonly<Record<string, number>> = { failed: 0, pending: 1, unknown: 2, unregistered: 3, registered: 4 };

function findingKey(f: Finding): string {
  return `${f.rule}|${f.callIds[0] ?? f.title}`;
}

/** Keeps the `max` entries with the newest `seen` once the map is a fifth over, so trimming stays amortised. */
function trim<T>(map: Map<string, T>, max: number, seen: (v: T) => number | null): void {
  if (map.size <= max * 1.2) return;
  const entries = [...map].sort((a, b) => (seen(b[1]) ?? 0) - (seen(a[1]) ?? 0));
  map.clear();
  for (const [k, v] of entries.slice(0, max)) map.set(k, v);
}

export class LiveAnalysis {
  readonly #epochMessages: number;
  readonly #carryMessages: number;
  readonly #max: { accounts: number; calls: number; findings: number };
  readonly #show: { accounts: number; calls: number; findings: number };
  #epoch: Epoch;
  #epochNumber = 1;
  readonly #carried: (Carried | undefined)[] = [];
  #carryAt = 0;
  readonly #accounts = new Map<string, AccountView>();
  readonly #calls = new Map<string, CallView>();
  readonly #findings = new Map<string, FindingView>();
  /** Counts from analyzers that have handed over (and from the saved view), so totals keep growing across them. */
  #base = { messages: 0, calls: 0, findings: { error: 0, warning: 0, info: 0 } };
  #messages = 0;
  #latest: AnalysisResult | undefined;
  #snapshotMs = 0;
  #failures = 0;
  /** What the current analyzer reports that the totals hold already (carried over, or restored from a saved view). */
  #counted: { calls: ReadonlySet<string>; findings: ReadonlySet<string> } = { calls: new Set(), findings: new Set() };
  /** The current analyzer's counts, less what was counted already. */
  #fresh = { calls: 0, error: 0, warning: 0, info: 0 };

  constructor(options: LiveAnalysisOptions = {}) {
    this.#epochMessages = options.epochMessages ?? 50_000;
    this.#carryMessages = options.carryMessages ?? 20_000;
    this.#max = { accounts: options.maxAccounts ?? 10_000, calls: options.maxCalls ?? 2000, findings: options.maxFindings ?? 1000 };
    this.#show = { accounts: options.viewAccounts ?? 300, calls: options.viewCalls ?? 200, findings: options.viewFindings ?? 100 };
    this.#epoch = this.#newEpoch();
  }

  #newEpoch(): Epoch {
    // The store keeps the bytes; the analyzer need not keep any message.
    return { analyzer: createAnalyzer({ keepMessages: 'none' }), ids: [], times: [] };
  }

  /** Messages that made the analyzer throw (counted, never fatal to the server). */
  get failures(): number {
    return this.#failures;
  }

  /** Analyses one message; `live` false for history replayed at start (already counted in the saved view). */
  push(message: LiveMessage, live = true): void {
    if (this.#epoch.ids.length >= this.#epochMessages) this.#handOver();
    this.#analyse(message);
    if (live) this.#messages++;
  }

  #analyse(message: LiveMessage): void {
    const epoch = this.#epoch;
    let callId = '';
    try {
      const parsed = parseMessage(message.bytes);
      callId = parsed.callId ?? '';
      const index = epoch.ids.length;
      epoch.ids.push(message.id);
      epoch.times.push(message.meta.time ?? Number.NaN);
      epoch.analyzer.push({ index, message: parsed, meta: message.meta });
    } catch {
      this.#failures++;
    }
    if (this.#carryMessages > 0) {
      this.#carried[this.#carryAt] = { message, callId };
      this.#carryAt = (this.#carryAt + 1) % this.#carryMessages;
    }
  }

  /** A new analyzer takes over; it starts with the kept messages of what was still in progress. */
  #handOver(): void {
    const last = this.#merge();
    const fresh = this.#fresh;
    this.#base = {
      messages: this.#base.messages,
      calls: this.#base.calls + fresh.calls,
      findings: { error: this.#base.findings.error + fresh.error, warning: this.#base.findings.warning + fresh.warning, info: this.#base.findings.info + fresh.info },
    };
    const open = new Set<string>();
    for (const c of last.calls) if (c.outcome === 'in-progress') open.add(c.callId);
    for (const r of last.registrations) if (r.state === 'pending' || r.state === 'unknown') for (const id of r.callIds) open.add(id);
    // What is carried over was counted already; the new analyzer will report it again.
    this.#counted = { calls: open, findings: new Set([...this.#findings.values()].filter((f) => f.callIds.some((id) => open.has(id))).map((f) => f.key)) };
    this.#epoch = this.#newEpoch();
    this.#epochNumber++;
    this.#latest = undefined;
    const carried = [...this.#carried.slice(this.#carryAt), ...this.#carried.slice(0, this.#carryAt)];
    this.#carried.length = 0;
    this.#carryAt = 0;
    for (const c of carried) if (c !== undefined && open.has(c.callId)) this.#analyse(c.message);
  }

  /** Takes a snapshot of the current analyzer and folds it into the history. */
  #merge(): AnalysisResult {
    const started = performance.now();
    const result = this.#epoch.analyzer.snapshot();
    this.#snapshotMs = performance.now() - started;
    this.#latest = result;
    const { ids, times } = this.#epoch;
    const timeOf = (index: number | undefined): number | null => {
      const t = index === undefined ? undefined : times[index];
      return t === undefined || Number.isNaN(t) ? null : t;
    };
    const keyOf = new Map<string, string>();
    const used = new Map<string, number>();
    for (const f of result.findings) {
      let key = findingKey(f);
      const n = (used.get(key) ?? 0) + 1;
      used.set(key, n);
      if (n > 1) key = `${key}#${n}`;
      keyOf.set(f.id, key);
      const evidence = f.evidence.map((i) => ids[i]).filter((id): id is number => id !== undefined);
      const { id: _id, evidence: _evidence, ...rest } = f;
      this.#findings.set(key, { ...rest, key, evidence, seen: timeOf(f.evidence.at(-1)) });
    }
    const keys = (fids: readonly string[]): string[] => fids.flatMap((id) => keyOf.get(id) ?? []);
    const fresh = { calls: 0, error: 0, warning: 0, info: 0 };
    for (const f of result.findings) if (!this.#counted.findings.has(keyOf.get(f.id) ?? '')) fresh[f.severity]++;
    for (const c of result.calls) if (!this.#counted.calls.has(c.callId)) fresh.calls++;
    this.#fresh = fresh;
    for (const r of result.registrations) this.#accounts.set(r.aor, this.#account(r, timeOf(r.messages.at(-1)), keys(r.findings)));
    for (const c of result.calls) this.#calls.set(c.callId, this.#call(c, timeOf(c.messages.at(-1)), keys(c.findings)));
    trim(this.#accounts, this.#max.accounts, (a) => a.lastSeen);
    trim(this.#calls, this.#max.calls, (c) => c.lastSeen);
    trim(this.#findings, this.#max.findings, (f) => f.seen);
    return result;
  }

  #account(r: RegistrationSummary, lastSeen: number | null, findings: string[]): AccountView {
    const before = this.#accounts.get(r.aor);
    return {
      aor: r.aor,
      contact: r.contact,
      state: r.state,
      lastStatus: r.lastStatus,
      lastReason: r.lastReason,
      lastMeaning: r.lastMeaning,
      // An analyzer that took over has not seen the success the one before it saw.
      lastSuccess: r.lastSuccess ?? before?.lastSuccess ?? null,
      expiresGranted: r.expiresGranted ?? before?.expiresGranted ?? null,
      attempts: r.attempts,
      lastSeen: lastSeen ?? before?.lastSeen ?? null,
      callIds: r.callIds.slice(-5),
      findings,
    };
  }

  #call(c: CallSummary, lastSeen: number | null, findings: string[]): CallView {
    return {
      callId: c.callId,
      from: c.from,
      to: c.to,
      outcome: c.outcome,
      finalStatus: c.finalStatus,
      finalReason: c.finalReason,
      startTime: c.startTime,
      postDialDelayMs: c.postDialDelayMs,
      setupMs: c.setupMs,
      durationMs: c.durationMs,
      endedBy: c.endedBy,
      legs: c.legs ?? null,
      messages: c.messages.length,
      lastSeen,
      findings,
    };
  }

  /** Snapshots the analysis and returns the bounded view the page shows; `all`: the whole history, to save it. */
  view(all = false): LiveView {
    const result = this.#merge();
    const accounts = [...this.#accounts.values()].sort(
      (a, b) => (TROUBLE[a.state] ?? 5) - (TROUBLE[b.state] ?? 5) || (b.lastSeen ?? 0) - (a.lastSeen ?? 0),
    );
    const calls = [...this.#calls.values()].sort(
      (a, b) => Number(b.outcome === 'in-progress') - Number(a.outcome === 'in-progress') || (b.lastSeen ?? 0) - (a.lastSeen ?? 0),
    );
    const findings = [...this.#findings.values()].sort((a, b) => (b.seen ?? 0) - (a.seen ?? 0));
    const topCauses = new Map<string, { rule: string; title: string; count: number }>();
    for (const f of findings) {
      if (f.severity === 'info') continue;
      const t = topCauses.get(f.rule);
      if (t === undefined) topCauses.set(f.rule, { rule: f.rule, title: f.title, count: 1 });
      else t.count++;
    }
    const fresh = this.#fresh;
    return {
      accounts: all ? accounts : accounts.slice(0, this.#show.accounts),
      calls: all ? calls : calls.slice(0, this.#show.calls),
      findings: all ? findings : findings.slice(0, this.#show.findings),
      totals: {
        messages: this.#base.messages + this.#messages,
        accounts: this.#accounts.size,
        calls: this.#base.calls + fresh.calls,
        inProgress: result.calls.filter((c) => c.outcome === 'in-progress').length,
        findings: { error: this.#base.findings.error + fresh.error, warning: this.#base.findings.warning + fresh.warning, info: this.#base.findings.info + fresh.info },
      },
      topCauses: [...topCauses.values()].sort((a, b) => b.count - a.count).slice(0, 10),
      analysis: { epoch: this.#epochNumber, epochMessages: this.#epoch.ids.length, snapshotMs: Math.round(this.#snapshotMs), at: Date.now() },
    };
  }

  /** The last snapshot taken, if the analyzer has not handed over since. */
  get latest(): AnalysisResult | undefined {
    return this.#latest;
  }

  /** Starts from a view saved by an earlier run: its history shows until newer messages replace it. */
  restore(view: LiveView): void {
    for (const a of view.accounts) this.#accounts.set(a.aor, a);
    for (const c of view.calls) this.#calls.set(c.callId, c);
    for (const f of view.findings) this.#findings.set(f.key, f);
    this.#base = { messages: view.totals.messages, calls: view.totals.calls, findings: { ...view.totals.findings } };
    // The history replayed after this was counted in the saved totals.
    this.#counted = { calls: new Set(view.calls.map((c) => c.callId)), findings: new Set(view.findings.map((f) => f.key)) };
  }
}
