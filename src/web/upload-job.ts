// A file opened in the page: read and analysed exactly as `siplens analyze` does, its messages handed out in batches
// for the store. Runs in a worker thread of its own, so that a large snapshot does not hold up the live feeds.
import type { AnalysisResult, InputReport } from '../index.js';
import { createAnalyzer, formatOrigin, readInputs } from '../index.js';

/** One message of an upload, as the store needs it; `index` is its place in the analysis (reading order). */
export interface UploadedMessage {
  readonly index: number;
  readonly bytes: Uint8Array;
  readonly time: number | null;
  readonly src: string | null;
  readonly dst: string | null;
  readonly transport: string | null;
  readonly direction: 'in' | 'out' | null;
  /** Where it was read: `snapshot.zip!var/log/sip:120`, `capture.pcap#7`. */
  readonly origin: string;
  readonly callId: string | null;
  readonly method: string | null;
  readonly status: number | null;
  readonly cseqMethod: string | null;
}

/** The temporary path replaced by the name the user's file had, wherever the reader wrote it. */
function rename(path: string, file: string, name: string): string {
  return path.startsWith(file) ? name + path.slice(file.length) : path;
}

/** Reads and analyses `file` (shown as `name`); `onBatch` gets its messages in reading order. */
export async function runUploadJob(
  file: string,
  name: string,
  onBatch: (batch: UploadedMessage[]) => void,
  batchSize = 500,
): Promise<AnalysisResult> {
  const { records, reports } = readInputs([file]);
  const analyzer = createAnalyzer({ keepMessages: 'none' }, reports);
  let batch: UploadedMessage[] = [];
  for await (const record of records) {
    analyzer.push(record);
    const m = record.message;
    batch.push({
      index: record.index,
      bytes: m.raw.slice(),
      time: record.meta.time,
      src: record.meta.src ?? null,
      dst: record.meta.dst ?? null,
      transport: record.meta.transport ?? null,
      direction: record.meta.direction ?? null,
      origin: formatOrigin({ ...record.meta.origin, path: rename(record.meta.origin.path, file, name) }),
      callId: m.callId ?? null,
      method: m.method ?? null,
      status: m.status ?? null,
      cseqMethod: m.cseq?.method ?? null,
    });
    if (batch.length >= batchSize) {
      onBatch(batch);
      batch = [];
    }
  }
  if (batch.length > 0) onBatch(batch);
  const result = analyzer.snapshot();
  const inputs = result.inputs.map((r): InputReport => ({
    ...r,
    path: rename(r.path, file, name),
    ...(r.parent === undefined ? {} : { parent: rename(r.parent, file, name) }),
    issues: r.issues.map((i) => ({ ...i, message: i.message.split(file).join(name), ...(i.origin === undefined ? {} : { origin: { ...i.origin, path: rename(i.origin.path, file, name) } }) })),
  }));
  return { ...result, inputs };
}
