// Installs the dependencies when node_modules is missing or older than the lock file, and with --build compiles
// src/ to dist/ when dist/ is missing or older than any source file. Lets `npm test`, `npm run example` and
// `npm run bench` work on a fresh clone with one command each.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);
const run = (cmd) => execSync(cmd, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });

function newestUnder(dir, skip = []) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.includes(entry.name)) continue;
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const installed = join(root, 'node_modules', '.package-lock.json');
if (mtime(installed) < mtime(join(root, 'package-lock.json')) || !existsSync(join(root, 'node_modules', '.bin', 'tsc'))) {
  process.stderr.write('siplens: installing dependencies (npm ci)…\n');
  run('npm ci --no-audit --no-fund');
}

if (process.argv.includes('--build')) {
  const stamp = join(root, 'dist', 'index.js');
  if (mtime(stamp) < newestUnder(join(root, 'src'))) {
    process.stderr.write('siplens: compiling src/ to dist/…\n');
    run('npx tsc -p tsconfig.build.json');
  }
}

// --bench: src/ and bench/ compiled together to .bench-build/, so the benchmark runs plain JavaScript. Under tsx
// every imported binding becomes a getter call, which made the parse stage about 1.5 times slower than the
// shipped dist/ code (measured with --cpu-prof on bench/parse-bench.ts).
if (process.argv.includes('--bench')) {
  const stamp = join(root, '.bench-build', 'bench', 'run.js');
  if (mtime(stamp) < Math.max(newestUnder(join(root, 'src')), newestUnder(join(root, 'bench'), ['data', 'results']))) {
    process.stderr.write('siplens: compiling src/ and bench/ to .bench-build/…\n');
    run('npx tsc -p tsconfig.bench.json');
  }
}
