// Installs the dependencies when node_modules is missing or older than the lock file, and with --build compiles
// src/ to dist/ when dist/ is missing or older than any source file. Lets `npm test`, `npm run example` and
// `npm run bench` work on a fresh clone with one command each.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);
const run = (cmd) => execSync(cmd, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });

function newestUnder(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
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
