// The Monitoring window's core, on the server's thread: every message from a feed gets an id, is stored in batches and
// handed to the analysis; the views come back from it and go to every page. A restart shows the saved history at once
// and replays the newest stored messages, so calls and registrations in progress are followed on.
import type { AnalysisResult, InputReport, Issue, Ladder, MessageMeta, MessageRecord } from '../index.js';
import { buildLadder, parseMessage, viewMessage } from '../index.js';
import type { AnalysisEngine, ViewEvent } from './analysis-engine.js';
import { analyseUpload } from './analysis-engine.js';
import type { LiveMessage, LiveView } from './live-view.js';
import { EMPTY_VIEW } from './live-view.js';
import type { RetentionPolicy, SipStore, StoredMessage, StoreStats, UploadInfo } from './store/store.js';
import type { UploadedMessage } from './upload-job.js';

export interface HubOptions {
  readonly store: SipStore;
  readonly engine: AnalysisEngine;
  readonly retention: RetentionPolicy;
  /** Stored messages replayed into the analysis at start. Default 20 000. */
  readonly replayMessages?: number;
  /** Longest wait before pending messages are stored and analysed, in ms. Default 100. */
  readonly flushMs?: number;
  /** Messages stored in one transaction at most. Default 2 000. */
  readonly batchSize?: number;
  /** Least time between two state updates to the pages, in ms. Default 250. */
  readonly notifyMs?: number;
  /** Messages the analysis may fall behind by before new ones are stored only (and counted). Default 200 000. */
  readonly maxBacklog?: number;
  /** How often the history is saved and retention runs, in ms. Defaults 30 s and 60 s. */
  readonly saveEveryMs?: number;
  readonly retentionEveryMs?: number;
}

/** A feed as the page lists it: the reader's report, with the issues cut to the last few. */
export interface FeedState {
  readonly path: string;
  readonly kind: string;
  readonly format: string | null;
  readonly messages: number;
  readonly skipped: number;
  readonly issues: number;
  readonly lastIssues: readonly string[];
}

/** Everything a page needs to draw itself, sent whole on every update. */
export interface HubState {
  readonly view: LiveView;
  readonly store: StoreStats;
  readonly feeds: readonly FeedState[];
  readonly uploads: readonly UploadInfo[];
  readonly analysis: {
    /** Messages stored but not yet analysed. */
    readonly backlog: number;
    /** Messages stored but never analysed, because the analysis was too far behind. */
    readonly skipped: number;
    /** Messages the analyzer could not take (should stay 0). */
    readonly failures: number;
    readonly storeErrors: number;
    readonly lastStoreError: string | null;
  };
  /** The server process's resident memory, and the JavaScript heaps of this thread and of the analysis thread. */
  readonly memory: { readonly rssMiB: number; readonly serverHeapMiB: number; readonly analysisHeapMiB: number };
  readonly startedAt: number;
}

/** One message as the ladder and the evidence lists show it; `text` goes to the page as text only. */
export interface PageMessage {
  readonly id: number;
  readonly time: number | null;
  readonly timeLabel: string;
  readonly src: string;
  readonly dst: string;
  readonly transport: string | null;
  readonly label: string;
  readonly callId: string | null;
  readonly source: string;
  readonly keyLines: readonly string[];
  readonly text: string;
}

export interface LadderAnswer {
  readonly ladder: Ladder;
  readonly messages: readonly PageMessage[];
  /** True when there were more messages than the ladder shows (the newest are shown for accounts). */
  readonly truncated: boolean;
}

export interface UploadAnswer {
  readonly id: number;
  readonly name: string;
  readonly messages: number;
  readonly summary: AnalysisResult['summary'];
}

const LADDER_LIMIT = 400;

/** What the analysis and the ladder need of a stored message's origin and addresses. */
function metaOf(m: StoredMessage): MessageMeta {
  return {
    time: m.time > 0 ? m.time : null,
    ...(m.src === null ? {} : { src: m.src }),
    ...(m.dst === null ? {} : { dst: m.dst }),
    ...(m.transport === null ? {} : { transport: m.transport as NonNullable<MessageMeta['transport']> }),
    ...(m.direction === null ? {} : { direction: m.direction }),
    origin: { path: m.source, offset: 0 },
  };
}

