// Generated proxy traffic (bench/traffic.ts) written as a pcap, for tests that need many real-looking messages.
import { writeFile } from 'node:fs/promises';
import { emptyCounts, generateTraffic } from '../../bench/traffic.js';
import type { TrafficCounts } from '../../bench/traffic.js';
import { encodePacket, fileHeader } from '../../bench/writers.js';

/** Writes about `bytes` of traffic made from `seed` to `file` as a pcap; returns what the generator counted. */
export async function writeTrafficPcap(file: string, seed: number, bytes: number): Promise<TrafficCounts> {
  const counts = emptyCounts(seed);
  await writeFile(file, Buffer.concat([fileHeader('pcap'), ...[...generateTraffic(seed, bytes, counts)].map((p) => encodePacket('pcap', p))]));
  return counts;
}
