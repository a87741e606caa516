import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSiplens } from '../../../test/report/cli-run.js';
import { loadRecords } from '../../../test/report/fixtures.js';

const snapshot = resolve(import.meta.dirname, '..', '..', '..', 'examples', 'clearcom-snapshot', 'diagnostics-snapshot.zip');

/** The Call-ID of the call that got 486, and how many messages it has, read from the snapshot's own messages. */
async function busyCall(): Promise<{ callId: string; messages: number }> {
  const { records } = await loadRecords([snapshot]);
  const busy = records.find((r) => r.message.status === 486);
  const callId = busy?.message.callId;
  if (callId === undefined) throw new Error('the example has no 486');
  return { callId, messages: records.filter((r) => r.message.callId === callId).length };
}

describe('siplens flow', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'siplens-flow-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('draws one arrow per message of the chosen call, in Unicode', async () => {
    const { callId, messages } = await busyCall();
    const r = await runSiplens(['flow', snapshot, '--call', callId]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('486 Busy Here');
    const arrows = r.stdout.split('\n').filter((l) => l.includes('▶') || l.includes('◀'));
    expect(arrows).toHaveLength(messages);
  });

  it('falls back to ASCII with --ascii and when the locale is not UTF-8', async () => {
    const { callId } = await busyCall();
    for (const run of [
      await runSiplens(['flow', snapshot, '--call', callId, '--ascii']),
      await runSiplens(['flow', snapshot, '--call', callId], { env: { LANG: 'C' } }),
    ]) {
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^[\x20-\x7e\n]*$/);
      expect(run.stdout).toContain('|');
      expect(run.stdout).toContain('>|');
    }
  });

  it('writes Mermaid, PlantUML, SVG and HTML', async () => {
    const { callId, messages } = await busyCall();
    const mermaid = await runSiplens(['flow', snapshot, '--call', callId, '--format', 'mermaid']);
    expect(mermaid.stdout.startsWith('sequenceDiagram\n')).toBe(true);
    expect(mermaid.stdout.split('\n').filter((l) => /^ {2}P\d+-{1,2}>>P\d+: /.test(l))).toHaveLength(messages);
    const plant = await runSiplens(['flow', snapshot, '--call', callId, '--format', 'plantuml']);
    expect(plant.stdout.startsWith('@startuml\n')).toBe(true);
    expect(plant.stdout.endsWith('@enduml\n')).toBe(true);
    expect(plant.stdout.split('\n').filter((l) => l.startsWith('P') && (l.includes(' -> P') || l.includes(' --> P')))).toHaveLength(messages);
    const svgFile = join(dir, 'flow.svg');
    const svg = await runSiplens(['flow', snapshot, '--call', callId, '--format', 'svg', '-o', svgFile]);
    expect(svg.code).toBe(0);
    const svgText = await readFile(svgFile, 'utf8');
    expect(svgText.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svgText.match(/<g class="step"/g)).toHaveLength(messages);
    const html = await runSiplens(['flow', snapshot, '--format', 'html']);
    expect(html.stdout).toContain('<!doctype html>');
    expect(html.stdout.match(/<svg /g)?.length ?? 0).toBeGreaterThan(4);
  });

  it('with several flows and a single-diagram format, writes the first and says how to pick', async () => {
    const r = await runSiplens(['flow', snapshot, '--format', 'mermaid']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('--call');
  });

  it('exits 3 for an unknown Call-ID or no SIP, 4 for a missing input, 2 for a bad format', async () => {
    expect((await runSiplens(['flow', snapshot, '--call', 'no-such-call-id'])).code).toBe(3);
    expect((await runSiplens(['flow', join(dir, 'missing.pcap')])).code).toBe(4);
    expect((await runSiplens(['flow', snapshot, '--format', 'png'])).code).toBe(2);
    const empty = join(dir, 'empty.log');
    await writeFile(empty, 'no sip here\n');
    expect((await runSiplens(['flow', empty])).code).toBe(3);
  });
});
