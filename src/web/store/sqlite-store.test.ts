import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, openSqliteStore, SCHEMA_VERSION } from './sqlite-store.js';
import type { SipStore, StoredMessage } from './store.js';
import { openStoreInWorker } from './worker-store.js';

// RFC 3665 §2.1 (successful new registration), first message, as a device sends it.
const REGISTER = [
  'REGISTER sips:ss2.biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/TLS client.biloxi.example.com:5061;branch=z9hG4bKnashds7',
  'Max-Forwards: 70',
  'From: Bob <sips:bob@biloxi.example.com>;tag=a73kszlfl',
  'To: Bob <sips:bob@biloxi.example.com>',
  'Call-ID: 1j9FpLxk3uxtm8tn@biloxi.example.com',
  'CSeq: 1 REGISTER',
  'Contact: <sips:bob@client.biloxi.example.com>',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');
const SIZE = REGISTER.length;

function message(id: number, extra: Partial<StoredMessage> = {}): StoredMessage {
  return {
    id,
    time: 1_700_000_000_000 + id,
    callId: '1j9FpLxk3uxtm8tn@biloxi.example.com',
    method: 'REGISTER',
    status: null,
    cseqMethod: 'REGISTER',
    src: '192.0.2.4:5061',
    dst: null,
    transport: 'TLS',
    direction: null,
    source: 'hep://127.0.0.1:9060',
    uploadId: null,
    raw: new TextEncoder().encode(REGISTER),
    ...extra,
  };
}

const dirs: string[] = [];
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'siplens-store-'));
  dirs.push(dir);
  return join(dir, 'siplens.db');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// The same contract, on the calling thread and in a worker (as `siplens serve` opens it).
describe.each([
  ['openSqliteStore', async (file: string): Promise<SipStore> => openSqliteStore(file)],
  ['openStoreInWorker', openStoreInWorker],
] as const)('%s', (_name, open) => {
  it('keeps messages across a reopen, with their raw bytes', async () => {
    const file = tempDb();
    const store = await open(file);
    await store.append([1, 2, 3].map((i) => message(i)));
    await store.close();
    const again = await open(file);
    expect(await again.stats()).toMatchObject({ messages: 3, bytes: 3 * SIZE, lastId: 3, schemaVersion: SCHEMA_VERSION });
    const [m] = await again.getMany([2]);
    expect(m?.callId).toBe('1j9FpLxk3uxtm8tn@biloxi.example.com');
    expect(m?.method).toBe('REGISTER');
    expect(new TextDecoder().decode(m?.raw)).toBe(REGISTER);
    expect((await again.list({ afterId: 1, limit: 10 })).map((x) => x.id)).toEqual([2, 3]);
    expect((await again.list({ limit: 2, newest: true })).map((x) => x.id)).toEqual([2, 3]);
    expect(await again.list({ limit: 10, callId: 'nope' })).toEqual([]);
    expect((await again.tail(2)).map((x) => x.id)).toEqual([2, 3]);
    await again.close();
  });

  it('tells live messages from an upload\'s', async () => {
    const store = await open(':memory:');
    const upload = await store.createUpload('snapshot.zip', 1234, 5);
    await store.append([message(1), message(2, { uploadId: upload, source: 'snapshot.zip' }), message(3)]);
    await store.finishUpload(upload, 1, '{"schemaVersion":1}');
    expect((await store.list({ limit: 10, uploadId: null })).map((m) => m.id)).toEqual([1, 3]);
    expect((await store.list({ limit: 10, uploadId: upload, callId: '1j9FpLxk3uxtm8tn@biloxi.example.com' })).map((m) => m.id)).toEqual([2]);
    expect((await store.tail(10)).map((m) => m.id)).toEqual([1, 3]);
    expect(await store.listUploads()).toEqual([{ id: upload, name: 'snapshot.zip', bytes: 1234, time: 5, messages: 1 }]);
    expect(await store.uploadResult(upload)).toBe('{"schemaVersion":1}');
    await store.close();
  });

  it('keeps the saved live view', async () => {
    const file = tempDb();
    const store = await open(file);
    expect(await store.loadView()).toBeUndefined();
    await store.saveView('{"a":1}', 1);
    await store.saveView('{"a":2}', 2);
    await store.close();
    const again = await open(file);
    expect(await again.loadView()).toBe('{"a":2}');
    await again.close();
  });

  it('refuses a database from a newer siplens instead of damaging it', async () => {
    const file = tempDb();
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();
    await expect(open(file)).rejects.toThrow(/schema version 99, newer than this siplens knows \(2\)/);
  });

  it('refuses a second server on the same file, and a file that is not a database', async () => {
    const file = tempDb();
    const first = await open(file);
    await expect(open(file)).rejects.toThrow(expect.objectContaining({ code: 'store-busy' }));
    await first.close();
    const junk = tempDb();
    writeFileSync(junk, 'this is a text file, not SQLite\n'.repeat(200));
    await expect(open(junk)).rejects.toThrow(expect.objectContaining({ code: 'store-open-failed', message: expect.stringContaining(junk) }));
  });
});

