// Installs the dependencies when node_modules is missing or older than the lock file, and with --build compiles
// src/ to dist/ when dist/ is missing or older than any source file. Lets `npm test`, `npm run example` and
// `npm run bench` work on a fresh clone with one command each.
import { execSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
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

const modules = join(root, 'node_modules');
const installed = join(modules, '.package-lock.json');
const hasTsc = existsSync(join(modules, '.bin', 'tsc'));
if (mtime(installed) < mtime(join(root, 'package-lock.json')) || !hasTsc) {
  // A worktree often links node_modules to another checkout's: `npm ci` through the link would empty that copy
  // (it happened, 2026-12-02), and a fresh checkout's lock file always looks newer than the install.
  if (existsSync(modules) && lstatSync(modules).isSymbolicLink()) {
    const target = realpathSync(modules);
    if (!hasTsc) {
      process.stderr.write(`siplens: node_modules links to ${target}, which has no install; run npm ci there\n`);
      process.exit(1);
    }
    process.stderr.write(`siplens: node_modules links to ${target}; not reinstalling through the link (npm ci there if the lock file changed)\n`);
  } else {
    process.stderr.write('siplens: installing dependencies (npm ci)…\n');
    run('npm ci --no-audit --no-fund');
  }
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
