// The Monitoring window end to end: `siplens serve --hep` as its own process on loopback with a fresh database,
// kamailio (siptrace) mirroring real scenario traffic to it as HEP, and headless Chromium watching the page: accounts
// and calls appear live, a failed call's ladder opens with its raw messages, hostile values show as text, an uploaded
// capture is analysed, and after a restart on the same database the history is still there. Screenshots are written
// to the test's folder and copied to test/web/screenshots/ (git-ignored).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { copyFileSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asHep, busyCall, registration } from '../../src/web/test-helpers/rfc3665.js';
import { haveChromium, launchChromium } from '../helpers/chromium.js';
import { hasTool } from '../helpers/tools.js';
import { runScenario } from '../harness/index.js';
import type { ScenarioName } from '../harness/index.js';
import { makeHostileCapture } from '../report/hostile-capture.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const keptShots = join(root, 'test', 'web', 'screenshots');
const tools = haveChromium() && hasTool('kamailio') && hasTool('sipp') && hasTool('tshark');

interface Serve {
  readonly child: ChildProcess;
  readonly url: string;
  readonly hepPort: number;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

/** `siplens serve` from source, as a user starts it; resolves on its JSON "listening" line. */
function startServe(db: string): Promise<Serve> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test', 'web', 'run-cli.ts'), 'serve', '--hep', '0', '--listen', '127.0.0.1:0', '--db', db, '--json'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`siplens serve did not start in 30 s: ${err}`)), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      const first = !out.includes('\n');
      out += d.toString();
      if (!first || !out.includes('\n')) return;
      clearTimeout(timer);
      const line = JSON.parse(out.split('\n')[0] ?? '') as { url: string; hep: { udp: number } };
      resolve({ child, url: line.url, hepPort: line.hep.udp, stdout: () => out, stderr: () => err });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`siplens serve exited ${String(code)}: ${err}`));
    });
  });
}

/** Text with every run of white space made one space, as a person reads a table row. */
function words(text: string): string {
  return text.split(/\s+/).join(' ');
}

/**
 * The accounts table's rows, each as its cells' text joined by one space. Not innerText: for a table that is not
 * being rendered at that moment (its tab hidden, the page still laying out) innerText runs the cells together.
 */
async function accountRows(p: Page): Promise<string[]> {
  return p.$$eval('#accounts tbody tr', (rows) => (rows as HTMLTableRowElement[]).map((r) => Array.from(r.cells, (c) => c.textContent ?? '').join(' ')));
}

/** SIGTERM as a service manager stops it, SIGINT as Ctrl-C does: it must store what it has and exit 0. */
async function stopServe(s: Serve, signal: 'SIGTERM' | 'SIGINT'): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => s.child.once('exit', (code) => resolve(code)));
  s.child.kill(signal);
  return exited;
}

