import { lstat, mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { InputReport, Issue, Severity } from '../model/index.js';
import type { ByteSource } from './byte-source.js';
import { collectStream, concatBytes, fileSource, memorySource, peekStream, streamRange, streamSource } from './byte-source.js';
import type { InflateGuard, InflateStop } from './inflate.js';
import { inflateStream } from './inflate.js';
import { comparePaths } from './path-order.js';
import type { ContentKind } from './sniff.js';
import { SNIFF_BYTES, sniffContent, UNSUPPORTED_ARCHIVES } from './sniff.js';
import { readTar } from './tar.js';
import type { ZipEntry } from './zip.js';
import { findOverlappingEntries, findZipData, listZip } from './zip.js';

/** Limits on what archives may make siplens do. Each hit is reported as an issue; the rest is still read. */
export interface SourceLimits {
  /** Containers inside containers (a gzip counts as one): `snapshot.zip!a.tar.gz!b.zip` is 3 deep. */
  readonly maxArchiveDepth: number;
  /** Members of archives and files of folders, for one input. */
  readonly maxEntries: number;
  /** Bytes decompressed (gzip and zip members), for one input. */
  readonly maxExpandedBytes: number;
  /** Decompressed to compressed bytes, checked once a member passes 1 MiB; above it the member is refused (zip bomb). */
  readonly maxCompressionRatio: number;
  /** Bytes of one archive member (decompressed); larger members are refused. Files on disk are not limited. */
  readonly maxFileBytes: number;
  /** Bytes held in memory for a zip inside an archive or on stdin (zip is read from its end); a larger one is copied to a private temporary file. */
  readonly maxBufferedBytes: number;
  /** Bytes of tar members held to read them in path order (rotated logs oldest first); larger ones stream as they come. */
  readonly maxOrderingBytes: number;
}

export const defaultSourceLimits: SourceLimits = {
  maxArchiveDepth: 8,
  maxEntries: 100_000,
  maxExpandedBytes: 16 * 2 ** 30,
  maxCompressionRatio: 200,
  maxFileBytes: 4 * 2 ** 30,
  maxBufferedBytes: 256 * 2 ** 20,
  maxOrderingBytes: 64 * 2 ** 20,
};

/** Below this many decompressed bytes a high ratio is harmless (a blank-padded file). */
const RATIO_FLOOR = 1 << 20;

/** A file found inside an input that may hold SIP: a capture or text. */
export interface SourceFile {
  /** Display path, containers joined with `!`. */
  readonly path: string;
  readonly kind: 'pcap' | 'pcapng' | 'text';
  /** Size when known before reading. */
  readonly size: number | null;
  /** The first bytes (up to SNIFF_BYTES), for format detection. */
  readonly head: Uint8Array;
  /** The whole content, head included. Read it (or leave it) before asking the walk for the next file. */
  readonly chunks: AsyncIterable<Uint8Array>;
  /** The containers it sits in, outermost first (`zip`, `tar`, `gzip`, `directory`); empty for a file given as is. */
  readonly containers: readonly string[];
}

/** The mutable state of walking one input: its report, what it has used of the limits. */
export interface WalkState {
  readonly limits: SourceLimits;
  readonly report: InputReport;
  /** The kind of the input itself, set when first seen (`zip`, `tar`, `gzip`, `pcap`, `text`, `directory`, …). */
  rootKind: string | null;
  entries: number;
  expandedBytes: number;
  bufferedBytes: number;
  /** Files passed over as binary, for one summary issue at the end. */
  readonly binaries: string[];
  /** Set when a limit for the whole input was reached: the walk ends. */
  stopped: boolean;
  readonly signal?: AbortSignal;
}

export function createWalkState(report: InputReport, limits: Partial<SourceLimits> = {}, signal?: AbortSignal): WalkState {
  return {
    limits: { ...defaultSourceLimits, ...limits },
    report,
    rootKind: null,
    entries: 0,
    expandedBytes: 0,
    bufferedBytes: 0,
    binaries: [],
    stopped: false,
    ...(signal === undefined ? {} : { signal }),
  };
}

function addIssue(state: WalkState, code: string, severity: Severity, message: string, path: string, offset = 0): void {
  const issue: Issue = { code, severity, message, origin: { path, offset } };
  state.report.issues.push(issue);
}

function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/**
 * Walks one byte source: sniffs what it holds by content and opens archives (zip, tar, gzip, nested to any depth
 * within the limits), yielding every capture and text file inside in order, rotated logs oldest first. Binary files
 * and unsupported archives are counted in `report.skipped`; damaged archives give issues and the readable rest.
 */
export async function* walkSource(
  source: ByteSource,
  state: WalkState,
  depth = 0,
  containers: readonly string[] = [],
): AsyncGenerator<SourceFile> {
  if (state.stopped || state.signal?.aborted === true) return;
  let head: Uint8Array;
  let rest: AsyncIterable<Uint8Array> | undefined;
  if (source.readAt !== undefined) {
    head = await source.readAt(0, SNIFF_BYTES);
  } else {
    const peeked = await peekStream(source.stream(), SNIFF_BYTES);
    head = peeked.head;
    rest = peeked.rest;
  }
  const kind = sniffContent(head);
  if (depth === 0 && state.rootKind === null) state.rootKind = kind;
  const content = (): AsyncIterable<Uint8Array> => rest ?? source.stream();
  const isContainer = kind === 'zip' || kind === 'gzip' || kind === 'tar';
  if (isContainer && depth >= state.limits.maxArchiveDepth) {
    addIssue(state, 'archive-too-deep', 'warning', `${source.path}: a ${kind} archive nested ${depth} deep; maxArchiveDepth is ${state.limits.maxArchiveDepth}, so it was not opened.`, source.path);
    state.report.skipped++;
    await drain(rest);
    return;
  }
  switch (kind) {
    case 'zip':
      yield* walkZip(source, rest, state, depth + 1, [...containers, 'zip']);
      return;
    case 'gzip': {
      const inflated = inflateStream(content(), 'gzip', inflateGuard(state, source.path, 'gzip'));
      yield* walkSource(streamSource(source.path, inflated), state, depth + 1, [...containers, 'gzip']);
      return;
    }
    case 'tar':
      yield* walkTar(source.path, content(), state, depth + 1, [...containers, 'tar']);
      return;
    case 'pcap':
    case 'pcapng':
    case 'text':
      yield { path: source.path, kind, size: source.size, head, chunks: content(), containers };
      await drain(rest); // closes decompressors when the reader stopped early
      return;
    default:
      await drain(rest);
      noteSkipped(state, source.path, kind);
  }
}

function noteSkipped(state: WalkState, path: string, kind: ContentKind): void {
  state.report.skipped++;
  if (UNSUPPORTED_ARCHIVES.has(kind)) {
    addIssue(state, 'unsupported-archive', 'warning', `${path}: a ${kind} file; siplens reads zip, tar and gzip. Unpack it and give siplens what it holds.`, path);
  } else if (kind === 'binary') {
    state.binaries.push(path);
  }
}

async function drain(chunks: AsyncIterable<Uint8Array> | undefined): Promise<void> {
  if (chunks === undefined) return;
  const iterator = chunks[Symbol.asyncIterator]();
  await iterator.return?.();
}

/** Counts one archive member or folder file against maxEntries; false when the walk must stop. */
function countEntry(state: WalkState, path: string): boolean {
  state.entries++;
  if (state.entries > state.limits.maxEntries) {
    addIssue(state, 'too-many-entries', 'error', `${path}: more than ${state.limits.maxEntries} files and archive members in this input (maxEntries); the rest was not read.`, path);
    state.stopped = true;
    return false;
  }
  return true;
}

/** Entry names that would escape a folder if written out (`../x`, `/etc/x`, `C:\x`). siplens never writes them. */
export function isUnsafeEntryName(name: string): boolean {
  if (name.startsWith('/') || name.startsWith('\\') || /^[a-z]:/i.test(name)) return true;
  return name.split(/[/\\]/).includes('..');
}

function checkEntryName(state: WalkState, archive: string, name: string): void {
  if (isUnsafeEntryName(name)) {
    addIssue(
      state,
      'unsafe-entry-name',
      'warning',
      `${archive}: member "${name}" points outside the archive (".." or an absolute path). siplens never writes members out under their names (nothing is extracted); it was read as data.`,
      `${archive}!${name}`,
    );
  }
}

function inflateGuard(state: WalkState, path: string, what: string, declaredSize?: number): InflateGuard {
  let counted = 0;
  const { maxExpandedBytes, maxFileBytes, maxCompressionRatio } = state.limits;
  return {
    check(bytesIn, bytesOut) {
      state.expandedBytes += bytesOut - counted;
      counted = bytesOut;
      if (bytesOut > RATIO_FLOOR && bytesOut > bytesIn * maxCompressionRatio) {
        return {
          code: 'zip-bomb',
          message: `${path}: refused as a likely ${what} bomb: ${formatBytes(bytesIn)} expanded to more than ${formatBytes(bytesOut)} (over ${maxCompressionRatio}:1, maxCompressionRatio)${declaredSize === undefined ? '' : `, ${formatBytes(declaredSize)} declared`}. The rest of the input is still read.`,
        };
      }
      if (bytesOut > maxFileBytes) {
        return { code: 'file-too-large', message: `${path}: more than ${formatBytes(maxFileBytes)} decompressed (maxFileBytes); the rest of this member was not read.` };
      }
      if (state.expandedBytes > maxExpandedBytes) {
        state.stopped = true;
        return { code: 'expanded-bytes-limit', message: `${path}: this input decompressed to more than ${formatBytes(maxExpandedBytes)} (maxExpandedBytes); reading stopped here.` };
      }
      return undefined;
    },
    onStop(stop: InflateStop) {
      if (stop.reason === 'refused') addIssue(state, stop.code, 'error', stop.detail, path);
      else if (stop.reason === 'truncated') addIssue(state, `${what}-truncated`, 'error', `${path}: the compressed data ends before its end marker (${stop.detail}); what came before was read.`, path);
      else addIssue(state, `${what}-corrupt`, 'error', `${path}: the compressed data is damaged (${stop.detail}); what came before was read.`, path);
    },
  };
}

async function* walkZip(
  source: ByteSource,
  rest: AsyncIterable<Uint8Array> | undefined,
  state: WalkState,
  depth: number,
  containers: readonly string[],
): AsyncGenerator<SourceFile> {
  let zip = source;
  let spilled: { readonly dir: string } | undefined;
  if (source.readAt === undefined || source.size === null) {
    // A zip is read from its end: one inside another archive or on stdin is held in memory up to maxBufferedBytes,
    // and past that copied to a private temporary file (under a name siplens chooses, never the member's).
    const budget = Math.max(0, state.limits.maxBufferedBytes - state.bufferedBytes);
    const iterator = (rest ?? source.stream())[Symbol.asyncIterator]();
    const parts: Uint8Array[] = [];
    let total = 0;
    let complete = false;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) {
        complete = true;
        break;
      }
      parts.push(next.value);
      total += next.value.length;
      if (total > budget) break;
    }
    if (complete) {
      const bytes = concatBytes(parts);
      state.bufferedBytes += bytes.length;
      zip = memorySource(source.path, bytes);
    } else {
      const dir = await mkdtemp(join(tmpdir(), 'siplens-zip-'));
      spilled = { dir };
      const file = join(dir, 'member.zip');
      let size = 0;
      const handle = await open(file, 'wx', 0o600);
      try {
        for (const part of parts) size += (await handle.write(part)).bytesWritten;
        parts.length = 0;
        for (;;) {
          const next = await iterator.next();
          if (next.done === true) break;
          size += (await handle.write(next.value)).bytesWritten;
        }
      } finally {
        await handle.close();
      }
      zip = fileSource(file, source.path, size);
    }
  }
  try {
    const listing = await listZip(zip);
    state.report.issues.push(...listing.issues);
    const overlapping = findOverlappingEntries(listing.entries);
    const entries = listing.entries
      .filter((e) => !e.name.endsWith('/'))
      .sort((a, b) => comparePaths(a.name, b.name));
    for (const entry of entries) {
      if (state.stopped || state.signal?.aborted === true) return;
      const path = `${source.path}!${entry.name}`;
      if (!countEntry(state, path)) return;
      checkEntryName(state, source.path, entry.name);
      if (overlapping.has(entry)) {
        addIssue(state, 'zip-bomb', 'error', `${path}: its data overlaps another member's, the shape of a zip bomb; refused. The rest of the input is still read.`, path, entry.localOffset);
        state.report.skipped++;
        continue;
      }
      const refusal = checkDeclared(state, entry);
      if (refusal !== undefined) {
        addIssue(state, refusal.code, 'error', `${path}: ${refusal.message} The rest of the input is still read.`, path, entry.localOffset);
        state.report.skipped++;
        continue;
      }
      if ((entry.flags & 0x01) !== 0) {
        addIssue(state, 'zip-encrypted', 'warning', `${path}: the member is encrypted; siplens cannot read it without the password. Extract it and give siplens the file.`, path, entry.localOffset);
        state.report.skipped++;
        continue;
      }
      if (entry.method !== 0 && entry.method !== 8) {
        addIssue(state, 'zip-unsupported-method', 'warning', `${path}: compression method ${entry.method}; siplens reads stored (0) and deflated (8) members.`, path, entry.localOffset);
        state.report.skipped++;
        continue;
      }
      const dataOffset = await findZipData(zip, entry);
      if (dataOffset === undefined) {
        addIssue(state, 'zip-corrupt', 'error', `${path}: no local file header at ${entry.localOffset} where the central directory says the member starts.`, path, entry.localOffset);
        continue;
      }
      const raw = streamRange(zip, dataOffset, entry.compressedSize, 256 * 1024);
      const body = entry.method === 8 ? inflateStream(raw, 'raw', inflateGuard(state, path, 'zip', entry.uncompressedSize)) : raw;
      const checked = checkCrc(state, path, entry, body);
      yield* walkSource(streamSource(path, checked, entry.sizesKnown ? entry.uncompressedSize : null), state, depth, containers);
    }
  } finally {
    if (spilled !== undefined) await rm(spilled.dir, { recursive: true, force: true });
    else if (zip !== source) state.bufferedBytes -= zip.size ?? 0;
  }
}

