import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { analyze, readLive } from '../index.js';
import type { AnalysisResult } from '../index.js';
import { startLiveAnalysis } from './analysis-engine.js';
import type { HubState, LadderAnswer } from './hub.js';
import { LiveHub } from './hub.js';
import { isLoopback, readCookie, startWebServer } from './server.js';
import type { WebServer } from './server.js';
import { openSqliteStore } from './store/sqlite-store.js';
import type { SipStore } from './store/store.js';
import { asHep, busyCall, registration } from './test-helpers/rfc3665.js';

const RETENTION = { maxAgeMs: 30 * 86_400_000, maxBytes: 1 << 30 };

interface Running {
  readonly hub: LiveHub;
  readonly web: WebServer;
  readonly store: SipStore;
  readonly hepPort: number;
  stop(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'siplens-web-'));
  cleanups.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
  return dir;
}

/** A whole server as `siplens serve` puts it together: store, analysis (inline here), hub, HEP listener, HTTP. */
async function start(db = ':memory:', web: { host?: string; token?: string; maxUploadBytes?: number } = {}): Promise<Running> {
  const store = openSqliteStore(db);
  const engine = await startLiveAnalysis({ inline: true, throttleMs: 50 });
  const hub = await LiveHub.open({ store, engine, retention: RETENTION, flushMs: 20, notifyMs: 50 });
  const controller = new AbortController();
  const live = await readLive({ hep: { port: 0 }, signal: controller.signal });
  const feeding = hub.consume(live.records, live.reports);
  const server = await startWebServer({ hub, host: web.host ?? '127.0.0.1', port: 0, ...(web.token === undefined ? {} : { token: web.token }), ...(web.maxUploadBytes === undefined ? {} : { maxUploadBytes: web.maxUploadBytes }) });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await server.close();
    controller.abort();
    await feeding;
    await hub.close();
    await store.close();
  };
  cleanups.push(stop);
  return { hub, web: server, store, hepPort: live.hepPorts?.udp ?? 0, stop };
}