function toPageMessage(m: StoredMessage): PageMessage {
  const view = viewMessage({ index: m.id, message: parseMessage(m.raw), meta: metaOf(m) });
  return {
    id: m.id,
    time: view.time,
    timeLabel: view.timeLabel,
    src: view.src,
    dst: view.dst,
    transport: view.transport,
    label: view.kind === 'request' ? (view.method ?? '?') : `${view.status ?? '?'} ${view.reason ?? ''}`.trim(),
    callId: view.callId,
    source: m.source,
    keyLines: view.keyLines,
    text: view.text,
  };
}

/** Whether `text` is a JSON object (a saved view written by an earlier run). */
function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

function feedState(r: InputReport): FeedState {
  const last = r.issues.slice(-3).map((i: Issue) => i.message);
  return { path: r.path, kind: r.kind, format: r.format, messages: r.messages, skipped: r.skipped, issues: r.issues.length, lastIssues: last };
}

/** Replaces the upload's message indexes (reading order) by the store ids its messages got. */
function withStoreIds(result: AnalysisResult, ids: readonly number[]): AnalysisResult {
  const map = (list: readonly number[]): number[] => list.flatMap((i) => (ids[i] === undefined ? [] : [ids[i]]));
  return {
    ...result,
    registrations: result.registrations.map((r) => ({ ...r, messages: map(r.messages) })),
    calls: result.calls.map((c) => ({ ...c, messages: map(c.messages) })),
    findings: result.findings.map((f) => ({ ...f, evidence: map(f.evidence) })),
  };
}

export class LiveHub {
  readonly #store: SipStore;
  readonly #engine: AnalysisEngine;
  readonly #retention: RetentionPolicy;
  readonly #flushMs: number;
  readonly #batchSize: number;
  readonly #notifyMs: number;
  readonly #maxBacklog: number;
  readonly #feeds: InputReport[] = [];
  readonly #listeners = new Set<(json: string) => void>();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #startedAt = Date.now();
  readonly #uploadsAbort = new AbortController();
  #nextId: number;
  #pending: StoredMessage[] = [];
  #flushTimer: NodeJS.Timeout | undefined;
  #notifyTimer: NodeJS.Timeout | undefined;
  #lastNotify = 0;
  #writes: Promise<void> = Promise.resolve();
  /** The latest LiveView as JSON text, as the analysis sent it: pages get it as it is. */
  #viewJson = JSON.stringify(EMPTY_VIEW);
  #viewChanged = false;
  #stats: StoreStats;
  #uploads: UploadInfo[];
  #sent = 0;
  #skipped = 0;
  #failures = 0;
  #storeErrors = 0;
  #lastStoreError: string | null = null;
  #json: string | undefined;
  #closed = false;

  private constructor(options: HubOptions, stats: StoreStats, uploads: UploadInfo[]) {
    this.#store = options.store;
    this.#engine = options.engine;
    this.#retention = options.retention;
    this.#flushMs = options.flushMs ?? 100;
    this.#batchSize = options.batchSize ?? 2000;
    this.#notifyMs = options.notifyMs ?? 250;
    this.#maxBacklog = options.maxBacklog ?? 200_000;
    this.#stats = stats;
    this.#uploads = uploads;
    this.#nextId = stats.lastId + 1;
    this.#engine.onView((event) => this.#onView(event));
  }

