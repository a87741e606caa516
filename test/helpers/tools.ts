import { execFileSync } from 'node:child_process';

const cache = new Map<string, boolean>();

/**
 * Whether an external program (tshark, sipp, kamailio, sngrep, baresip, chromium) is on PATH. A test that needs one
 * skips without it and says so, except under SIPLENS_REQUIRE_TOOLS=1 (set by .ci/run, which installs them), where a
 * missing tool fails the run instead of silently skipping real-software tests.
 */
export function hasTool(name: string): boolean {
  let found = cache.get(name);
  if (found === undefined) {
    try {
      execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
      found = true;
    } catch {
      found = false;
    }
    cache.set(name, found);
    if (!found) {
      if (process.env['SIPLENS_REQUIRE_TOOLS'] === '1') {
        throw new Error(`${name} is required (SIPLENS_REQUIRE_TOOLS=1) but not on PATH; .ci/run should have installed it`);
      }
      process.stderr.write(`${name} not found on PATH: the tests that need it are skipped\n`);
    }
  }
  return found;
}
