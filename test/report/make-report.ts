// The HTML report of a capture, made the way a user makes it.
import { buildReport, formatHtmlReport } from '../../src/index.js';
import { assembleResult, loadRecords } from './fixtures.js';

export async function makeHtmlReport(pcap: string, _cwd: string): Promise<string> {
  const loaded = await loadRecords([pcap]);
  return formatHtmlReport(buildReport(assembleResult(loaded), loaded.records));
}
