// The analyzer: messages pushed one by one → correlation → findings → the `analyze --json` contract. analyze.ts feeds
// it from paths (in one thread, or in shares: shares/), or from a stream of parsed messages.
import { createCorrelator, MAX_DEFECTIVE_SAMPLES } from '../correlate/correlator.js';
import type { MessageFacts } from '../correlate/facts.js';
import type { EvictionPolicy } from '../correlate/correlator.js';
import type { Correlation } from '../correlate/types.js';
import type { AnalysisResult, CallSummary } from '../model/analysis.js';
import type { InputReport } from '../model/input-report.js';
import type { MessageRecord } from '../model/message-record.js';
import type { RawMessage } from '../model/raw-message.js';
import { scanFacts } from '../correlate/scan-facts.js';
import { MessageStore, reviveMessage } from './message-store.js';
import type { StoredMessage } from './message-store.js';
import type { ReadInputsOptions } from '../parse/read-inputs.js';
import { combinePartials, DEFAULT_MAX_CALLS, DEFAULT_MAX_FINDINGS_PER_RULE, gatherKey, isGathering, mergeDrafts, partialOf, quotedWords, runRules } from './combine.js';
import type { PartialAnalysis } from './combine.js';
import { indexCorrelation } from './rules/correlation-index.js';
import { rules as defaultRules } from './rules/index.js';
import type { FindingDraft, Rule } from './rules/index.js';
import { summarizeCall } from './summarize.js';

export { diagnose, runRules } from './combine.js';
export type { FinishedCalls, PartialAnalysis } from './combine.js';

/**
 * Which parsed messages an analysis keeps for reports: every one, those cited as evidence, or none; `flows` keeps
 * the evidence, the first FLOWS_KEEP_FIRST_MESSAGES messages and the messages of up to FLOWS_KEEP_CALLS calls with
 * error or warning findings and FLOWS_KEEP_CALLS others (what the HTML report draws), in bounded memory.
 */
export type KeepMessages = 'all' | 'evidence' | 'flows' | 'none';

/** `flows`: the first messages kept whatever becomes of them (the HTML report lists the first 3,000). */
export const FLOWS_KEEP_FIRST_MESSAGES = 3000;
/** `flows`: calls whose messages are kept as they end, of those with error or warning findings and of the others. */
export const FLOWS_KEEP_CALLS = 300;

/** `keepCallIdsContaining` as given, or undefined when absent or empty (an empty text would keep everything). */
export function keptCallIdText(options: { readonly keepCallIdsContaining?: string | undefined }): string | undefined {
  const t = options.keepCallIdsContaining;
  return t === undefined || t === '' ? undefined : t;
}

/** Whether the options ask for chosen calls to be kept whole (`keepCallIdsContaining` or `keepCallIds`). */
export function keepsChosenCalls(options: {
  readonly keepCallIdsContaining?: string | undefined;
  readonly keepCallIds?: readonly string[] | undefined;
  readonly keepAccounts?: readonly string[] | undefined;
}): boolean {
  return keptCallIdText(options) !== undefined || (options.keepCallIds?.length ?? 0) > 0 || (options.keepAccounts?.length ?? 0) > 0;
}

/**
 * Whether an analysis hands over more than the messages its findings cite: everything it stores (`all`, `flows`) or
 * the messages of the calls asked for (see Analyzer.handedOver). The combining thread of a shared analysis then
 * passes on every message the shares sent.
 */
export function handsOverStored(keep: KeepMessages, chosenCalls: boolean): boolean {
  return keep === 'all' || keep === 'flows' || chosenCalls;
}

