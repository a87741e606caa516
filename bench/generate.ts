// Writes deterministic benchmark traffic: `node --import tsx bench/generate.ts --size 500M --format pcap
// --seed 1 --out bench/data/traffic.pcap` (or `--out -` for stdout, to stream 5 GB through a pipe). The counts of
// every outcome go to OUT.expected.json (or to stderr as JSON with --out -).
import { createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { emptyCounts, generateTraffic } from './traffic.js';
import type { TrafficCounts } from './traffic.js';
import { CAPTURE_OVERHEAD, encodePacket, fileHeader } from './writers.js';
import type { TrafficFormat } from './writers.js';

const UNITS: Record<string, number> = { K: 1e3, M: 1e6, G: 1e9 };

export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)B?$/i.exec(text.trim());
  if (!m) throw new Error(`--size: expected a size like 50M or 5G, got ${JSON.stringify(text)}`);
  return Math.round(Number(m[1]) * (UNITS[(m[2] ?? '').toUpperCase()] ?? 1));
}

/** Streams traffic of about `sizeBytes` in `format` to `out`; resolves with the counts. */
export async function writeTraffic(out: Writable, format: TrafficFormat, sizeBytes: number, seed: number): Promise<TrafficCounts> {
  const counts = emptyCounts(seed);
  // SIP text is ~90% of a capture; aim the generator at the SIP share of the requested size.
  const averageMessage = 700;
  const targetSip = Math.floor((sizeBytes * averageMessage) / (averageMessage + CAPTURE_OVERHEAD[format]));
  const batch: Buffer[] = [fileHeader(format)];
  let batchBytes = batch[0]?.length ?? 0;
  for (const packet of generateTraffic(seed, targetSip, counts)) {
    const b = encodePacket(format, packet);
    batch.push(b);
    batchBytes += b.length;
    if (batchBytes >= 4 << 20) {
      if (!out.write(Buffer.concat(batch, batchBytes))) await once(out, 'drain');
      batch.length = 0;
      batchBytes = 0;
    }
  }
  if (batchBytes > 0) out.write(Buffer.concat(batch, batchBytes));
  return counts;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '50M' },
      format: { type: 'string', default: 'pcap' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
    },
  });
  const format = values.format as TrafficFormat;
  if (!['pcap', 'pcapng', 'pjsip'].includes(format)) throw new Error(`--format: pcap, pcapng or pjsip, got ${format}`);
  if (values.out === undefined) throw new Error('--out FILE (or - for stdout) is required');
  const toStdout = values.out === '-';
  const out = toStdout ? process.stdout : createWriteStream(values.out);
  const counts = await writeTraffic(out, format, parseSize(values.size), Number(values.seed));
  if (toStdout) process.stderr.write(`${JSON.stringify(counts)}\n`);
  else {
    out.end();
    await once(out, 'finish');
    writeFileSync(`${values.out}.expected.json`, `${JSON.stringify(counts, null, 2)}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`generate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  });
}
