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

/**
 * tshark arguments that make it read the given ports as SIP (`-d udp.port==N,sip` …). Without them tshark picks a
 * dissector by its port tables and heuristics, and a free port that another protocol claims (27951 is quake3's)
 * hides the messages on it from `-Y sip`.
 */
export function tsharkSipPorts(transport: 'udp' | 'tcp', ports: Iterable<number>): string[] {
  return [...new Set(ports)].flatMap((port) => ['-d', `${transport}.port==${port},sip`]);
}