/** Refuses a member by its declared sizes before inflating it. */
function checkDeclared(state: WalkState, entry: ZipEntry): { code: string; message: string } | undefined {
  const { maxCompressionRatio, maxFileBytes } = state.limits;
  if (!entry.sizesKnown || entry.uncompressedSize === 0) return undefined;
  if (entry.uncompressedSize > RATIO_FLOOR && entry.uncompressedSize > Math.max(1, entry.compressedSize) * maxCompressionRatio) {
    return {
      code: 'zip-bomb',
      message: `refused as a likely zip bomb: ${formatBytes(entry.compressedSize)} declares ${formatBytes(entry.uncompressedSize)} (${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))}:1, maxCompressionRatio ${maxCompressionRatio}:1).`,
    };
  }
  if (entry.uncompressedSize > maxFileBytes) {
    return { code: 'file-too-large', message: `declares ${formatBytes(entry.uncompressedSize)}, over maxFileBytes (${formatBytes(maxFileBytes)}).` };
  }
  return undefined;
}

/** Passes the member's bytes through and compares their CRC-32 with the directory's at the end (APPNOTE 4.4.7). */
async function* checkCrc(state: WalkState, path: string, entry: ZipEntry, body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let crc = 0;
  let length = 0;
  let complete = false;
  try {
    for await (const chunk of body) {
      crc = crc32(chunk, crc);
      length += chunk.length;
      yield chunk;
    }
    complete = true;
  } finally {
    if (complete && entry.sizesKnown && length === entry.uncompressedSize && crc !== entry.crc32) {
      addIssue(state, 'zip-crc-mismatch', 'warning', `${path}: CRC-32 ${crc.toString(16)} does not match the ${entry.crc32.toString(16)} recorded; the member is damaged.`, path, entry.localOffset);
    }
  }
}

