// `npm run bench`: siplens measured against tshark and sngrep on the same generated captures, in one run.
//   npm run bench                    500 MB capture, 3 runs each, 5 GB streamed through a pipe, docs/PERFORMANCE.md
//   npm run bench -- --quick         50 MB, 1 run, no stream (a minute or two)
//   npm run bench -- --size 200M --runs 5 --stream 2G --no-doc
// Every command runs in its own process under GNU time (wall time, peak RSS), alternating, several runs: medians
// with min and max. siplens's results are checked against the counts the generator wrote beside the data, so a broken
// pipeline cannot look fast. Results go to bench/results/latest.json; docs/PERFORMANCE.md is written from them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseSize } from './generate.js';
import { measure, summarize } from './measure.js';
import type { Measurement, Summary } from './measure.js';
import { STAGES } from './stages.js';
import type { StageResult } from './stages.js';
import type { TrafficCounts } from './traffic.js';

// `npm run bench` runs this file compiled to .bench-build/bench/run.js (plain JavaScript, as users run dist/);
// `node --import tsx bench/run.ts` still works, with the tsx overhead in the parser and stage rows.
const built = import.meta.dirname.includes('.bench-build');
const root = built ? resolve(import.meta.dirname, '..', '..') : resolve(import.meta.dirname, '..');
const dataDir = join(root, 'bench', 'data');
const resultsDir = join(root, 'bench', 'results');
/** The command that runs bench/<name>.ts: the compiled file when this one is compiled. */
const script = (name: string): string => (built ? `node ${join(root, '.bench-build', 'bench', `${name}.js`)}` : `node --import tsx bench/${name}.ts`);
const siplens = `node ${join(root, 'bin', 'siplens.js')}`;

interface Row {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly messages: number;
  readonly seconds: Summary;
  readonly peakRssMiB: Summary;
  readonly mbPerSec: number;
  readonly messagesPerSec: number;
  readonly runs: number;
}

interface Tool {
  readonly name: string;
  readonly script: (file: string) => string;
}

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function version(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]?.trim() ?? '';
  } catch {
    return 'unknown';
  }
}

async function ensureData(format: 'pcap' | 'pcapng' | 'pjsip', size: string): Promise<{ file: string; counts: TrafficCounts }> {
  mkdirSync(dataDir, { recursive: true });
  const ext = format === 'pjsip' ? 'log' : format;
  const file = join(dataDir, `traffic-${size}.${ext}`);
  if (!existsSync(`${file}.expected.json`)) {
    process.stderr.write(`bench: generating ${file}…\n`);
    await measure(`${script('generate')} --size ${size} --format ${format} --seed 1 --out ${file}`, { cwd: root });
  }
  return { file, counts: JSON.parse(readFileSync(`${file}.expected.json`, 'utf8')) as TrafficCounts };
}

function row(name: string, file: string, messages: number, ms: readonly Measurement[]): Row {
  const bytes = statSync(file).size;
  const seconds = summarize(ms.map((m) => m.seconds));
  return {
    name,
    file: file.replace(`${root}/`, ''),
    bytes,
    messages,
    seconds,
    peakRssMiB: summarize(ms.map((m) => m.peakRssMiB)),
    mbPerSec: bytes / 1e6 / seconds.median,
    messagesPerSec: messages / seconds.median,
    runs: ms.length,
  };
}

/** Runs every tool `runs` times on `file`, the order reversed every other run so no tool always gets a warm cache. */
async function compare(tools: readonly Tool[], file: string, runs: number, messages: number): Promise<{ rows: Row[]; last: Map<string, Measurement> }> {
  const samples = new Map<string, Measurement[]>();
  const last = new Map<string, Measurement>();
  warmCache(file);
  for (let run = 0; run < runs; run++) {
    for (const tool of run % 2 === 0 ? tools : [...tools].reverse()) {
      process.stderr.write(`bench: ${tool.name}, run ${run + 1}/${runs}\n`);
      const m = await measure(tool.script(file), { cwd: root });
      samples.set(tool.name, [...(samples.get(tool.name) ?? []), m]);
      last.set(tool.name, m);
    }
  }
  return { rows: tools.map((t) => row(t.name, file, messages, samples.get(t.name) ?? [])), last };
}