describe.skipIf(!tools)('the Monitoring window in headless Chromium', () => {
  let dir = '';
  let db = '';
  let browser: Browser | undefined;
  let serve: Serve | undefined;
  let page: Page | undefined;
  const requests: string[] = [];
  let dialogs = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'siplens-monitoring-'));
    db = join(dir, 'siplens.db');
    mkdirSync(keptShots, { recursive: true });
    serve = await startServe(db);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    if (serve !== undefined && serve.child.exitCode === null) serve.child.kill('SIGKILL');
    if (dir !== '' && process.env['SIPLENS_KEEP_SCREENSHOTS'] !== '1') await rm(dir, { recursive: true, force: true });
  });

  async function shot(name: string): Promise<void> {
    const file = join(dir, `${name}.png`);
    await page?.screenshot({ path: file, fullPage: true });
    copyFileSync(file, join(keptShots, `${name}.png`));
  }

  async function openPage(url: string): Promise<Page> {
    if (browser === undefined) throw new Error('chromium did not start');
    const p = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    p.on('request', (r) => requests.push(r.url()));
    p.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    await p.goto(url);
    await p.waitForFunction(() => document.getElementById('live')?.textContent === 'live');
    return p;
  }

  it('shows accounts and calls as kamailio mirrors the scenarios to it', async () => {
    if (serve === undefined) throw new Error('siplens serve did not start');
    page = await openPage(serve.url);
    await shot('01-empty');
    const hep = { host: '127.0.0.1', port: serve.hepPort };
    const names: ScenarioName[] = ['register-blocked-account', 'register-unknown-user', 'call-codec-mismatch', 'call-busy'];
    for (const name of names) {
      const run = await runScenario(name, { hep });
      await run.stop();
    }
    const p = page;
    // Nothing is reloaded: the page hears of each message over Server-Sent Events.
    await p.waitForFunction(() => document.querySelectorAll('#accounts tbody tr[data-call-id]').length >= 4, undefined, { timeout: 10_000 });
    const accounts = await accountRows(p);
    const row = (aor: string): string => words(accounts.find((a) => a.startsWith(aor)) ?? '');
    expect(row('sip:dave@siplens.test')).toContain('failed 403 Forbidden');
    expect(row('sip:mallory@siplens.test')).toContain('failed 404 Not Found');
    expect(row('sip:alice@siplens.test')).toContain('registered 200 OK');
    expect(row('sip:alice@siplens.test')).toContain(' s ago');
    expect(row('sip:dave@siplens.test')).toContain('never');
    await shot('02-accounts');
    await p.click('nav button[data-tab="calls"]');
    await p.waitForFunction(() => document.querySelectorAll('#calls tbody tr[data-call-id]').length >= 2);
    const outcomes = await p.locator('#calls tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset['outcome']));
    expect(outcomes).toEqual(expect.arrayContaining(['rejected', 'busy']));
    await shot('03-calls');
  });

  it('opens a failed call\'s ladder and its raw messages', async () => {
    const p = page;
    if (p === undefined) throw new Error('no page');
    await p.click('#calls tbody tr[data-outcome="rejected"]');
    await p.waitForSelector('#ladder.open svg g.arrow');
    const labels = await p.locator('#ladder svg g.arrow').allTextContents();
    expect(labels.join('\n')).toContain('488 Not Acceptable Here');
    await p.locator('#ladder svg g.arrow.failure', { hasText: '488 Not Acceptable Here' }).first().click();
    const raw = (await p.textContent('#raw')) ?? '';
    expect(raw).toContain('SIP/2.0 488 Not Acceptable Here');
    expect(raw).toContain('Warning: 305');
    await shot('04-ladder-488');
    await p.click('nav button[data-tab="findings"]');
    const findings = await p.locator('#findings-list .finding').allInnerTexts();
    expect(findings.join('\n')).toContain('Incompatible media format');
    await p.locator('#findings-list .finding.error button.link', { hasText: 'evidence' }).first().click();
    await p.waitForSelector('#findings-list .finding.error .evidence li');
    await shot('05-findings');
  });

  it('shows a hostile display name and Warning as text, live and in an uploaded capture', async () => {
    const p = page;
    if (p === undefined || serve === undefined) throw new Error('no page');
    const payload = '<script>window.__pwn=1</script>';
    const socket = createSocket('udp4');
    for (const packet of asHep(busyCall('hostile-call@evil.example', payload), Date.now())) {
      await new Promise((resolve) => socket.send(packet, serve?.hepPort, '127.0.0.1', resolve));
    }
    socket.close();
    await p.click('nav button[data-tab="calls"]');
    const hostile = p.locator('#calls tbody tr[data-call-id="hostile-call@evil.example"]');
    await hostile.waitFor();
    await hostile.click();
    await p.waitForSelector('#ladder.open svg g.arrow.request');
    await p.locator('#ladder svg g.arrow.request').first().click();
    expect(await p.textContent('#raw')).toContain(`From: "${payload}" <sip:alice@atlanta.example.com>`);

    // The report test's capture: payloads in display names, Subject, X-Note, SDP, Warning and Reason.
    const capture = await makeHostileCapture();
    try {
      await p.click('nav button[data-tab="open"]');
      await p.setInputFiles('#file', capture.pcap);
      await p.waitForFunction(() => (document.getElementById('upload-status')?.textContent ?? '').includes('SIP messages'), undefined, { timeout: 20_000 });
    } finally {
      await rm(capture.dir, { recursive: true, force: true });
    }
    expect(await p.inputValue('#source')).not.toBe('live');
    await p.click('nav button[data-tab="calls"]');
    await p.locator('#calls tbody tr[data-call-id]').first().click();
    await p.waitForSelector('#ladder.open svg g.arrow');
    let seen = '';
    for (const arrow of await p.locator('#ladder svg g.arrow').all()) {
      await arrow.click();
      seen += (await p.textContent('#raw')) ?? '';
    }
    for (const text of [payload, '"><img src=x onerror=window.__pwn=2>', '<iframe src="https://evil.example/"></iframe>', 's=<script>window.__pwn=5</script>']) {
      expect(seen).toContain(text);
    }
    await p.click('nav button[data-tab="findings"]');
    expect(await p.locator('#findings-list').innerText()).toContain('486');
    await shot('06-upload-hostile');
    expect(await p.evaluate(() => (window as unknown as { __pwn?: unknown }).__pwn)).toBeUndefined();
    expect(dialogs).toBe(0);
    expect(await p.locator('img, iframe, svg[onload]').count()).toBe(0);
    expect(await p.locator('script').count()).toBe(1);
  });

  it('opens a file dropped on the page', async () => {
    const p = page;
    if (p === undefined) throw new Error('no page');
    await p.click('nav button[data-tab="open"]');
    // A phone's log as a person would drop it: the RFC 3665 registration, one message after a time-of-day line each.
    const log = registration('carol', 'drop-test@biloxi.example.com').map((m) => `12:00:00.000 sent to ${m.dst}\n${m.text}`).join('\n');
    const dataTransfer = await p.evaluateHandle((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'phone.log', { type: 'text/plain' }));
      return dt;
    }, log);
    await p.dispatchEvent('#drop', 'drop', { dataTransfer });
    await p.waitForFunction(() => (document.getElementById('upload-status')?.textContent ?? '').startsWith('phone.log: 4 SIP messages'));
    await p.click('nav button[data-tab="accounts"]');
    expect(words(await p.locator('#accounts tbody').innerText())).toContain('sip:carol@biloxi.example.com');
  });

  it('explains a code in the page', async () => {
    const p = page;
    if (p === undefined) throw new Error('no page');
    await p.click('nav button[data-tab="explain"]');
    await p.fill('#explain-q', '423');
    await p.selectOption('#explain-method', 'REGISTER');
    await p.press('#explain-q', 'Enter');
    await p.waitForSelector('#explain-out .finding h3');
    expect(await p.textContent('#explain-out h3')).toBe('423 Interval Too Brief');
    await shot('07-explain');
  });

  it('keeps the history across a restart on the same database', async () => {
    if (serve === undefined || browser === undefined) throw new Error('siplens serve did not start');
    await page?.close();
    expect(await stopServe(serve, 'SIGTERM')).toBe(0);
    expect(serve.stdout().trim().split('\n').at(-1)).toMatch(/^\{"event":"stopped","stored":\d+\}$/);
    serve = await startServe(db);
    page = await openPage(serve.url);
    const p = page;
    await p.waitForFunction(() => document.querySelectorAll('#accounts tbody tr[data-call-id]').length >= 4);
    // The saved view shows first and the replayed history follows it: wait for the account's last word, and say
    // what the row held if it never comes.
    const dave = async (): Promise<string> => words((await accountRows(p)).find((a) => a.startsWith('sip:dave@siplens.test')) ?? '');
    await p
      .waitForFunction(() => Array.from(document.querySelectorAll('#accounts tbody tr')).some((r) => (r.textContent ?? '').replace(/\s+/g, ' ').includes('403 Forbidden') && (r.textContent ?? '').startsWith('sip:dave@')), undefined, { timeout: 10_000 })
      .catch(() => undefined);
    const row = await dave();
    expect(row, `the dave row after the restart: ${row}`).toContain('failed 403 Forbidden');
    await p.click('nav button[data-tab="calls"]');
    const outcomes = await p.locator('#calls tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset['outcome']));
    expect(outcomes).toEqual(expect.arrayContaining(['rejected', 'busy']));
    // The uploads survived too.
    expect(await p.locator('#source option').allTextContents()).toEqual(['Live', expect.stringContaining('hostile.pcapng'), 'phone.log (4 messages)']);
    await shot('08-after-restart');
    await p.click('#calls tbody tr[data-outcome="rejected"]');
    await p.waitForSelector('#ladder.open svg g.arrow.failure');
    expect(await stopServe(serve, 'SIGINT')).toBe(0);
  });

  it('made no request outside the server\'s own address', () => {
    expect(requests.length).toBeGreaterThan(10);
    const origins = new Set(requests.map((u) => new URL(u).origin));
    // Two servers ran (before and after the restart), each on its own port of 127.0.0.1.
    expect([...origins].every((o) => /^http:\/\/127\.0\.0\.1:\d+$/.test(o))).toBe(true);
    expect(origins.size).toBe(2);
  });
});