/** The options of readInputs (cwd, stdin, limits, onProgress, signal) apply when `analyze` reads paths. */
export interface AnalyzeOptions extends ReadInputsOptions {
  /**
   * Default `evidence`: the messages findings cite (reports quote them); `none` keeps memory flat on huge inputs;
   * `flows` adds the first messages and those of a few hundred calls, for ladders, still in bounded memory; `all`
   * keeps every message (memory grows with the input). `true` is `all`, `false` is `none`.
   */
  readonly keepMessages?: KeepMessages | boolean;
  /**
   * Messages whose Call-ID contains this text are kept too, whatever `keepMessages` says (`siplens flow --call`): the
   * one flow asked for is drawn whole, in bounded memory.
   */
  readonly keepCallIdsContaining?: string;
  /**
   * Messages of these Call-IDs (exactly) are kept too, whatever `keepMessages` says: `analyze --filter` finds the
   * calls its filters match in a first pass and keeps only those whole in the second.
   */
  readonly keepCallIds?: readonly string[];
  /**
   * REGISTER messages (and their answers) to these addresses of record, the To URI as the facts read it, are kept too:
   * a registration's refreshes may each have a Call-ID of their own.
   */
  readonly keepAccounts?: readonly string[];
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
  /**
   * Threads that analyse shares of the input (routed by call, account and keepalive pair): this one and `workers - 1`
   * worker threads; 1 analyses in this thread alone. Default: one per core, up to 4, for inputs of 160 MiB or more
   * and for standard input; 1 otherwise.
   */
  readonly workers?: number;
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
   * A framed message, not parsed: its facts are read straight from its bytes. Numbered `index`, by default the one
   * after the highest pushed so far; returns the number given.
   */
  pushRaw(raw: RawMessage, index?: number): number;
  snapshot(): AnalysisResult;
  /** The snapshot and the kept messages. */
  analysis(): Analysis;
  /** What it concluded so far as plain data (see combinePartials); `lastAt` overrides the data's last time. */
  partial(lastAt?: number | null): PartialAnalysis;
  /** A kept message's bytes, meta and issues; `asRead`: pushed as a parsed record. */
  stored(index: number): (StoredMessage & { readonly asRead: boolean }) | undefined;
  /**
   * The messages handed over beside the evidence, in no order: every one stored for `all` and `flows`, those of the
   * calls asked for (`keepCallIdsContaining`, `keepCallIds`, `keepAccounts`) otherwise.
   */
  handedOver(): number[];
}

/**
 * The calls a result may list, all of them counted: of the calls not answered and of the answered ones, the `max`
 * that began first in the data each (a max-heap on the first message's number), so the list is the same whatever
 * order calls end in, and the same in one thread as in several.
 */
class CallList {
  readonly #problems: CallHeap;
  readonly #clean: CallHeap;
  readonly byOutcome: Record<string, number> = {};
  readonly byFinalStatus: Record<string, number> = {};
  total = 0;
  constructor(readonly max: number) {
    this.#problems = new CallHeap(max);
    this.#clean = new CallHeap(max);
  }

  add(c: CallSummary): void {
    this.total++;
    this.byOutcome[c.outcome] = (this.byOutcome[c.outcome] ?? 0) + 1;
    const k = c.finalStatus === null ? 'none' : String(c.finalStatus);
    this.byFinalStatus[k] = (this.byFinalStatus[k] ?? 0) + 1;
    (c.outcome === 'answered' ? this.#clean : this.#problems).add(c);
  }

  listed(): CallSummary[] {
    return [...this.#problems.items(), ...this.#clean.items()];
  }
}

/** At most `max` calls, those with the lowest first message number. */
class CallHeap {
  readonly #heap: CallSummary[] = [];
  constructor(readonly max: number) {}

  add(c: CallSummary): void {
    const h = this.#heap;
    const key = first(c);
    if (h.length < this.max) {
      h.push(c);
      let i = h.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (first(h[p]!) >= key) break;
        [h[p], h[i]] = [h[i]!, h[p]!];
        i = p;
      }
      return;
    }
    if (this.max === 0 || key >= first(h[0]!)) return;
    h[0] = c;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && first(h[l]!) > first(h[m]!)) m = l;
      if (r < h.length && first(h[r]!) > first(h[m]!)) m = r;
      if (m === i) break;
      [h[m], h[i]] = [h[i]!, h[m]!];
      i = m;
    }
  }

  items(): readonly CallSummary[] {
    return this.#heap;
  }
}