async function* walkTar(
  path: string,
  chunks: AsyncIterable<Uint8Array>,
  state: WalkState,
  depth: number,
  containers: readonly string[],
): AsyncGenerator<SourceFile> {
  // Members arrive in the order they were archived; to read rotated logs oldest first they are held in memory
  // (up to maxOrderingBytes) and read in path order at the end. Larger members are read as they come.
  const held: { name: string; bytes: Uint8Array }[] = [];
  let heldBytes = 0;
  let streamedOne = false;
  try {
    for await (const { entry, body } of readTar(chunks, path, (issue) => state.report.issues.push(issue))) {
      if (state.stopped || state.signal?.aborted === true) return;
      if (entry.type === 'directory') continue;
      const memberPath = `${path}!${entry.name}`;
      if (!countEntry(state, memberPath)) return;
      checkEntryName(state, path, entry.name);
      if (entry.type !== 'file') {
        state.report.skipped++;
        continue;
      }
      if (entry.size > state.limits.maxFileBytes) {
        addIssue(state, 'file-too-large', 'error', `${memberPath}: ${formatBytes(entry.size)}, over maxFileBytes (${formatBytes(state.limits.maxFileBytes)}); not read.`, memberPath, entry.offset);
        state.report.skipped++;
        continue;
      }
      if (heldBytes + entry.size <= state.limits.maxOrderingBytes) {
        const { bytes } = await collectStream(body, entry.size);
        held.push({ name: entry.name, bytes });
        heldBytes += bytes.length;
        continue;
      }
      if (!streamedOne) {
        streamedOne = true;
        addIssue(state, 'order-not-guaranteed', 'info', `${path}: members over the memory budget (maxOrderingBytes) are read in archive order, before the smaller ones; rotated logs among them may be out of time order.`, memberPath, entry.offset);
      }
      yield* walkSource(streamSource(memberPath, body, entry.size), state, depth, containers);
    }
    held.sort((a, b) => comparePaths(a.name, b.name));
    while (held.length > 0) {
      const member = held.shift() as { name: string; bytes: Uint8Array };
      if (state.stopped || state.signal?.aborted === true) return;
      yield* walkSource(memorySource(`${path}!${member.name}`, member.bytes), state, depth, containers);
      heldBytes -= member.bytes.length;
    }
  } finally {
    held.length = 0;
  }
}

