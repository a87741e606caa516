import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusDir, corpusSkipReason, hasCorpus } from '../helpers/corpus.js';
import { RFC4475 } from '../../src/parse/fixtures/rfc4475-expectations.js';
import type { TortureExpectation } from '../../src/parse/fixtures/rfc4475-expectations.js';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';

interface IssueJson {
  readonly code: string;
  readonly severity: string;
}
interface MessagesDoc {
  readonly messages: readonly { method?: string; status?: number; issues: readonly IssueJson[] }[];
  readonly inputs: readonly { kind: string; issues: readonly IssueJson[] }[];
}

async function messagesJson(path: string): Promise<{ code: number; doc: MessagesDoc; stderr: string }> {
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
  const code = await runCli(['messages', '--json', path], io);
  return { code, doc: JSON.parse(stdout) as MessagesDoc, stderr };
}

/** RFC 4475 §3.1.1.8: the INVITE after a REGISTER with Content-Length 0 is trailing bytes of one UDP datagram, to be
 * discarded by a UDP receiver. In a file, back-to-back messages are what logs hold, so `messages` reads both. */
const MESSAGES_IN_FILE: Readonly<Record<string, number>> = { 'dblreq.dat': 2 };

function check(name: string, entry: TortureExpectation, r: Awaited<ReturnType<typeof messagesJson>>): void {
  expect(r.code, r.stderr).toBe(0);
  expect(r.doc.messages.length).toBe(MESSAGES_IN_FILE[name] ?? 1);
  const first = r.doc.messages[0];
  const issues = first?.issues ?? [];
  if (entry.expect === 'valid') {
    expect(issues.filter((i) => i.severity === 'error').map((i) => i.code)).toEqual([]);
  } else {
    const codes = new Set(issues.map((i) => i.code));
    for (const code of entry.expect) expect(codes.has(code), `${code} in ${[...codes].join(', ')}`).toBe(true);
  }
  // Nothing of the file was passed over as binary or unreadable.
  expect(r.doc.inputs.flatMap((i) => i.issues.map((x) => x.code))).not.toContain('binary-skipped');
}

// What `siplens messages --json FILE` shows of each RFC 4475 torture message: the same bar as the parser's test.
describe.skipIf(!hasCorpus)(`siplens messages --json on the RFC 4475 torture messages (${hasCorpus ? 'corpus' : corpusSkipReason})`, () => {
  for (const [name, entry] of Object.entries(RFC4475)) {
    const title = `${name} (§${entry.section} ${entry.what}): ${entry.expect === 'valid' ? 'no error' : entry.expect.join(', ')}`;
    const path = join(corpusDir, 'messages', 'rfc4475', name);
    it(title, async () => check(name, entry, await messagesJson(path)));
  }

  it('leaves the strict check out with --no-strict', async () => {
    let stdout = '';
    const io: CliIo = { stdout: (t) => void (stdout += t), stderr: () => undefined, stdoutIsTTY: false, stderrIsTTY: false, env: {}, cwd: process.cwd() };
    await runCli(['messages', '--json', '--no-strict', join(corpusDir, 'messages', 'rfc4475', 'baddate.dat')], io);
    const loose = JSON.parse(stdout) as MessagesDoc;
    expect(loose.messages[0]?.issues.map((i) => i.code)).not.toContain('bad-date');
    const strict = await messagesJson(join(corpusDir, 'messages', 'rfc4475', 'baddate.dat'));
    expect(strict.doc.messages[0]?.issues.map((i) => i.code)).toContain('bad-date');
  });
});