function first(c: CallSummary): number {
  return c.messages[0] ?? Number.MAX_SAFE_INTEGER;
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

  /**
   * Adds drafts. `cite` and `uncite` hear the messages the kept drafts start and stop citing: a gathering finding
   * merged with a new part keeps at most 40 of its messages, and the others may go.
   */
  add(drafts: readonly FindingDraft[], cite: (indexes: readonly number[]) => void, uncite: (indexes: readonly number[]) => void): void {
    for (const d of drafts) {
      if (isGathering(d.rule)) {
        const key = gatherKey(d);
        const at = this.#gathered.get(key);
        if (at !== undefined) {
          const prev = this.kept[at] as FindingDraft;
          const merged = mergeDrafts(prev, d);
          this.kept[at] = merged;
          const before = new Set(prev.evidence);
          const after = new Set(merged.evidence);
          cite(merged.evidence.filter((i) => !before.has(i)));
          uncite(prev.evidence.filter((i) => !after.has(i)));
          continue;
        }
        this.#gathered.set(key, this.kept.length);
        this.kept.push(d);
        cite(d.evidence);
        continue;
      }
      const n = this.#perRule.get(d.rule) ?? 0;
      this.#perRule.set(d.rule, n + 1);
      if (n < this.max) {
        this.kept.push(d);
        cite(d.evidence);
        continue;
      }
      this.omittedByRule.set(d.rule, (this.omittedByRule.get(d.rule) ?? 0) + 1);
      this.omitted[d.severity]++;
      if (this.quoted.size < 10_000 && !d.rule.startsWith('words.')) for (const raw of quotedWords(d)) this.quoted.add(raw);
    }
  }
}

