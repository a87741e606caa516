// The HTML report of a capture whose display names, headers and bodies carry <script> and "><img onerror=…>
// payloads, opened in headless Chromium: every payload must show as text, no script of theirs may run, and no request
// may leave the page.
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTool } from '../helpers/tools.js';
import { makeHtmlReport } from './make-report.js';
import { makeHostileCapture } from './hostile-capture.js';

const CHROMIUM = '/usr/bin/chromium';
// hasTool fails the run under SIPLENS_REQUIRE_TOOLS=1 (CI) instead of letting the browser test skip.
const haveChromium = hasTool('chromium') && existsSync(CHROMIUM);
if (!haveChromium) process.stderr.write(`${CHROMIUM} not found: the HTML report browser test is skipped\n`);

describe.skipIf(!haveChromium || !hasTool('sipp') || !hasTool('tshark'))('HTML report in headless Chromium', () => {
  let dir = '';
  let html = '';
  let browser: Browser | undefined;
  beforeAll(async () => {
    const capture = await makeHostileCapture();
    dir = capture.dir;
    html = join(dir, 'report.html');
    await writeFile(html, await makeHtmlReport(capture.pcap, dir));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    if (dir && process.env['SIPLENS_KEEP_REPORT'] !== '1') await rm(dir, { recursive: true, force: true });
  });

  it('shows every payload as text, runs none of them, and sends no request', async () => {
    if (browser === undefined) throw new Error('chromium did not start');
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    let dialogs = 0;
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    const url = pathToFileURL(html).href;
    await page.goto(url, { waitUntil: 'load' });
    // Open every flow and message, so their content is rendered too, then let any event handler have its chance.
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => d.setAttribute('open', '')));
    await page.mouse.move(300, 300);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

    expect(await page.evaluate(() => (window as unknown as { __pwn?: unknown }).__pwn)).toBeUndefined();
    expect(dialogs).toBe(0);
    expect(requests).toEqual([url]);
    expect(await page.locator('img, iframe, svg[onload], b[onmouseover]').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(2);

    const text = await page.evaluate(() => document.body.innerText);
    for (const payload of [
      '<script>window.__pwn=1</script>',
      '"><img src=x onerror=window.__pwn=2>',
      '"><img src=x onerror="window.__pwn=3;alert(3)">',
      '<iframe src="https://evil.example/"></iframe>',
      's=<script>window.__pwn=5</script>',
      'Warning: 399 evil.example "<img src=x onerror=window.__pwn=7>"',
      'Reason: SIP;cause=486;text="<script>window.__pwn=8</script>"',
      '<svg onload=window.__pwn=10>',
    ]) {
      expect(text).toContain(payload);
    }
    // The embedded data parses back to what the report shows.
    const data = await page.evaluate(() => JSON.parse(document.getElementById('siplens-data')?.textContent ?? 'null') as { calls: { from: string }[] });
    expect(data.calls.length).toBeGreaterThan(0);

    // The screenshot is kept with SIPLENS_KEEP_REPORT=1 (the folder is printed) for a person to look at the page.
    const shot = await page.screenshot({ path: join(dir, 'report.png'), fullPage: false });
    expect([...shot.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(shot.readUInt32BE(16)).toBe(1280);
    // Nothing wider than the window: tables scroll inside their box, the page itself does not.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
    if (process.env['SIPLENS_KEEP_REPORT'] === '1') process.stderr.write(`HTML report and screenshot kept in ${dir}\n`);
    await page.close();
  });

  it('filters by search words and by severity', async () => {
    if (browser === undefined) throw new Error('chromium did not start');
    const page = await browser.newPage();
    await page.goto(pathToFileURL(html).href);
    const visibleMessages = (): Promise<number> => page.locator('details.msg:visible').count();
    const all = await visibleMessages();
    expect(all).toBeGreaterThan(3);
    await page.fill('#q', 'busy here');
    const busy = await visibleMessages();
    expect(busy).toBeGreaterThan(0);
    expect(busy).toBeLessThan(all);
    await page.fill('#q', '');
    expect(await visibleMessages()).toBe(all);
    // The severity of the first finding (a busy callee is `info`: not a fault); unticking it hides them all.
    const sev = await page.locator('.finding').first().getAttribute('class').then((c) => /sev-(\w+)/.exec(c ?? '')?.[1] ?? 'none');
    const shown = await page.locator(`.finding.sev-${sev}:visible`).count();
    expect(shown).toBeGreaterThan(0);
    await page.uncheck(`input[data-sev="${sev}"]`);
    expect(await page.locator(`.finding.sev-${sev}:visible`).count()).toBe(0);
    await page.close();
  });
});
