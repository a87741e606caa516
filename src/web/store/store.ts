/** A message as the Monitoring window stores it: what the views list, plus the raw bytes for the ladder. */
export interface StoredMessage {
  /** Store-wide sequence number, given by the hub; never reused, even after retention deleted everything. */
  readonly id: number;
  /** Milliseconds since the epoch when the message was seen (capture time, else arrival time); 0 when an uploaded
   * file gave no absolute time. */
  readonly time: number;
  readonly callId: string | null;
  readonly method: string | null;
  readonly status: number | null;
  readonly cseqMethod: string | null;
  readonly src: string | null;
  readonly dst: string | null;
  readonly transport: string | null;
  /** `in` or `out` as seen by the device that wrote a followed log; null for captures and HEP. */
  readonly direction: 'in' | 'out' | null;
  /** Where it came from: `hep://127.0.0.1:9060`, a followed log's path, or an uploaded file's name. */
  readonly source: string;
  /** The upload it belongs to; null for live messages (HEP, followed logs). */
  readonly uploadId: number | null;
  readonly raw: Uint8Array;
}

export interface RetentionPolicy {
  /** Messages older than this (by their time) are deleted. */
  readonly maxAgeMs: number;
  /** When the raw bytes stored exceed this, the oldest messages go first. */
  readonly maxBytes: number;
}

export interface StoreStats {
  readonly messages: number;
  /** Raw message bytes (the database file is larger: indexes, free pages). */
  readonly bytes: number;
  /** The time of the first and the last message stored (by arrival), or null when there is none. */
  readonly oldest: number | null;
  readonly newest: number | null;
  /** The highest id ever stored, or 0. */
  readonly lastId: number;
  readonly schemaVersion: number;
}

/** A file opened in the page, analysed as `siplens analyze` would. */
export interface UploadInfo {
  readonly id: number;
  readonly name: string;
  readonly bytes: number;
  readonly time: number;
  readonly messages: number;
}

export interface ListOptions {
  /** Ids greater than this (exclusive). */
  readonly afterId?: number;
  readonly limit: number;
  readonly callId?: string;
  /** Only this upload's messages; `null` only live ones; absent: both. */
  readonly uploadId?: number | null;
  /** The newest `limit` that match (still returned in id order), instead of the oldest. */
  readonly newest?: boolean;
}

/**
 * Where the Monitoring window keeps its history, so a restart keeps it. SQLite is the default; the interface is
 * asynchronous so that a server database can follow without touching the web app.
 */
export interface SipStore {
  /** Appends messages in one transaction, with the ids the hub gave them. */
  append(messages: readonly StoredMessage[]): Promise<void>;
  /** Messages that match, in id order. */
  list(options: ListOptions): Promise<StoredMessage[]>;
  /** The newest `limit` live messages, in id order (what the hub replays at start). */
  tail(limit: number): Promise<StoredMessage[]>;
  /** The messages with these ids that are still stored, in id order. */
  getMany(ids: readonly number[]): Promise<StoredMessage[]>;
  /**
   * Deletes what the policy no longer keeps, at most `maxRows` messages per call so that the caller can yield between
   * calls; returns how many went (less than `maxRows`: done).
   */
  applyRetention(policy: RetentionPolicy, now: number, maxRows?: number): Promise<number>;
  stats(): Promise<StoreStats>;
  createUpload(name: string, bytes: number, time: number): Promise<number>;
  /** Saves an upload's analysis (the `analyze --json` object, with store ids as message indexes). */
  finishUpload(id: number, messages: number, result: string): Promise<void>;
  listUploads(): Promise<UploadInfo[]>;
  /** The saved analysis of an upload, as JSON text. */
  uploadResult(id: number): Promise<string | undefined>;
  /** The live view as last saved (JSON text), so that a restart shows history at once. */
  loadView(): Promise<string | undefined>;
  saveView(json: string, time: number): Promise<void>;
  close(): Promise<void>;
}