async function sendHep(port: number, packets: readonly Uint8Array[]): Promise<void> {
  const socket = createSocket('udp4');
  for (const p of packets) await new Promise<void>((resolve, reject) => socket.send(p, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  socket.close();
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A raw HTTP request, so that Host, Origin and Cookie can be what a test needs. */
function http(url: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

async function state(web: WebServer): Promise<HubState> {
  return JSON.parse((await http(`${web.url}api/state`)).body) as HubState;
}

async function until<T>(what: () => Promise<T>, ok: (value: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await what();
    if (ok(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Attributes such as ` onclick=` in markup: the page must have none (its script adds listeners instead). */
function inlineHandlers(html: string): string[] {
  const found: string[] = [];
  for (let at = html.indexOf(' on'); at >= 0; at = html.indexOf(' on', at + 1)) {
    let end = at + 3;
    while (end < html.length && /[a-z]/i.test(html.charAt(end))) end++;
    if (end > at + 3 && html.charAt(end) === '=') found.push(html.slice(at + 1, end));
  }
  return found;
}

describe('the Monitoring server', () => {
  it('stores and analyses HEP traffic: accounts, calls, findings, ladders with the raw messages', async () => {
    const s = await start();
    await sendHep(s.hepPort, asHep([...registration(), ...busyCall()], Date.UTC(2026, 0, 5, 9)));
    const st = await until(() => state(s.web), (x) => x.view.calls.length > 0 && x.view.accounts.length > 0);
    expect(st.store.messages).toBe(9);
    expect(st.feeds[0]).toMatchObject({ kind: 'hep', messages: 9 });
    const account = st.view.accounts[0];
    expect(account).toMatchObject({ aor: 'sip:bob@biloxi.example.com', state: 'registered', lastStatus: 200, lastSuccess: '2026-01-05T09:00:00.060Z' });
    const call = st.view.calls[0];
    expect(call).toMatchObject({ callId: '12345601@atlanta.example.com', outcome: 'busy', finalStatus: 486 });
    const busy = st.view.findings.find((f) => f.rule === 'call.busy');
    expect(busy?.severity).toBe('info');
    const ladder = JSON.parse((await http(`${s.web.url}api/ladder?callId=${encodeURIComponent(call?.callId ?? '')}`)).body) as LadderAnswer;
    expect(ladder.ladder.steps.map((x) => x.label)).toEqual(['INVITE', '100 Trying', '486 Busy Here', '486 Busy Here', 'ACK']);
    expect(ladder.messages[2]?.text.startsWith('SIP/2.0 486 Busy Here\r\n')).toBe(true);
    const evidence = JSON.parse((await http(`${s.web.url}api/messages?ids=${busy?.evidence.join(',') ?? ''}`)).body) as { messages: { label: string }[] };
    expect(evidence.messages.some((m) => m.label === '486 Busy Here')).toBe(true);
  });

  it('pushes a new state over Server-Sent Events within a second of a message arriving', async () => {
    const s = await start();
    const events: { at: number; state: HubState }[] = [];
    const req = request(`${s.web.url}api/events`, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const data = buffer.slice(0, end).split('\n').find((l) => l.startsWith('data: '));
          buffer = buffer.slice(end + 2);
          if (data !== undefined) events.push({ at: Date.now(), state: JSON.parse(data.slice(6)) as HubState });
        }
      });
    });
    req.end();
    cleanups.push(() => Promise.resolve(void req.destroy()));
    await until(() => Promise.resolve(events.length), (n) => n > 0);
    const sent = Date.now();
    await sendHep(s.hepPort, asHep(registration(), Date.now()));
    const got = await until(() => Promise.resolve(events.find((e) => e.state.view.accounts.length > 0)), (e) => e !== undefined, 3000);
    expect(got).toBeDefined();
    expect((got?.at ?? Infinity) - sent).toBeLessThan(1000);
  });

  it('keeps history across a restart on the same database', async () => {
    const db = join(tempDir(), 'siplens.db');
    const first = await start(db);
    await sendHep(first.hepPort, asHep([...registration(), ...busyCall()], Date.UTC(2026, 0, 5, 9)));
    await until(() => state(first.web), (x) => x.view.calls.length > 0);
    await first.stop();
    const second = await start(db);
    const st = await state(second.web);
    // Shown at once from the saved view, before the replay's first snapshot.
    expect(st.view.calls.map((c) => c.outcome)).toEqual(['busy']);
    expect(st.view.accounts.map((a) => a.state)).toEqual(['registered']);
    expect(st.store.messages).toBe(9);
    const again = await until(() => state(second.web), (x) => x.view.analysis.epoch > 0);
    expect(again.view.totals).toMatchObject({ messages: 9, calls: 1, accounts: 1 });
    // New messages get new ids after the old ones.
    await sendHep(second.hepPort, asHep(busyCall('other-call@atlanta.example.com'), Date.UTC(2026, 0, 5, 10)));
    const later = await until(() => state(second.web), (x) => x.view.calls.length === 2);
    expect(later.view.calls.map((c) => c.callId).sort()).toEqual(['12345601@atlanta.example.com', 'other-call@atlanta.example.com']);
    expect(later.store).toMatchObject({ messages: 14, lastId: 14 });
  });

  it('opens an uploaded capture with the same analysis as siplens analyze, and refuses one over the limit', async () => {
    const pcap = '../shared/corpus/pcap/suricata-sip-sdp__sdp.pcap';
    if (!existsSync(pcap)) {
      process.stderr.write(`${pcap} not found: the upload test is skipped\n`);
      return;
    }
    const bytes = readFileSync(pcap);
    const s = await start(':memory:', { maxUploadBytes: bytes.length + 10 });
    const res = await http(`${s.web.url}api/upload`, { method: 'POST', headers: { 'x-filename': 'sdp%20capture.pcap', 'content-type': 'application/octet-stream' }, body: bytes });
    expect(res.status).toBe(200);
    const answer = JSON.parse(res.body) as { id: number; name: string; messages: number };
    expect(answer.name).toBe('sdp_capture.pcap');
    const result = JSON.parse((await http(`${s.web.url}api/uploads/${answer.id}`)).body) as AnalysisResult;
    const cli = (await analyze([pcap])).result;
    expect(result.summary).toEqual(cli.summary);
    expect(result.calls.map((c) => [c.callId, c.outcome, c.finalStatus])).toEqual(cli.calls.map((c) => [c.callId, c.outcome, c.finalStatus]));
    expect(result.inputs[0]?.path).toBe('sdp_capture.pcap');
    // Its messages are stored under the upload, ladders come from them, and the live view is not touched.
    const call = result.calls[0];
    if (call !== undefined) {
      const ladder = JSON.parse((await http(`${s.web.url}api/ladder?callId=${encodeURIComponent(call.callId)}&upload=${answer.id}`)).body) as LadderAnswer;
      expect(ladder.messages.map((m) => m.id)).toEqual(call.messages);
    }
    const st = await state(s.web);
    expect(st.uploads).toEqual([expect.objectContaining({ id: answer.id, name: 'sdp_capture.pcap', messages: cli.summary.messages })]);
    expect(st.view.calls).toEqual([]);

    const big = await http(`${s.web.url}api/upload`, { method: 'POST', headers: { 'x-filename': 'big.pcap' }, body: Buffer.alloc(bytes.length + 11) });
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body)).toEqual({ error: expect.stringContaining('larger than the upload limit') });
  });

  it('explains codes, warn-codes, Q.850 causes and words', async () => {
    const s = await start();
    const ask = async (q: string, method = ''): Promise<{ items: { title: string; meaning: string | null }[]; error?: string }> =>
      JSON.parse((await http(`${s.web.url}api/explain?q=${encodeURIComponent(q)}&method=${method}`)).body) as { items: { title: string; meaning: string | null }[]; error?: string };
    expect((await ask('423', 'REGISTER')).items[0]).toMatchObject({ title: '423 Interval Too Brief', meaning: expect.any(String) });
    expect((await ask('busy')).items.map((i) => i.title)).toContain('486 Busy Here');
    expect((await ask('999')).error).toMatch(/100 to 699/);
    expect((await ask('')).error).toMatch(/nothing to explain/);
  });

  it('answers only to its own address, and refuses changes from other sites', async () => {
    const s = await start();
    const port = s.web.port;
    expect((await http(`${s.web.url}api/state`, { headers: { host: `attacker.example:${port}` } })).status).toBe(421);
    expect((await http(`${s.web.url}api/state`, { headers: { host: `localhost:${port}` } })).status).toBe(200);
    const post = await http(`${s.web.url}api/upload`, { method: 'POST', headers: { origin: 'https://attacker.example', 'x-filename': 'x.log' }, body: Buffer.from('x') });
    expect(post.status).toBe(403);
    const page = await http(s.web.url);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    // The page's one script and one style carry this response's nonce; nothing else may run.
    const nonce = csp.split("'nonce-")[1]?.split("'")[0] ?? '';
    expect(page.body.split(`nonce="${nonce}"`).length - 1).toBe(2);
    expect(inlineHandlers(page.body)).toEqual([]);
    expect(page.body).not.toMatch(/(?:src|href)="?https?:/);
  });

  it('needs its token beyond loopback, takes it once from the address and keeps it in a cookie', async () => {
    await expect(start(':memory:', { host: '0.0.0.0' })).rejects.toThrow(/needs a token/);
    const token = 'a-token-of-sufficient-length';
    const s = await start(':memory:', { token });
    const base = s.web.url.split('?')[0] ?? '';
    expect(s.web.url).toBe(`${base}?token=${token}`);
    expect((await http(`${base}api/state`)).status).toBe(401);
    expect((await http(`${base}api/state`, { headers: { cookie: 'siplens_token=wrong' } })).status).toBe(401);
    const entry = await http(s.web.url);
    expect(entry.status).toBe(303);
    expect(entry.headers.location).toBe('/');
    const cookie = String(entry.headers['set-cookie']);
    expect(cookie).toContain(`siplens_token=${token}`);
    expect(cookie).toContain('HttpOnly');
    expect((await http(`${base}api/state`, { headers: { cookie: `theme=dark; siplens_token=${token}` } })).status).toBe(200);
    expect((await http(`${base}api/state`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});

describe('readCookie and isLoopback', () => {
  it('reads one cookie among others, with or without spaces', () => {
    expect(readCookie('a=1; siplens_token=abc-_1; b=2', 'siplens_token')).toBe('abc-_1');
    expect(readCookie('siplens_token=x;b=2', 'siplens_token')).toBe('x');
    expect(readCookie('xsiplens_token=x', 'siplens_token')).toBeUndefined();
    expect(readCookie(undefined, 'siplens_token')).toBeUndefined();
    expect(readCookie('=;;junk', 'siplens_token')).toBeUndefined();
  });

  it('knows the loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.0.2.1', '127.0.0.1.example', '1270.0.0.1', '127.0.0.256']) expect(isLoopback(h)).toBe(false);
  });
});
