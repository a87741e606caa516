// The HTML report of a capture, made the way a user makes it: `siplens analyze CAPTURE --html FILE`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runSiplens } from './cli-run.js';

export async function makeHtmlReport(pcap: string, dir: string): Promise<string> {
  const out = join(dir, 'cli-report.html');
  const r = await runSiplens(['analyze', pcap, '--html', out]);
  if (r.code !== 0) throw new Error(`siplens analyze exited ${r.code}: ${r.stderr}`);
  return readFile(out, 'utf8');
}
