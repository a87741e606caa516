// `npm run bench`: siplens measured against tshark and sngrep on the same generated captures, in one run.
// Every tool runs in its own process under GNU time (wall time, peak RSS), alternating, several runs; medians with
// min and max. The siplens results are checked against the counts the generator wrote beside the data.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { measure, summarize } from './measure.js';
import type { Measurement, Summary } from './measure.js';
import { parseSize } from './generate.js';
import type { TrafficCounts } from './traffic.js';

const root = resolve(import.meta.dirname, '..');
const dataDir = join(root, 'bench', 'data');
const resultsDir = join(root, 'bench', 'results');
const tsx = `node --import tsx`;

interface Row {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly messages: number;
  readonly seconds: Summary;
  readonly peakRssMiB: Summary;
  readonly mbPerSec: number;
  readonly messagesPerSec: number;
  readonly note?: string;
}

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function ensureData(format: 'pcap' | 'pcapng' | 'pjsip', size: string): Promise<{ file: string; counts: TrafficCounts }> {
  mkdirSync(dataDir, { recursive: true });
  const ext = format === 'pjsip' ? 'log' : format;
  const file = join(dataDir, `traffic-${size}.${ext}`);
  if (!existsSync(`${file}.expected.json`)) {
    process.stderr.write(`bench: generating ${file}…\n`);
    await measure(`${tsx} bench/generate.ts --size ${size} --format ${format} --seed 1 --out ${file}`, { cwd: root });
  }
  return { file, counts: JSON.parse(readFileSync(`${file}.expected.json`, 'utf8')) as TrafficCounts };
}

interface Tool {
  readonly name: string;
  readonly script: (file: string) => string;
  readonly keepStdout?: boolean;
}

async function compare(tools: readonly Tool[], file: string, runs: number, messages: number): Promise<{ rows: Row[]; last: Map<string, Measurement> }> {
  const bytes = Number(execFileSync('stat', ['-c', '%s', file], { encoding: 'utf8' }).trim());
  const samples = new Map<string, Measurement[]>();
  const last = new Map<string, Measurement>();
  for (let run = 0; run < runs; run++) {
    // Alternate the order each run so no tool always gets the warm cache.
    const order = run % 2 === 0 ? tools : [...tools].reverse();
    for (const tool of order) {
      process.stderr.write(`bench: ${tool.name} run ${run + 1}/${runs} on ${file}\n`);
      const m = await measure(tool.script(file), { cwd: root, keepStdout: tool.keepStdout === true });
      samples.set(tool.name, [...(samples.get(tool.name) ?? []), m]);
      last.set(tool.name, m);
    }
  }
  const rows = tools.map((tool): Row => {
    const ms = samples.get(tool.name) ?? [];
    const seconds = summarize(ms.map((m) => m.seconds));
    return {
      name: tool.name,
      file,
      bytes,
      messages,
      seconds,
      peakRssMiB: summarize(ms.map((m) => m.peakRssMiB)),
      mbPerSec: bytes / 1e6 / seconds.median,
      messagesPerSec: messages / seconds.median,
    };
  });
  return { rows, last };
}