function table(rows: readonly Row[], baselines: readonly string[] = []): string {
  const bases = baselines.map((b) => rows.find((r) => r.name === b)).filter((r): r is Row => r !== undefined);
  const head = ['command', 'median s (min–max)', 'MB/s', 'messages/s', 'peak RSS MiB', ...bases.map((b) => `× faster than ${b.name}`)];
  const lines = rows.map((r) => [
    r.name,
    `${r.seconds.median.toFixed(2)} (${r.seconds.min.toFixed(2)}–${r.seconds.max.toFixed(2)})`,
    r.mbPerSec.toFixed(1),
    Math.round(r.messagesPerSec).toLocaleString('en-US'),
    `${r.peakRssMiB.median.toFixed(0)}`,
    ...bases.map((b) => (b.seconds.median / r.seconds.median).toFixed(2)),
  ]);
  return markdownTable(head, lines);
}

/** A stage measured `runs` times: the median run's figures, with the range of wall times. */
interface StageRow extends StageResult {
  readonly peakRssMiB: number;
  readonly secondsRange: Summary;
  readonly runs: number;
}

function stageRow(samples: readonly (StageResult & { peakRssMiB: number })[]): StageRow {
  const sorted = [...samples].sort((a, b) => a.seconds - b.seconds);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return { ...median, peakRssMiB: summarize(samples.map((s) => s.peakRssMiB)).median, secondsRange: summarize(samples.map((s) => s.seconds)), runs: samples.length };
}