describe('openSqliteStore', () => {


  it('drops what retention no longer keeps, by arrival time and then by size, and never reuses an id', async () => {
    let clock = 0;
    const store = openSqliteStore(':memory:', { now: () => clock });
    for (let i = 1; i <= 10; i++) {
      clock = 1000 * i;
      await store.append([message(i)]);
    }
    // Arrived at 1000..10000; kept: those that arrived at 5000 or later.
    expect(await store.applyRetention({ maxAgeMs: 5000, maxBytes: 1e9 }, 10_000)).toBe(4);
    // Three messages' worth of bytes: down to a tenth under, so two remain.
    expect(await store.applyRetention({ maxAgeMs: 1e12, maxBytes: SIZE * 3 }, 10_000)).toBe(4);
    expect((await store.list({ limit: 100 })).map((m) => m.id)).toEqual([9, 10]);
    expect(await store.stats()).toMatchObject({ messages: 2, bytes: 2 * SIZE, lastId: 10 });
    expect(await store.applyRetention({ maxAgeMs: 0, maxBytes: 1e9 }, 1e9)).toBe(2);
    expect(await store.stats()).toMatchObject({ messages: 0, bytes: 0, lastId: 10, oldest: null });
    await store.close();
  });

  it('deletes in steps of at most maxRows, so that the server can answer in between', async () => {
    const store = openSqliteStore(':memory:', { now: () => 0 });
    await store.append(Array.from({ length: 25 }, (_, i) => message(i + 1)));
    const steps: number[] = [];
    for (let n = -1; n !== 0; ) steps.push((n = await store.applyRetention({ maxAgeMs: 0, maxBytes: 1e9 }, 1, 10)));
    expect(steps).toEqual([10, 10, 5, 0]);
    await store.close();
  });

  it('migrates a version 1 database and keeps what it held', async () => {
    const file = tempDb();
    // A database as the first schema wrote it: built by its own migration, filled by its own columns.
    const old = new Database(file);
    old.exec(MIGRATIONS[0] as string);
    old.pragma('user_version = 1');
    const insert = old.prepare('INSERT INTO messages (id, time, call_id, method, status, cseq_method, src, dst, transport, source, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    for (const id of [1, 2, 7]) insert.run(id, 1000 * id, 'c1', 'REGISTER', null, 'REGISTER', null, null, 'UDP', 'hep', Buffer.from(REGISTER));
    old.close();

    const store = openSqliteStore(file);
    expect(await store.stats()).toMatchObject({ messages: 3, bytes: 3 * SIZE, lastId: 7, schemaVersion: 2, oldest: 1000, newest: 7000 });
    const [m] = await store.getMany([7]);
    expect(m).toMatchObject({ id: 7, uploadId: null, direction: null, callId: 'c1', transport: 'UDP' });
    // Their arrival time is taken from their time, so retention by age works on them.
    expect(await store.applyRetention({ maxAgeMs: 5000, maxBytes: 1e9 }, 8000)).toBe(2);
    expect((await store.tail(10)).map((x) => x.id)).toEqual([7]);
    // The totals stay right as the triggers take over.
    await store.append([message(8)]);
    expect(await store.stats()).toMatchObject({ messages: 2, bytes: 2 * SIZE, lastId: 8 });
    await store.close();
  });



});
