import Database from 'better-sqlite3';
import type { ListOptions, RetentionPolicy, SipStore, StoredMessage, StoreStats, UploadInfo } from './store.js';

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran. Never edit a released step: add
 * a new one (and a test that opens a database of the version before it).
 *
 * 1. The messages, with what the views filter on.
 * 2. Totals kept beside the table (the state line asked for count and bytes every update: a full scan at a million
 *    rows), the arrival time retention goes by (an uploaded snapshot's messages carry their capture time, years old;
 *    arrival follows id order, so it needs no index), the direction a followed log gives (rules read it), uploads with
 *    their analysis, and the live view saved for the next start. The time index goes: every insert paid for it, and
 *    only the oldest and newest times were read from it (the first and last rows give those).
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE messages (
     id INTEGER PRIMARY KEY,
     time REAL NOT NULL,
     call_id TEXT,
     method TEXT,
     status INTEGER,
     cseq_method TEXT,
     src TEXT,
     dst TEXT,
     transport TEXT,
     source TEXT NOT NULL,
     raw BLOB NOT NULL
   );
   CREATE INDEX messages_call_id ON messages (call_id);
   CREATE INDEX messages_time ON messages (time);`,
  `ALTER TABLE messages ADD COLUMN upload_id INTEGER;
   ALTER TABLE messages ADD COLUMN added REAL;
   ALTER TABLE messages ADD COLUMN direction TEXT;
   UPDATE messages SET added = time;
   DROP INDEX messages_time;
   CREATE INDEX messages_upload ON messages (upload_id) WHERE upload_id IS NOT NULL;
   CREATE TABLE totals (
     one INTEGER PRIMARY KEY CHECK (one = 1),
     messages INTEGER NOT NULL,
     bytes INTEGER NOT NULL,
     last_id INTEGER NOT NULL
   );
   INSERT INTO totals (one, messages, bytes, last_id)
     SELECT 1, count(*), coalesce(sum(length(raw)), 0), coalesce(max(id), 0) FROM messages;
   CREATE TABLE uploads (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL,
     bytes INTEGER NOT NULL,
     time REAL NOT NULL,
     messages INTEGER NOT NULL DEFAULT 0,
     result TEXT
   );
   CREATE TABLE live_view (
     one INTEGER PRIMARY KEY CHECK (one = 1),
     time REAL NOT NULL,
     json TEXT NOT NULL
   );`,
];

/** The schema version this siplens writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Thrown when the database cannot be used; `code` says why, the message names the file. */
export class StoreError extends Error {
  readonly code: 'store-open-failed' | 'store-too-new' | 'store-busy';
  constructor(code: StoreError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

interface Row {
  id: number;
  time: number;
  call_id: string | null;
  method: string | null;
  status: number | null;
  cseq_method: string | null;
  src: string | null;
  dst: string | null;
  transport: string | null;
  source: string;
  upload_id: number | null;
  direction: 'in' | 'out' | null;
  raw: Buffer;
}

function toStored(row: Row): StoredMessage {
  return {
    id: row.id,
    time: row.time,
    callId: row.call_id,
    method: row.method,
    status: row.status,
    cseqMethod: row.cseq_method,
    src: row.src,
    dst: row.dst,
    transport: row.transport,
    direction: row.direction,
    source: row.source,
    uploadId: row.upload_id,
    raw: new Uint8Array(row.raw.buffer, row.raw.byteOffset, row.raw.byteLength),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Applies the migrations `db` has not run yet, each in its own transaction. */
function migrate(db: Database.Database, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new StoreError('store-too-new', `${file} has schema version ${version}, newer than this siplens knows (${MIGRATIONS.length}); upgrade siplens or use another --db`);
  }
  // Set before the first table exists, so that retention can give freed pages back to the file system.
  if (version === 0) db.pragma('auto_vacuum = INCREMENTAL');
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/**
 * Opens (creating and migrating as needed) a SQLite store at `file`, or in memory for `:memory:`. The file is held
 * exclusively: a second `siplens serve` on the same file is refused rather than given clashing ids.
 */
export function openSqliteStore(file: string, options: { readonly now?: () => number } = {}): SipStore {
  const now = options.now ?? Date.now;
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: 0 });
  } catch (error) {
    throw new StoreError('store-open-failed', `cannot open the history database ${file}: ${describe(error)}`, { cause: error });
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    migrate(db, file);
    // Takes the write lock now (held until close), so that a second server fails here, not at its first message.
    db.exec('BEGIN IMMEDIATE; COMMIT;');
  } catch (error) {
    db.close();
    if (error instanceof StoreError) throw error;
    const busy = error instanceof Error && 'code' in error && String(error.code).startsWith('SQLITE_BUSY');
    if (busy) throw new StoreError('store-busy', `${file} is in use by another siplens serve; stop it or give another --db`, { cause: error });
    throw new StoreError('store-open-failed', `cannot use ${file} as the history database: ${describe(error)}`, { cause: error });
  }

  const insert = db.prepare(
    `INSERT INTO messages (id, time, call_id, method, status, cseq_method, src, dst, transport, direction, source, upload_id, added, raw)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const addTotals = db.prepare('UPDATE totals SET messages = messages + ?, bytes = bytes + ?, last_id = max(last_id, ?)');
  const appendMany = db.transaction((items: readonly StoredMessage[], added: number) => {
    let bytes = 0;
    let last = 0;
    for (const m of items) {
      insert.run(m.id, m.time, m.callId, m.method, m.status, m.cseqMethod, m.src, m.dst, m.transport, m.direction, m.source, m.uploadId, added,
        Buffer.from(m.raw.buffer, m.raw.byteOffset, m.raw.byteLength));
      bytes += m.raw.byteLength;
      if (m.id > last) last = m.id;
    }
    addTotals.run(items.length, bytes, last);
  });
  const columns = 'id, time, call_id, method, status, cseq_method, src, dst, transport, direction, source, upload_id, raw';
  const tailLive = db.prepare(`SELECT ${columns} FROM messages WHERE upload_id IS NULL ORDER BY id DESC LIMIT ?`);
  const getOne = db.prepare(`SELECT ${columns} FROM messages WHERE id = ?`);
  // Arrival follows id order: the oldest arrivals are the first rows, so neither delete needs an index but the rowid.
  const deleteOld = db.prepare('DELETE FROM messages WHERE id IN (SELECT id FROM messages ORDER BY id LIMIT ?) AND added < ? RETURNING length(raw) AS n');
  const deleteOldest = db.prepare('DELETE FROM messages WHERE id IN (SELECT id FROM messages ORDER BY id LIMIT ?) RETURNING length(raw) AS n');
  const takeTotals = db.prepare('UPDATE totals SET messages = messages - ?, bytes = bytes - ?');
  const removeRows = db.transaction((statement: Database.Statement, args: unknown[]): number => {
    const gone = statement.all(...args) as { n: number }[];
    let bytes = 0;
    for (const g of gone) bytes += g.n;
    if (gone.length > 0) takeTotals.run(gone.length, bytes);
    return gone.length;
  });
  const deleteEmptyUploads = db.prepare(
    'DELETE FROM uploads WHERE (result IS NOT NULL OR time < ?) AND NOT EXISTS (SELECT 1 FROM messages WHERE upload_id = uploads.id)',
  );
  const totals = db.prepare('SELECT messages, bytes, last_id AS lastId FROM totals');
  const first = db.prepare('SELECT time FROM messages ORDER BY id LIMIT 1');
  const last = db.prepare('SELECT time FROM messages ORDER BY id DESC LIMIT 1');
  const newUpload = db.prepare('INSERT INTO uploads (name, bytes, time) VALUES (?, ?, ?)');
  const endUpload = db.prepare('UPDATE uploads SET messages = ?, result = ? WHERE id = ?');
  const uploads = db.prepare('SELECT id, name, bytes, time, messages FROM uploads WHERE result IS NOT NULL ORDER BY id');
  const uploadResult = db.prepare('SELECT result FROM uploads WHERE id = ?');
  const viewGet = db.prepare('SELECT json FROM live_view');
  const viewPut = db.prepare('INSERT INTO live_view (one, time, json) VALUES (1, ?, ?) ON CONFLICT (one) DO UPDATE SET time = excluded.time, json = excluded.json');

  const rows = (list: unknown[]): StoredMessage[] => list.map((r) => toStored(r as Row));
  let open = true;

  const listStatements = new Map<string, Database.Statement>();
  function list(options: ListOptions): StoredMessage[] {
    const { limit, callId, uploadId, newest = false } = options;
    const where = ['id > ?'];
    const args: unknown[] = [options.afterId ?? 0];
    if (callId !== undefined) {
      where.push('call_id = ?');
      args.push(callId);
    }
    if (uploadId === null) where.push('upload_id IS NULL');
    else if (uploadId !== undefined) {
      where.push('upload_id = ?');
      args.push(uploadId);
    }
    const sql = `SELECT ${columns} FROM messages WHERE ${where.join(' AND ')} ORDER BY id ${newest ? 'DESC' : ''} LIMIT ?`;
    let statement = listStatements.get(sql);
    if (statement === undefined) listStatements.set(sql, (statement = db.prepare(sql)));
    const found = rows(statement.all(...args, limit));
    return newest ? found.reverse() : found;
  }

  function retain(policy: RetentionPolicy, now: number, maxRows: number): number {
    let removed = removeRows(deleteOld, [maxRows, now - policy.maxAgeMs]);
    const t = totals.get() as { messages: number; bytes: number };
    if (removed < maxRows && t.bytes > policy.maxBytes && t.messages > 0) {
      // Go a tenth under the limit, so that the next few messages do not set off another round at once.
      const target = policy.maxBytes * 0.9;
      const share = Math.ceil((t.messages * (t.bytes - target)) / t.bytes);
      removed += removeRows(deleteOldest, [Math.max(1, Math.min(share, maxRows - removed))]);
    }
    if (removed > 0) {
      deleteEmptyUploads.run(now - 86_400_000);
      db.pragma('incremental_vacuum');
    }
    return removed;
  }

  function stats(): StoreStats {
    const t = totals.get() as { messages: number; bytes: number; lastId: number };
    const oldest = (first.get() as { time: number } | undefined)?.time ?? null;
    const newest = (last.get() as { time: number } | undefined)?.time ?? null;
    return { ...t, oldest, newest, schemaVersion: db.pragma('user_version', { simple: true }) as number };
  }

  // better-sqlite3 is synchronous; the interface is not, for the server databases that may follow.
  const run = <T>(work: () => T): Promise<T> => {
    if (!open) return Promise.reject(new Error('the history database is closed'));
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };

  return {
    append: (items) => run(() => appendMany(items, now())),
    list: (options) => run(() => list(options)),
    tail: (limit) => run(() => rows(tailLive.all(limit)).reverse()),
    getMany: (ids) =>
      run(() => {
        const out: StoredMessage[] = [];
        for (const id of [...new Set(ids)].sort((a, b) => a - b)) {
          const row = getOne.get(id) as Row | undefined;
          if (row !== undefined) out.push(toStored(row));
        }
        return out;
      }),
    applyRetention: (policy, now, maxRows = 10_000) => run(() => retain(policy, now, maxRows)),
    stats: () => run(stats),
    createUpload: (name, bytes, time) => run(() => Number(newUpload.run(name, bytes, time).lastInsertRowid)),
    finishUpload: (id, messages, result) => run(() => void endUpload.run(messages, result, id)),
    listUploads: () => run(() => uploads.all() as UploadInfo[]),
    uploadResult: (id) => run(() => (uploadResult.get(id) as { result: string | null } | undefined)?.result ?? undefined),
    loadView: () => run(() => (viewGet.get() as { json: string } | undefined)?.json),
    saveView: (json, time) => run(() => void viewPut.run(time, json)),
    close: () => {
      if (open) {
        open = false;
        db.close();
      }
      return Promise.resolve();
    },
  };
}
