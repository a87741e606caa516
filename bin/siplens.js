#!/usr/bin/env node
// The installed command: runs the compiled CLI. `npm run build` (or any npm script that needs it) makes dist/.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('siplens: dist/ is missing; run `npm run build` in the siplens folder first.\n');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
