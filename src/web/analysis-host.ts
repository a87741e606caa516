// Runs a LiveAnalysis and decides when to take a view: soon after new messages (the page hears of them within a
// second), but never so often that snapshots take more than about a third of the time: a snapshot diagnoses the whole
// analyzer again, and its cost grows with the calls it holds.
import { LiveAnalysis } from './live-analysis.js';
import type { LiveAnalysisOptions } from './live-analysis.js';
import type { LiveMessage, LiveView } from './live-view.js';

export interface AnalysisHostOptions extends LiveAnalysisOptions {
  /** Least time between two views, in ms. Default 250. */
  readonly throttleMs?: number;
}

/** What the host reports: a new view, how far it has read, and the whole history when asked (to save it). */
/** Views travel as JSON text: the server sends them on as they are, and a string crosses threads faster. */
export type HostEvent =
  | { readonly type: 'view'; readonly json: string; readonly analysed: number; readonly failures: number }
  | { readonly type: 'progress'; readonly analysed: number; readonly heapBytes: number }
  | { readonly type: 'history'; readonly json: string; readonly request: number };

export class AnalysisHost {
  readonly #analysis: LiveAnalysis;
  readonly #emit: (event: HostEvent) => void;
  readonly #throttleMs: number;
  #analysed = 0;
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  #lastViewEnd = 0;
  #lastViewCost = 0;
  #closed = false;

  constructor(options: AnalysisHostOptions, emit: (event: HostEvent) => void) {
    this.#analysis = new LiveAnalysis(options);
    this.#emit = emit;
    this.#throttleMs = options.throttleMs ?? 250;
  }

  /** `live` false: history replayed at start. */
  push(batch: readonly LiveMessage[], live: boolean): void {
    for (const m of batch) this.#analysis.push(m, live);
    this.#analysed += batch.length;
    this.#emit({ type: 'progress', analysed: this.#analysed, heapBytes: process.memoryUsage().heapUsed });
    this.#dirty = true;
    this.#schedule();
  }

  /** Starts from a saved view (JSON text); one that does not read is left out, and the history starts empty. */
  restore(json: string): void {
    try {
      this.#analysis.restore(JSON.parse(json) as LiveView);
    } catch {
      return;
    }
    this.#dirty = true;
    this.#schedule();
  }

  /** The whole history (not only what a view shows), for the server to save. */
  history(request: number): void {
    this.#emit({ type: 'history', json: JSON.stringify(this.#analysis.view(true)), request });
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closed) return;
    const gap = Math.max(this.#throttleMs, 2 * this.#lastViewCost);
    const wait = Math.max(0, this.#lastViewEnd + gap - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#dirty || this.#closed) return;
      this.#dirty = false;
      const started = performance.now();
      const json = JSON.stringify(this.#analysis.view());
      this.#lastViewEnd = performance.now();
      this.#lastViewCost = this.#lastViewEnd - started;
      this.#emit({ type: 'view', json, analysed: this.#analysed, failures: this.#analysis.failures });
    }, wait);
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
