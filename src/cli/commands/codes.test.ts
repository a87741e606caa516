import { describe, expect, it } from 'vitest';
import { statusCodes } from '../../index.js';
import { runCli } from '../main.js';
import type { CliIo } from '../io.js';

async function run(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    cwd: process.cwd(),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe('siplens codes', () => {
  it('prints { "codes": [...] } with every code and field in --json', async () => {
    const r = await run(['codes', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { codes: { code: number; reason: string; status: string; summary: string }[] };
    expect(doc.codes.length).toBe(statusCodes.length);
    expect(doc.codes[0]).toMatchObject({ code: 100, reason: 'Trying', status: 'current' });
    expect(doc.codes.map((c) => c.code)).toEqual(statusCodes.map((e) => e.code));
    for (const code of [199, 409, 411, 555, 607, 608]) expect(doc.codes.some((c) => c.code === code), String(code)).toBe(true);
    expect(Object.keys(doc.codes[0] ?? {})).toEqual(expect.arrayContaining(['summary', 'onRegister', 'onInvite', 'causes', 'checks', 'retry', 'fault']));
  });

  it('filters by class', async () => {
    const doc = JSON.parse((await run(['codes', '--class', '4', '--json'])).stdout) as { codes: { code: number }[] };
    expect(doc.codes.length).toBe(statusCodes.filter((e) => e.class === 4).length);
    expect(doc.codes.every((c) => c.code >= 400 && c.code < 500)).toBe(true);
    expect(JSON.parse((await run(['codes', '--class', '6xx', '--json'])).stdout).codes.length).toBe(6);
  });

  it('prints aligned text by default, one line per code', async () => {
    const r = await run(['codes']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBe(statusCodes.length + 1);
    expect(lines[1]).toMatch(/^100 {3}Trying/);
    expect(r.stdout).toContain('409   Conflict');
  });

  it('prints a Markdown table with --md', async () => {
    const r = await run(['codes', '--class', '6', '--md']);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('| Code | Reason | Status | Defined in | What it means |');
    expect(lines.length).toBe(2 + 6);
    expect(lines[2]?.startsWith('| 600 | Busy Everywhere | current | RFC 3261 §21.6.1 |')).toBe(true);
  });

  it.each([['--class', '7'], ['--class', 'x'], ['--class', '44'], ['--json', '--md']])('exits 2 for %s %s', async (...args) => {
    const r = await run(['codes', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toBe('');
  });

  it('shows examples in --help', async () => {
    const r = await run(['codes', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--class 4');
  });
});
