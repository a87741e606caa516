// One stage of the pipeline alone, on one file, in a process of its own (the runner wraps it in GNU time for the
// peak RSS): `node --import tsx bench/stages.ts FILE STAGE` prints {stage, messages, seconds, cpuSeconds} as JSON.
// Each stage includes the ones before it, so the differences are what each stage costs:
//   read       the file's bytes (sources)
//   frame      + pcap/pcapng walk, IP, UDP/TCP, log formats: framed messages (readRawInputs)
//   parse      + start line and header index of every message: what `siplens messages` and readInputs give
//   facts      + the facts correlation needs, read from the bytes (scanFacts)
//   correlate  + transactions, dialogs, calls, registrations, with eviction (an analyzer without rules)
//   analyze    + every rule and the result (analyze, one thread)
//   shares     analyze in one thread per core, this one and worker threads (the default for 160 MiB or more)
// The analyzers keep no messages, as `siplens analyze --json` does (its output holds no message text), so that the
// stages add up to the command the runner times.
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { scanFacts } from '../src/correlate/scan-facts.js';
import { analyze } from '../src/diagnose/analyze.js';
import { createAnalyzer } from '../src/diagnose/analyzer.js';
import { parseMessage } from '../src/parse/parse-message.js';
import { readRawInputs } from '../src/parse/read-inputs.js';
import { fileSource } from '../src/sources/byte-source.js';

export const STAGES = ['read', 'frame', 'parse', 'facts', 'correlate', 'analyze', 'shares'] as const;
export type Stage = (typeof STAGES)[number];

export interface StageResult {
  readonly stage: Stage;
  readonly messages: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  /** What the stage found, so a broken stage cannot look fast: calls by final status where it gets that far. */
  readonly check?: Record<string, number>;
}

export async function runStage(file: string, stage: Stage): Promise<StageResult> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  let messages = 0;
  let check: Record<string, number> | undefined;
  if (stage === 'read') {
    const size = (await stat(file)).size;
    for await (const chunk of fileSource(file, file, size).stream()) messages += chunk.length > 0 ? 0 : 1;
  } else if (stage === 'analyze' || stage === 'shares') {
    // `shares` asks for the threads: by default a file below 160 MiB is analysed in one.
    const { result } = await analyze([file], { keepMessages: 'none', workers: stage === 'analyze' ? 1 : Math.min(availableParallelism(), 4) });
    messages = result.summary.messages;
    check = { ...result.summary.callsByFinalStatus };
  } else {
    const { batches } = readRawInputs([file]);
    const correlator = stage === 'correlate' ? createAnalyzer({ rules: [], keepMessages: 'none' }) : undefined;
    for await (const batch of batches) {
      for (const raw of batch) {
        if (stage === 'parse') parseMessage(raw.bytes);
        else if (stage === 'facts') scanFacts(raw.bytes, raw.meta, messages, raw.issues);
        else if (correlator !== undefined) correlator.pushRaw(raw, messages);
        messages++;
      }
    }
    if (correlator !== undefined) check = { ...correlator.snapshot().summary.callsByFinalStatus };
  }
  const used = process.cpuUsage(cpu);
  return { stage, messages, seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6, ...(check !== undefined && { check }) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, stage] = process.argv.slice(2);
  if (file === undefined || !STAGES.includes(stage as Stage)) {
    process.stderr.write(`usage: node --import tsx bench/stages.ts FILE ${STAGES.join('|')}\n`);
    process.exit(2);
  }
  runStage(file, stage as Stage).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (error: unknown) => {
      process.stderr.write(`stages: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