function table(rows: readonly Row[], baseline?: string): string {
  const base = rows.find((r) => r.name === baseline);
  const head = ['tool', 'file', 'median s (min–max)', 'MB/s', 'msg/s', 'peak RSS MiB', base ? `× vs ${baseline}` : ''];
  const lines = rows.map((r) => [
    r.name,
    r.file.replace(`${root}/`, ''),
    `${r.seconds.median.toFixed(2)} (${r.seconds.min.toFixed(2)}–${r.seconds.max.toFixed(2)})`,
    r.mbPerSec.toFixed(1),
    Math.round(r.messagesPerSec).toLocaleString('en-US'),
    r.peakRssMiB.median.toFixed(0),
    base ? (base.seconds.median / r.seconds.median).toFixed(1) : '',
  ]);
  const all = [head, ...lines];
  const widths = head.map((_, i) => Math.max(...all.map((l) => (l[i] ?? '').length)));
  return all.map((l) => `| ${l.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`).join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '500M' },
      runs: { type: 'string', default: '3' },
      stream: { type: 'string', default: '5G' },
      quick: { type: 'boolean', default: false },
    },
  });
  const size = values.quick ? '50M' : values.size;
  const runs = values.quick ? 1 : Number(values.runs);
  const report: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  };
  const siplens = `node ${join(root, 'bin', 'siplens.js')}`;

  // 1. The parser on its own, against npm's SIP parsers (the parser's own module, when present).
  const parseBench = join(root, 'bench', 'parse-bench.ts');
  if (existsSync(parseBench)) {
    const m = await measure(`${tsx} ${parseBench} --json`, { cwd: root, keepStdout: true });
    const text = m.stdout.trim();
    report['parser'] = text.startsWith('[') || text.startsWith('{') ? JSON.parse(text) : text;
    process.stdout.write(`\n## Parser\n${typeof report['parser'] === 'string' ? report['parser'] : JSON.stringify(report['parser'], null, 2)}\n`);
  }

  // 2. Captures: siplens analyze and read against tshark and sngrep.
  const pcap = await ensureData('pcap', size);
  const tools: Tool[] = [
    { name: 'siplens analyze', script: (f) => `/usr/bin/time ${siplens} analyze ${f} --json > ${join(dataDir, 'analyze.json')}` },
    { name: 'siplens messages', script: (f) => `/usr/bin/time ${siplens} messages ${f} --ndjson > /dev/null` },
  ];
  if (has('tshark')) {
    tools.push({
      name: 'tshark',
      script: (f) => `/usr/bin/time tshark -r ${f} -Y sip -T fields -e frame.number -e sip.Call-ID -e sip.CSeq -e sip.Status-Code -e sip.Method > /dev/null`,
    });
  }
  if (has('sngrep')) tools.push({ name: 'sngrep', script: (f) => `/usr/bin/time sngrep -I ${f} -N -q -l 1000000 > /dev/null` });
  const captures = await compare(tools, pcap.file, runs, pcap.counts.messages);
  process.stdout.write(`\n## ${size} pcap, ${pcap.counts.messages.toLocaleString('en-US')} messages\n${table(captures.rows, 'tshark')}\n`);
  report['capture'] = captures.rows;

  // The result must be right, not only fast: compare call outcomes with what the generator wrote.
  const analysis = JSON.parse(readFileSync(join(dataDir, 'analyze.json'), 'utf8')) as { calls?: { finalStatus: number | null }[]; summary?: { messages?: number } };
  const found: Record<string, number> = {};
  for (const call of analysis.calls ?? []) found[String(call.finalStatus)] = (found[String(call.finalStatus)] ?? 0) + 1;
  const check = { expected: pcap.counts.callsByFinalStatus, found, messagesExpected: pcap.counts.messages, messagesFound: analysis.summary?.messages ?? null };
  const ok = JSON.stringify(Object.entries(check.expected).sort()) === JSON.stringify(Object.entries(found).sort()) && check.messagesExpected === check.messagesFound;
  report['check'] = { ...check, ok };
  process.stdout.write(`\ncheck: calls by final status ${ok ? 'match' : 'DIFFER'}: expected ${JSON.stringify(check.expected)} found ${JSON.stringify(found)}; messages ${check.messagesFound}/${check.messagesExpected}\n`);

  // 3. pcapng and the PJSIP-style text log of the same traffic.
  const pcapng = await ensureData('pcapng', size);
  const log = await ensureData('pjsip', size);
  const formats = [
    ...(await compare([tools[0] as Tool], pcapng.file, runs, pcapng.counts.messages)).rows,
    ...(await compare([tools[0] as Tool], log.file, runs, log.counts.messages)).rows,
  ];
  process.stdout.write(`\n## other formats (siplens analyze)\n${table(formats)}\n`);
  report['formats'] = formats;

  // 4. A large stream through a pipe: memory must stay flat as the input grows.
  if (!values.quick) {
    const bytes = parseSize(values.stream);
    const m = await measure(`${tsx} bench/generate.ts --size ${values.stream} --format pcap --out - 2>/dev/null | /usr/bin/time ${siplens} analyze - --json > /dev/null`, { cwd: root });
    const stream = { size: values.stream, bytes, seconds: m.seconds, mbPerSec: bytes / 1e6 / m.seconds, peakRssMiB: m.peakRssMiB };
    report['stream'] = stream;
    process.stdout.write(`\n## ${values.stream} streamed through a pipe\n${JSON.stringify(stream)} (the generator in the other process sets the pace)\n`);
  }

  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nresults: bench/results/latest.json\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