  /** Opens the hub on a store: applies retention, shows the saved history, replays the newest messages. */
  static async open(options: HubOptions): Promise<LiveHub> {
    const { store } = options;
    while ((await store.applyRetention(options.retention, Date.now())) > 0);
    const hub = new LiveHub(options, await store.stats(), await store.listUploads());
    const saved = await store.loadView();
    if (saved !== undefined && isJsonObject(saved)) {
      hub.#viewJson = saved;
      options.engine.restore(saved);
    }
    // A damaged saved view costs the history shown at start, not the start: the replay rebuilds what it can.
    const replay = await store.tail(options.replayMessages ?? 20_000);
    for (let i = 0; i < replay.length; i += 2000) {
      const batch = replay.slice(i, i + 2000).map((m): LiveMessage => ({ id: m.id, bytes: m.raw, meta: metaOf(m) }));
      options.engine.push(batch, false);
      hub.#sent += batch.length;
    }
    hub.#timers.push(setInterval(() => void hub.#retain(), options.retentionEveryMs ?? 60_000));
    hub.#timers.push(setInterval(() => void hub.saveHistory(), options.saveEveryMs ?? 30_000));
    for (const t of hub.#timers) t.unref();
    return hub;
  }

  /** Adds one live message; stored and analysed within `flushMs`. */
  ingest(record: MessageRecord): void {
    if (this.#closed) return;
    const m = record.message;
    const meta = record.meta;
    // A followed log that writes only the time of day: the arrival time stands in, for ordering and "time since".
    const time = meta.time ?? Date.now();
    this.#pending.push({
      id: this.#nextId++,
      time,
      callId: m.callId ?? null,
      method: m.method ?? null,
      status: m.status ?? null,
      cseqMethod: m.cseq?.method ?? null,
      src: meta.src ?? null,
      dst: meta.dst ?? null,
      transport: meta.transport ?? null,
      direction: meta.direction ?? null,
      source: meta.origin.path,
      uploadId: null,
      // A view into the feed's buffer until the next flush, which copies it into one batch for the store's thread.
      raw: m.raw,
    });
    if (this.#pending.length >= this.#batchSize) this.flush();
    else this.#flushTimer ??= setTimeout(() => this.flush(), this.#flushMs);
  }

  /** Reads a live feed (readLive's records) until it ends; `reports` are its feeds, listed on the page. */
  async consume(records: AsyncIterable<MessageRecord>, reports: readonly InputReport[]): Promise<void> {
    this.#feeds.push(...reports);
    for await (const record of records) this.ingest(record);
    this.flush();
  }

  /** Stores what is pending and hands it to the analysis. */
  flush(): void {
    if (this.#flushTimer !== undefined) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#writes = this.#writes
      .then(() => this.#store.append(batch))
      .then(
        () => this.#analyse(batch),
        (error: unknown) => {
          this.#storeErrors += batch.length;
          this.#lastStoreError = error instanceof Error ? error.message : String(error);
        },
      )
      .then(() => this.#refreshStats());
  }

  #analyse(batch: readonly StoredMessage[]): void {
    const backlog = this.#sent - this.#engine.analysed;
    if (backlog > this.#maxBacklog) {
      this.#skipped += batch.length;
      return;
    }
    const live = batch.map((m): LiveMessage => ({ id: m.id, bytes: m.raw, meta: metaOf(m) }));
    try {
      this.#engine.push(live, true);
      this.#sent += live.length;
    } catch {
      this.#failures += live.length;
    }
  }

  async #refreshStats(): Promise<void> {
    try {
      this.#stats = await this.#store.stats();
    } catch {
      return;
    }
    this.#changed();
  }

  /** Waits until everything ingested so far is stored. */
  async settle(): Promise<void> {
    this.flush();
    await this.#writes;
  }

  #onView(event: ViewEvent): void {
    this.#viewJson = event.json;
    this.#failures = event.failures;
    this.#viewChanged = true;
    this.#changed();
  }

  #changed(): void {
    this.#json = undefined;
    if (this.#notifyTimer !== undefined || this.#closed) return;
    const wait = Math.max(0, this.#lastNotify + this.#notifyMs - Date.now());
    this.#notifyTimer = setTimeout(() => {
      this.#notifyTimer = undefined;
      this.#lastNotify = Date.now();
      if (this.#listeners.size === 0) return;
      const json = this.stateJson();
      for (const l of this.#listeners) l(json);
    }, wait);
  }

  /** The state as the pages get it (parsed again from the JSON: for tests and tools, not for every update). */
  state(): HubState {
    return JSON.parse(this.stateJson()) as HubState;
  }

  storeStats(): StoreStats {
    return this.#stats;
  }

  /** The state as JSON, made once per change however many pages listen; the view goes in as the analysis wrote it. */
  stateJson(): string {
    if (this.#json === undefined) {
      const analysis = {
        backlog: Math.max(0, this.#sent - this.#engine.analysed),
        skipped: this.#skipped,
        failures: this.#failures,
        storeErrors: this.#storeErrors,
        lastStoreError: this.#lastStoreError,
      };
      const mib = (n: number): number => Math.round(n / 1048576);
      const memory = { rssMiB: mib(process.memoryUsage.rss()), serverHeapMiB: mib(process.memoryUsage().heapUsed), analysisHeapMiB: mib(this.#engine.heapBytes) };
      const rest = JSON.stringify({ store: this.#stats, feeds: this.#feeds.map(feedState), uploads: this.#uploads, analysis, memory, startedAt: this.#startedAt });
      this.#json = `{"view":${this.#viewJson},${rest.slice(1)}`;
    }
    return this.#json;
  }

  /** Calls `listener` with the state JSON on every change (at most every `notifyMs`). */
  subscribe(listener: (json: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The ladder of one call or registration: live, or of one upload. Accounts show their newest messages. */
  async ladder(callId: string, uploadId: number | null, newest: boolean): Promise<LadderAnswer> {
    await this.settle();
    const found = await this.#store.list({ callId, uploadId, limit: LADDER_LIMIT + 1, newest });
    const truncated = found.length > LADDER_LIMIT;
    const shown = truncated ? (newest ? found.slice(1) : found.slice(0, LADDER_LIMIT)) : found;
    const messages = shown.map(toPageMessage);
    const views = shown.map((m) => viewMessage({ index: m.id, message: parseMessage(m.raw), meta: metaOf(m) }));
    return { ladder: buildLadder(callId, views), messages, truncated };
  }

  /** Stored messages by id (a finding's evidence); ids no longer stored are left out. */
  async messages(ids: readonly number[]): Promise<PageMessage[]> {
    await this.settle();
    return (await this.#store.getMany(ids.slice(0, LADDER_LIMIT))).map(toPageMessage);
  }

  /** Reads and analyses an uploaded file (in a worker), storing its messages under a new upload. */
  async upload(file: string, name: string, bytes: number): Promise<UploadAnswer> {
    const id = await this.#store.createUpload(name, bytes, Date.now());
    const ids: number[] = [];
    let writes = Promise.resolve();
    const store = (batch: UploadedMessage[]): void => {
      const rows = batch.map((m): StoredMessage => {
        const storeId = this.#nextId++;
        ids[m.index] = storeId;
        return {
          id: storeId,
          time: m.time ?? 0,
          callId: m.callId,
          method: m.method,
          status: m.status,
          cseqMethod: m.cseqMethod,
          src: m.src,
          dst: m.dst,
          transport: m.transport,
          direction: m.direction,
          source: m.origin,
          uploadId: id,
          raw: m.bytes,
        };
      });
      writes = writes.then(() => this.#store.append(rows));
    };
    const json = await analyseUpload(file, name, store, this.#uploadsAbort.signal);
    await writes;
    const result = withStoreIds(JSON.parse(json) as AnalysisResult, ids);
    await this.#store.finishUpload(id, result.summary.messages, JSON.stringify(result));
    this.#uploads = await this.#store.listUploads();
    await this.#refreshStats();
    return { id, name, messages: result.summary.messages, summary: result.summary };
  }

  /** The saved analysis of an upload, as JSON text (the `analyze --json` object, store ids as indexes). */
  uploadResult(id: number): Promise<string | undefined> {
    return this.#store.uploadResult(id);
  }

  /** Saves the whole history, so that the next start shows it at once. */
  async saveHistory(): Promise<void> {
    if (!this.#viewChanged || this.#closed) return;
    this.#viewChanged = false;
    const json = await this.#engine.history();
    try {
      await this.#store.saveView(json, Date.now());
    } catch (error) {
      this.#storeErrors++;
      this.#lastStoreError = error instanceof Error ? error.message : String(error);
    }
  }

  /** Retention in steps, yielding between them so that the feeds are read meanwhile. */
  async #retain(): Promise<void> {
    try {
      while (!this.#closed && (await this.#store.applyRetention(this.#retention, Date.now(), 5000)) > 0) {
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      this.#lastStoreError = error instanceof Error ? error.message : String(error);
    }
    await this.#refreshStats();
  }

  /** Stores what is pending, saves the history, and stops the analysis; the store is closed by its owner. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.settle();
    // The analysis has the last messages once it has answered this (messages to it are handled in order).
    this.#viewChanged = true;
    await this.saveHistory();
    this.#closed = true;
    this.#uploadsAbort.abort();
    for (const t of this.#timers) clearInterval(t);
    if (this.#notifyTimer !== undefined) clearTimeout(this.#notifyTimer);
    this.#listeners.clear();
    await this.#engine.close();
  }
}