/**
 * Walks a folder: every file under it, rotated logs oldest first, each sniffed and opened like a file given alone.
 * Symbolic links are not followed (a link can loop or leave the folder); they are counted as skipped.
 */
export async function* walkDirectory(
  directory: string,
  displayPath: string,
  state: WalkState,
  onRead?: (bytes: number) => void,
): AsyncGenerator<SourceFile> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    addIssue(state, 'unreadable', 'error', `${displayPath}: cannot list the folder (${(error as Error).message}).`, displayPath);
    return;
  }
  names.sort(comparePaths);
  for (const name of names) {
    if (state.stopped || state.signal?.aborted === true) return;
    const full = join(directory, name);
    const shown = displayPath.endsWith('/') ? `${displayPath}${name}` : `${displayPath}/${name}`;
    let info;
    try {
      info = await lstat(full);
    } catch (error) {
      addIssue(state, 'unreadable', 'error', `${shown}: ${(error as Error).message}`, shown);
      continue;
    }
    if (info.isDirectory()) {
      yield* walkDirectory(full, shown, state, onRead);
    } else if (info.isFile()) {
      if (!countEntry(state, shown)) return;
      yield* walkSource(fileSource(full, shown, info.size, onRead), state, 0, ['directory']);
    } else {
      state.report.skipped++;
    }
  }
}

/** Adds one issue naming the binary files passed over, so none is dropped silently. Call once the walk is done. */
export function reportSkippedBinaries(state: WalkState): void {
  const n = state.binaries.length;
  if (n === 0) return;
  const shown = state.binaries.slice(0, 5).join(', ');
  addIssue(
    state,
    'binary-skipped',
    'info',
    `${n} file${n === 1 ? '' : 's'} holding neither text nor a capture ${n === 1 ? 'was' : 'were'} skipped: ${shown}${n > 5 ? ` and ${n - 5} more` : ''}.`,
    state.report.path,
  );
}

/** Sums the sizes of the files under a folder (for progress), without following links. */
export async function sumDirectorySize(directory: string): Promise<number> {
  let total = 0;
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return 0;
  }
  for (const name of names) {
    const full = join(directory, name);
    try {
      const info = await lstat(full);
      if (info.isDirectory()) total += await sumDirectorySize(full);
      else if (info.isFile()) total += info.size;
    } catch {
      // unreadable entries are reported by the walk itself
    }
  }
  return total;
}
