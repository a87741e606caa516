import { describe, expect, it } from 'vitest';
import { runCli } from '../main.js';
import type { CliIo } from '../io.js';
import { parseExplainQuery, wrapText } from './explain.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(argv: readonly string[], env: Record<string, string> = {}, tty = false): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdoutIsTTY: tty,
    stderrIsTTY: false,
    env,
    cwd: process.cwd(),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe('siplens explain', () => {
  it('tells a REGISTER that got 423 to raise the interval to at least the server\'s Min-Expires', async () => {
    const r = await run(['explain', '423', '--method', 'REGISTER']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('423 Interval Too Brief');
    expect(r.stdout).toContain('Meaning as the answer to REGISTER');
    expect(r.stdout.replaceAll('\n  ', ' ')).toMatch(/Raise the registration interval \(expiry\) on the device to at least the Min-Expires value the server sent/);
    expect(r.stdout).toContain('Headers to read: Min-Expires');
  });

  it.each([
    [199, 'Early Dialog Terminated'],
    [555, 'Push Notification Service Not Supported'],
    [608, 'Rejected'],
    [409, 'Conflict'],
    [202, 'Accepted'],
    [411, 'Length Required'],
  ])('answers %i', async (code, reason) => {
    const r = await run(['explain', String(code)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${code} ${reason}`);
    expect(r.stderr).toBe('');
  });

  it('marks historic and deprecated codes as such', async () => {
    expect((await run(['explain', '409'])).stdout).toContain('historic');
    expect((await run(['explain', '202'])).stdout).toContain('deprecated');
  });

  it('explains 477 as 400 and says so', async () => {
    const r = await run(['explain', '477']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('477 is not in the catalog');
    expect(r.stdout).toContain('400 Bad Request');
    expect(r.stdout).toContain('§8.1.3.2');
  });

  it.each(['999', '42', '700', '0099', '1000'])('fails %s with exit 2 and a clear message', async (query) => {
    const r = await run(['explain', query]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('100 to 699');
  });

  it('finds codes by words, best first, with other matches listed', async () => {
    const r = await run(['explain', 'busy']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('486 Busy Here')).toBe(true);
    expect(r.stdout).toContain('600 Busy Everywhere');
    expect(r.stdout).toContain('q850:17');
  });

  it('finds 423 by its reason phrase, quoted or as separate words', async () => {
    for (const argv of [['explain', 'interval too brief'], ['explain', 'interval', 'too', 'brief']]) {
      const r = await run(argv);
      expect(r.code).toBe(0);
      expect(r.stdout.startsWith('423 Interval Too Brief')).toBe(true);
    }
  });

  it('exits 3 when no word matches', async () => {
    const r = await run(['explain', 'xylophone', 'quasar']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('nothing in the catalog matches');
  });

  it('explains a warn-code and a Q.850 cause', async () => {
    const w = await run(['explain', 'w305']);
    expect(w.code).toBe(0);
    expect(w.stdout).toContain('Warning 305 Incompatible media format');
    const q = await run(['explain', 'q850:17']);
    expect(q.code).toBe(0);
    expect(q.stdout).toContain('Q.850 cause 17: User busy');
    expect(q.stdout).toContain('486 Busy Here (RFC 3398 §7.2.4.1)');
    expect((await run(['explain', 'w250'])).code).toBe(2);
    expect((await run(['explain', 'q850:200'])).code).toBe(2);
  });

  it('shows Clear-Com notes with --vendor clear-com and hides them for another vendor', async () => {
    const r = await run(['explain', '404', '--vendor', 'clear-com']);
    expect(r.stdout).toContain('Vendor notes');
    expect(r.stdout).toContain('Avaya');
    expect(r.stdout).toContain('sip-error-codes.txt');
    expect((await run(['explain', '404', '--vendor', 'acme'])).stdout).not.toContain('Vendor notes');
    expect((await run(['explain', '502', '--vendor', 'Clear-Com'])).stdout).toContain('DNS');
  });

  it('with --vendor, says where that vendor keeps its SIP traces, and names known vendors otherwise', async () => {
    const r = await run(['explain', '423', '--vendor', 'clear-com']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Where to look on Clear-Com devices');
    expect(r.stdout).toContain('var/log/sip');
    const unknown = await run(['explain', '423', '--vendor', 'acme']);
    expect(unknown.code).toBe(0);
    expect(unknown.stderr).toContain('vendors with notes: clear-com');
  });

  it('prints one JSON document with --json', async () => {
    const r = await run(['explain', '486', '--method', 'INVITE', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { kind: string; method: string; explanation: { code: number; isFault: boolean; meaning: string; onInvite: string }; q850: { cause: number } };
    expect(doc.kind).toBe('status');
    expect(doc.method).toBe('INVITE');
    expect(doc.explanation.code).toBe(486);
    expect(doc.explanation.isFault).toBe(false);
    expect(doc.explanation.meaning).toBe(doc.explanation.onInvite);
    expect(doc.q850.cause).toBe(17);
    const fallback = JSON.parse((await run(['explain', '477', '--json'])).stdout) as { explanation: { code: number; fallbackFrom: number } };
    expect(fallback.explanation).toMatchObject({ code: 400, fallbackFrom: 477 });
    const search = JSON.parse((await run(['explain', 'busy', '--json'])).stdout) as { matches: { code: number }[] };
    expect(search.matches[0]?.code).toBe(486);
  });

  it('refuses a malformed --method with exit 2', async () => {
    const r = await run(['explain', '200', '--method', 'NOT A METHOD']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--method');
  });

  it('colours only on a terminal and never with NO_COLOR', async () => {
    const esc = '\u001b[';
    expect((await run(['explain', '486'], {}, false)).stdout).not.toContain(esc);
    expect((await run(['explain', '486'], { FORCE_COLOR: '1' }, true)).stdout).toContain(esc);
    expect((await run(['explain', '486'], { NO_COLOR: '1', FORCE_COLOR: '1' }, true)).stdout).not.toContain(esc);
  });

  it('shows examples in --help', async () => {
    const r = await run(['explain', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('q850:17');
  });

  it('exits 2 without a query', async () => {
    expect((await run(['explain'])).code).toBe(2);
  });
});

describe('parseExplainQuery', () => {
  it('reads every query form', () => {
    expect(parseExplainQuery('486')).toEqual({ kind: 'status', code: 486 });
    expect(parseExplainQuery(' SIP/2.0 503 Service Unavailable')).toEqual({ kind: 'status', code: 503 });
    expect(parseExplainQuery('W305')).toEqual({ kind: 'warning', code: 305 });
    expect(parseExplainQuery('warning 399')).toEqual({ kind: 'warning', code: 399 });
    expect(parseExplainQuery('q850:17')).toEqual({ kind: 'q850', cause: 17 });
    expect(parseExplainQuery('Q.850;cause=41')).toEqual({ kind: 'q850', cause: 41 });
    expect(parseExplainQuery('cause=16')).toEqual({ kind: 'q850', cause: 16 });
    expect(parseExplainQuery('what went wrong')).toEqual({ kind: 'words', text: 'what went wrong' });
    expect(parseExplainQuery('w 305')).toEqual({ kind: 'warning', code: 305 });
    expect(parseExplainQuery('warm call')).toEqual({ kind: 'words', text: 'warm call' });
    expect(parseExplainQuery('causes of busy').kind).toBe('words');
    expect(parseExplainQuery('').kind).toBe('invalid');
  });
});

describe('parseExplainQuery on lines pasted from a log', () => {
  it('reads Warning and Reason header lines', () => {
    expect(parseExplainQuery('Warning: 399 pbx.example.com "Account disabled"')).toEqual({ kind: 'warning', code: 399 });
    expect(parseExplainQuery('Reason: Q.850;cause=17;text="User busy"')).toEqual({ kind: 'q850', cause: 17 });
    expect(parseExplainQuery('Reason: SIP;cause=487;text="Call completed elsewhere"')).toEqual({ kind: 'status', code: 487 });
    expect(parseExplainQuery('SIP/2.0 423 Interval Too Brief')).toEqual({ kind: 'status', code: 423 });
    expect(parseExplainQuery('Reason: Q.850;cause=300').kind).toBe('invalid');
  });

  it('explains a pasted Reason line end to end', async () => {
    const r = await run(['explain', 'Reason: Q.850;cause=34;text="No circuit"']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Q.850 cause 34');
    expect(r.stdout).toContain('503 Service Unavailable');
  });
});

describe('wrapText', () => {
  it('keeps lines within 100 columns and indents the rest', () => {
    const text = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    const lines = wrapText(text, 4, 2).split('\n');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
    expect(lines[1]?.startsWith('    word')).toBe(true);
  });
});
