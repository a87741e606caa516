import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { processIo } from './io.js';
import { runCli } from './main.js';

const root = resolve(import.meta.dirname, '..', '..');
const errFile = join(tmpdir(), `siplens-io-test-${process.pid}.err`);

/** A stdout whose reader has gone: every write fails with EPIPE, as a pipe into `head` does once head exits. */
function brokenPipe(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE', errno: -32, syscall: 'write' }));
    },
  });
}

describe('processIo', () => {
  it('ends quietly with exit code 0 when the reader of stdout goes away (EPIPE)', async () => {
    const stderr = new PassThrough();
    let errText = '';
    stderr.on('data', (chunk: Buffer) => void (errText += chunk.toString()));
    const exits: number[] = [];
    const io = processIo({ stdout: brokenPipe(), stderr, stdin: new PassThrough() }, (code) => void exits.push(code));
    // Writes after the pipe broke must be dropped, not raise ERR_STREAM_DESTROYED.
    const code = await runCli(['codes', '--json'], io);
    await new Promise((r) => setTimeout(r, 20));
    expect(code).toBe(0);
    expect(exits).toEqual([0]);
    expect(io.signal?.aborted).toBe(true);
    expect(errText).toBe('');
  });

  it('reports any other write error in one line, with exit code 4', async () => {
    const stdout = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
      },
    });
    const stderr = new PassThrough();
    let errText = '';
    stderr.on('data', (chunk: Buffer) => void (errText += chunk.toString()));
    const exits: number[] = [];
    const io = processIo({ stdout, stderr, stdin: new PassThrough() }, (code) => void exits.push(code));
    io.stdout('x');
    io.stdout('y');
    await new Promise((r) => setTimeout(r, 20));
    expect(exits).toEqual([4]);
    expect(errText).toBe('siplens: cannot write to standard output: no space left on device\n');
  });
});

// Regression test for `siplens codes --json | head -c 100` printing an unhandled EPIPE stack trace: the real process
// writing into a real pipe (a shell pipeline; Node's own child pipes are sockets whose buffer swallows the output).
describe('siplens piped into head', () => {
  // codes --json is over 100 KB, more than a pipe holds, so siplens is still writing when head has gone.
  it('ends quietly: siplens codes --json | head -c 100', async () => {
    const argv = ['codes', '--json'];
    const script = `import { main } from ${JSON.stringify(resolve(root, 'src/cli/main.ts'))}; process.exitCode = await main(${JSON.stringify(argv)});`;
    const child = spawn('bash', ['-c', 'node --import tsx --input-type=module -e "$SCRIPT" 2>"$ERR_FILE" | head -c 100; echo " rc=${PIPESTATUS[0]}"'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', SCRIPT: script, ERR_FILE: errFile },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
    await new Promise<void>((done) => child.on('close', () => done()));
    const stderr = readFileSync(errFile, 'utf8');
    expect(stderr).toBe('');
    expect(stdout.length).toBeGreaterThanOrEqual(100);
    expect(stdout.endsWith(' rc=0\n')).toBe(true);
  }, 30_000);
});