/** Creates an incremental analyzer (the live web view feeds it message by message). */
export function createAnalyzer(options: AnalyzeOptions = {}, inputs: readonly InputReport[] = []): Analyzer {
  const k = options.keepMessages ?? 'evidence';
  const keep: KeepMessages = k === true ? 'all' : k === false ? 'none' : k;
  /** Messages no longer needed leave the store (`all` keeps them, `none` never stores them). */
  const releases = keep === 'evidence' || keep === 'flows';
  const keepText = keptCallIdText(options);
  const keepIds = (options.keepCallIds?.length ?? 0) > 0 ? new Set(options.keepCallIds) : undefined;
  const keepAors = (options.keepAccounts?.length ?? 0) > 0 ? new Set(options.keepAccounts) : undefined;
  const chosenCalls = keepsChosenCalls(options);
  /** The messages of the calls asked for, pinned as read. */
  const pinned: number[] = [];
  const store = new MessageStore();
  /** Indexes pushed as parsed records (their issues are kept as read). */
  const asRecords = new Set<number>();
  /** Messages cited by findings already made, with how many cite them: they stay whatever else lets them go. */
  const cited = new Map<number, number>();
  const cite = (indexes: readonly number[]): void => {
    for (const i of indexes) cited.set(i, (cited.get(i) ?? 0) + 1);
  };
  const uncite = (indexes: readonly number[]): void => {
    for (const i of indexes) {
      const n = (cited.get(i) ?? 0) - 1;
      if (n > 0) {
        cited.set(i, n);
        continue;
      }
      cited.delete(i);
      // Cited no more: its call left memory long ago, so nothing else holds the message.
      if (releases) {
        store.delete(i);
        asRecords.delete(i);
      }
    }
  };
  const release = (indexes: readonly number[]): void => {
    if (!releases) return;
    for (const i of indexes) {
      if (cited.has(i)) continue;
      store.delete(i);
      asRecords.delete(i);
    }
  };
  /** A stored message's facts read again (the correlator keeps answered REGISTER transactions thin). */
  const reread = (index: number): MessageFacts | undefined => {
    const m = store.get(index);
    return m === undefined ? undefined : scanFacts(m.bytes, m.meta, index, m.issues);
  };
  // With nothing stored there is nothing to read again: the correlator then keeps every message's facts whole.
  const correlator = createCorrelator(keep === 'none' ? { onRelease: release } : { onRelease: release, reread });
  const ruleList = options.rules ?? defaultRules;
  const finishedDrafts = new DraftList(options.maxFindingsPerRule ?? DEFAULT_MAX_FINDINGS_PER_RULE);
  const finishedCalls = new CallList(options.maxCalls ?? DEFAULT_MAX_CALLS);
  const every = options.eviction === false ? 0 : (options.eviction?.checkEvery ?? 4096);
  let pushed = 0;
  let nextRaw = 0;

  let severeFlowsKept = 0;
  let otherFlowsKept = 0;
  /** `flows`: keeps (cites for good) the messages of the first calls that end, those with severe findings apart. */
  function keepFlows(calls: readonly (readonly number[])[], drafts: readonly { severity: string; evidence: readonly number[] }[]): void {
    if (severeFlowsKept >= FLOWS_KEEP_CALLS && otherFlowsKept >= FLOWS_KEEP_CALLS) return;
    const severe = new Set<number>();
    for (const d of drafts) if (d.severity !== 'info') for (const i of d.evidence) severe.add(i);
    for (const messages of calls) {
      if (messages.some((i) => severe.has(i))) {
        if (severeFlowsKept >= FLOWS_KEEP_CALLS) continue;
        severeFlowsKept++;
      } else {
        if (otherFlowsKept >= FLOWS_KEEP_CALLS) continue;
        otherFlowsKept++;
      }
      cite(messages);
    }
  }

  /** Diagnoses calls that are over and idle, keeps what they concluded, and lets their messages go. */
  function evict(): void {
    const evicted = correlator.evictIdleCalls(options.eviction === false ? {} : (options.eviction ?? {}));
    if (evicted.length === 0) return;
    const part: Correlation = {
      messages: 0,
      transactions: evicted.flatMap((e) => e.transactions),
      calls: evicted.map((e) => e.call),
      registrations: [],
      subscriptions: [],
      keepalives: [],
      others: [],
      lastAt: correlator.lastAt(),
    };
    // The summaries read the calls' outcomes the rules worked out.
    const index = indexCorrelation(part);
    const drafts = runRules(part, ruleList, index);
    if (keep === 'flows') keepFlows(evicted.map((e) => e.call.messages), drafts);
    finishedDrafts.add(drafts, cite, uncite);
    for (const e of evicted) finishedCalls.add(summarizeCall(e.call, new Map(), index.viewOf(e.call)));
    if (releases) for (const e of evicted) release(e.call.messages);
  }

  function partial(lastAt?: number | null): PartialAnalysis {
    const c = correlator.snapshot();
    return partialOf(
      c,
      ruleList,
      {
        drafts: finishedDrafts.kept,
        calls: finishedCalls.listed(),
        counts: { total: finishedCalls.total, byOutcome: finishedCalls.byOutcome, byFinalStatus: finishedCalls.byFinalStatus },
        omitted: { byRule: [...finishedDrafts.omittedByRule], bySeverity: finishedDrafts.omitted, quoted: [...finishedDrafts.quoted] },
      },
      lastAt === undefined ? c.lastAt : lastAt,
    );
  }

  const limits = { maxCalls: finishedCalls.max, maxFindingsPerRule: finishedDrafts.max };

  function snapshot(): AnalysisResult {
    return combinePartials([partial()], inputs, limits);
  }

  /** The first defective messages are the msg.malformed finding's evidence: they stay whatever else lets them go. */
  let defectiveKept = 0;
  function keepDefective(facts: MessageFacts): void {
    if (facts.defects.length === 0 || defectiveKept >= MAX_DEFECTIVE_SAMPLES) return;
    defectiveKept++;
    cite([facts.index]);
  }

  /** Cites for good what `flows`, `keepCallIdsContaining` and `keepCallIds` keep whatever becomes of its call. */
  function pin(facts: MessageFacts): void {
    const { index, callId } = facts;
    if (keep === 'flows' && index < FLOWS_KEEP_FIRST_MESSAGES) cite([index]);
    if (!chosenCalls || keep === 'none') return;
    const chosen =
      (keepText !== undefined && callId.includes(keepText)) ||
      keepIds?.has(callId) === true ||
      (keepAors !== undefined && facts.cseqMethod === 'REGISTER' && keepAors.has(facts.toUri ?? ''));
    if (!chosen) return;
    cite([index]);
    pinned.push(index);
  }

  function handedOver(): number[] {
    return keep === 'all' || keep === 'flows' ? [...store.indexes()] : pinned.slice();
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
      // Pinned once its facts are read; nothing lets a message go while it is being pushed.
      const facts = correlator.push(record);
      pin(facts);
      keepDefective(facts);
      if (record.index >= nextRaw) nextRaw = record.index + 1;
      afterPush();
    },
    pushRaw(raw, given) {
      const index = given ?? nextRaw;
      if (index >= nextRaw) nextRaw = index + 1;
      if (keep !== 'none') store.put(index, raw.bytes, raw.meta, raw.issues);
      const facts = scanFacts(raw.bytes, raw.meta, index, raw.issues);
      pin(facts);
      correlator.pushFacts(facts);
      keepDefective(facts);
      afterPush();
      return index;
    },
    snapshot,
    partial,
    handedOver,
    stored: (index) => {
      const m = store.get(index);
      return m === undefined ? undefined : { ...m, asRead: asRecords.has(index) };
    },
    analysis() {
      const result = snapshot();
      const kept = new Map<number, MessageRecord>();
      // Apart from `all`, what is handed over is bounded (evidence, the kept flows, the calls asked for).
      const wanted = new Set<number>(handedOver());
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