/** Reads a file once, untimed, so that every measured run finds it in the page cache. */
function warmCache(file: string): void {
  execFileSync('cat', [file], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function markdownTable(head: readonly string[], lines: readonly (readonly string[])[]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...lines.map((l) => `| ${l.join(' | ')} |`)].join('\n');
}

interface CheckResult {
  readonly ok: boolean;
  readonly text: string;
}

/** The analysis must have found exactly what the generator put in: every message, every call by final status. */
function checkAnalysis(json: string, counts: TrafficCounts): CheckResult {
  const a = JSON.parse(json) as { summary?: { messages?: number; callsByFinalStatus?: Record<string, number> } };
  const found = a.summary?.callsByFinalStatus ?? {};
  const same = (x: Record<string, number>, y: Record<string, number>): boolean => JSON.stringify(Object.entries(x).sort()) === JSON.stringify(Object.entries(y).sort());
  const ok = a.summary?.messages === counts.messages && same(found, counts.callsByFinalStatus);
  return { ok, text: `messages ${a.summary?.messages ?? '?'}/${counts.messages}, calls by final status ${ok ? 'as generated' : `DIFFER: expected ${JSON.stringify(counts.callsByFinalStatus)}, found ${JSON.stringify(found)}`}` };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '500M' },
      runs: { type: 'string', default: '3' },
      stream: { type: 'string', default: '5G' },
      quick: { type: 'boolean', default: false },
      'no-doc': { type: 'boolean', default: false },
    },
  });
  const size = values.quick ? '50M' : values.size;
  const runs = values.quick ? 1 : Number(values.runs);
  const stream = values.quick ? undefined : values.stream;
  const started = new Date();
  const machine = {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    tshark: has('tshark') ? version('tshark', ['--version']) : 'not installed',
    sngrep: has('sngrep') ? version('sngrep', ['-V']) : 'not installed',
  };
  const report: Record<string, unknown> = { date: started.toISOString(), machine, size, runs };
  const out: string[] = [];
  const say = (text: string): void => {
    out.push(text);
    process.stdout.write(`${text}\n`);
  };
  say(`# siplens benchmark, ${started.toISOString().slice(0, 10)}`);
  say(`\nMachine: ${machine.cpus} × ${machine.model}, ${machine.memoryGiB} GiB, Node.js ${machine.node}; ${machine.tshark}; ${machine.sngrep}.`);

  // 1. The parser alone, against npm's SIP parsers.
  const parser = await measure(`${script('parse-bench')} --json`, { cwd: root, keepStdout: true });
  const parserRows = JSON.parse(parser.stdout.trim()) as { name: string; opsPerSec: number; minOpsPerSec?: number; maxOpsPerSec?: number; mbPerSec: number; note?: string }[];
  report['parser'] = parserRows;
  say('\n## The parser on one core (bench/parse-bench.ts)\n');
  say('messages/s is the median of five timed slices of CPU time; the slices column gives the slowest and the fastest.\n');
  const count = (n: number | undefined): string => (n === undefined ? '' : Math.round(n).toLocaleString('en-US'));
  say(
    markdownTable(
      ['case', 'messages/s', 'slices', 'MB/s', 'note'],
      parserRows.map((r) => [r.name, count(r.opsPerSec), r.minOpsPerSec === undefined ? '' : `${count(r.minOpsPerSec)}-${count(r.maxOpsPerSec)}`, r.mbPerSec.toFixed(1), r.note ?? '']),
    ),
  );

  // 2. The stages, each in a process of its own, on the capture.
  const pcap = await ensureData('pcap', size);
  say(`\n## Stages of the pipeline on the ${size} pcap (${pcap.counts.messages.toLocaleString('en-US')} messages, bench/stages.ts)\n`);
  say('Each stage includes the ones before it; the difference between two rows is what a stage costs.\n');
  // The file was just written: read it once untimed, so the first stage does not pay for the page cache alone.
  warmCache(pcap.file);
  const stages: StageRow[] = [];
  for (const stage of STAGES) {
    const samples: (StageResult & { peakRssMiB: number })[] = [];
    for (let run = 0; run < runs; run++) {
      process.stderr.write(`bench: stage ${stage}, run ${run + 1}/${runs}\n`);
      const m = await measure(`/usr/bin/time ${script('stages')} ${pcap.file} ${stage}`, { cwd: root, keepStdout: true });
      samples.push({ ...(JSON.parse(m.stdout.trim()) as StageResult), peakRssMiB: m.peakRssMiB });
    }
    stages.push(stageRow(samples));
  }
  report['stages'] = stages;
  const pcapBytes = statSync(pcap.file).size;
  say(
    markdownTable(
      ['stage', `wall s, median of ${runs} (min–max)`, 'CPU s (all threads)', 'MB/s', 'messages/s', 'peak RSS MiB'],
      stages.map((s) => [
        s.stage,
        `${s.seconds.toFixed(2)} (${s.secondsRange.min.toFixed(2)}–${s.secondsRange.max.toFixed(2)})`,
        s.cpuSeconds.toFixed(2),
        (pcapBytes / 1e6 / s.seconds).toFixed(1),
        Math.round(pcap.counts.messages / s.seconds).toLocaleString('en-US'),
        s.peakRssMiB.toFixed(0),
      ]),
    ),
  );
  const one = stages.find((s) => s.stage === 'analyze');
  const shared = stages.find((s) => s.stage === 'shares');
  if (one !== undefined && shared !== undefined) {
    say(`\nThe second core: analyze takes ${one.seconds.toFixed(2)} s in one thread and ${shared.seconds.toFixed(2)} s in one thread per core (${(one.seconds / shared.seconds).toFixed(2)}×).`);
  }

  // 3. Whole commands against tshark and sngrep, on the same file, alternating.
  const analyzeJson = join(dataDir, 'analyze.json');
  const tools: Tool[] = [
    { name: 'siplens analyze', script: (f) => `/usr/bin/time ${siplens} analyze ${f} --json > ${analyzeJson}` },
    { name: 'siplens analyze --workers 1', script: (f) => `/usr/bin/time ${siplens} analyze ${f} --json --workers 1 > /dev/null` },
    { name: 'siplens messages --ndjson', script: (f) => `/usr/bin/time ${siplens} messages ${f} --ndjson --no-strict > /dev/null` },
  ];
  if (has('tshark')) {
    tools.push({
      name: 'tshark',
      script: (f) => `/usr/bin/time tshark -r ${f} -Y sip -T fields -e frame.number -e sip.Call-ID -e sip.CSeq -e sip.Status-Code -e sip.Method > /dev/null`,
    });
  }
  if (has('sngrep')) tools.push({ name: 'sngrep', script: (f) => `/usr/bin/time sngrep -I ${f} -N -q -l 1000000 > /dev/null` });
  const captures = await compare(tools, pcap.file, runs, pcap.counts.messages);
  report['capture'] = captures.rows;
  const check = checkAnalysis(readFileSync(analyzeJson, 'utf8'), pcap.counts);
  report['check'] = check;
  say(`\n## The ${size} pcap: siplens, tshark and sngrep (${runs} run${runs === 1 ? '' : 's'} each, alternating)\n`);
  say(table(captures.rows, ['tshark', 'sngrep'].filter((n) => captures.rows.some((r) => r.name === n))));
  say(`\nCheck: ${check.text}.`);

  // 4. The same traffic as pcapng and as a PJSIP-style text log.
  const formats: Row[] = [];
  for (const format of ['pcapng', 'pjsip'] as const) {
    const data = await ensureData(format, size);
    const json = join(dataDir, `analyze-${format}.json`);
    const rows = await compare([{ name: `siplens analyze (${format === 'pjsip' ? 'PJSIP log' : format})`, script: (f) => `/usr/bin/time ${siplens} analyze ${f} --json > ${json}` }], data.file, runs, data.counts.messages);
    formats.push(...rows.rows);
    const c = checkAnalysis(readFileSync(json, 'utf8'), data.counts);
    report[`check-${format}`] = c;
    say(`\nCheck (${format}): ${c.text}.`);
  }
  report['formats'] = formats;
  say('\n## The same traffic as pcapng and as a text log\n');
  say(table(formats));

  // 5. A large stream through a pipe: memory must stay flat as the input grows.
  if (stream !== undefined) {
    const bytes = parseSize(stream);
    process.stderr.write(`bench: ${stream} through a pipe\n`);
    const m = await measure(`${script('generate')} --size ${stream} --format pcap --out - 2>/dev/null | /usr/bin/time ${siplens} analyze - --json > /dev/null`, { cwd: root });
    const analyzeRss = captures.rows.find((r) => r.name === 'siplens analyze')?.peakRssMiB.median ?? Number.NaN;
    const s = { size: stream, bytes, seconds: m.seconds, mbPerSec: bytes / 1e6 / m.seconds, peakRssMiB: m.peakRssMiB, rssVsFile: m.peakRssMiB / analyzeRss };
    report['stream'] = s;
    say(`\n## ${stream} streamed through a pipe (\`generate --out - | siplens analyze - --json\`)\n`);
    say(
      `${(bytes / 1e9).toFixed(1)} GB in ${m.seconds.toFixed(1)} s (${s.mbPerSec.toFixed(1)} MB/s, the generator in the other process ` +
        `sets the pace at most), peak RSS ${m.peakRssMiB.toFixed(0)} MiB: ${(s.rssVsFile * 100).toFixed(0)}% of the ${size} file's ${analyzeRss.toFixed(0)} MiB.`,
    );
  }

  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write('\nresults: bench/results/latest.json\n');
  if (!values['no-doc'] && !values.quick) {
    const doc = join(root, 'docs', 'PERFORMANCE.md');
    const intro = existsSync(doc) ? readFileSync(doc, 'utf8').split('<!-- figures -->')[0] : '';
    writeFileSync(doc, `${intro?.trimEnd() ?? ''}\n\n<!-- figures -->\n${out.join('\n')}\n`);
    process.stdout.write('figures written to docs/PERFORMANCE.md\n');
  }
  if (!check.ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
