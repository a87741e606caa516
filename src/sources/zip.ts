import type { Issue } from '../model/index.js';
import type { ByteSource } from './byte-source.js';

/** One member of a zip file, from its central directory record (or its local header when the directory is lost). */
export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated (APPNOTE 4.4.5); others are reported, not read. */
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  /** Offset of the local file header. */
  readonly localOffset: number;
  /** Offset of the member's data, when already known (local-header scan); else read from the local header. */
  readonly dataOffset?: number;
  /** Whether the sizes came from a trustworthy record (false for a member cut short by a truncated file). */
  readonly sizesKnown: boolean;
}

export interface ZipListing {
  readonly entries: ZipEntry[];
  /** `central`: read from the central directory; `scan`: recovered by walking local headers (damaged file). */
  readonly mode: 'central' | 'scan';
  readonly issues: Issue[];
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_END64 = 0x06064b50;
const SIG_END64_LOCATOR = 0x07064b50;
const SIG_DESCRIPTOR = 0x08074b50;
/** The end record is 22 bytes plus a comment of at most 65535 (APPNOTE 4.3.16). */
const END_SEARCH = 22 + 0xffff;

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

function u16(b: Uint8Array, at: number): number {
  return (b[at] as number) | ((b[at + 1] as number) << 8);
}
function u32(b: Uint8Array, at: number): number {
  return ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24)) >>> 0;
}
function u64(b: Uint8Array, at: number): number {
  return u32(b, at) + u32(b, at + 4) * 0x1_0000_0000;
}

/** Flag bit 11: the name is UTF-8 (APPNOTE 4.4.4); otherwise it is IBM 437, read here as Latin-1. */
function decodeName(bytes: Uint8Array, flags: number): string {
  return (flags & 0x800) !== 0 ? utf8.decode(bytes) : latin1.decode(bytes);
}

function zipIssue(path: string, code: string, severity: Issue['severity'], message: string, offset = 0): Issue {
  return { code, severity, message, origin: { path, offset } };
}

/**
 * Lists a zip's members. Reads the end record and the central directory (APPNOTE 4.3.6), Zip64 included (4.3.14);
 * when they are missing or damaged (a truncated download, a cut copy) it walks the local headers from the start
 * instead, so every member that is there is still found, and says so in an issue.
 */
export async function listZip(source: ByteSource): Promise<ZipListing> {
  const readAt = source.readAt;
  const size = source.size;
  if (readAt === undefined || size === null) throw new Error(`listZip needs random access to ${source.path}`);
  const issues: Issue[] = [];
  const tailStart = Math.max(0, size - END_SEARCH);
  const tail = await readAt(tailStart, size - tailStart);
  let end = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (u32(tail, i) === SIG_END && i + 22 + u16(tail, i + 20) <= tail.length) {
      end = i;
      break;
    }
  }
  if (end < 0) {
    issues.push(
      zipIssue(
        source.path,
        'zip-truncated',
        'error',
        `${source.path}: no zip end-of-central-directory record in the last ${tail.length} bytes; the file is truncated or damaged. Members were recovered from their local headers; the last one may be cut short.`,
        size,
      ),
    );
    return { entries: await scanLocalHeaders(source, issues), mode: 'scan', issues };
  }
  let count = u16(tail, end + 10);
  let cdSize = u32(tail, end + 12);
  let cdOffset = u32(tail, end + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = end - 20;
    if (locator >= 0 && u32(tail, locator) === SIG_END64_LOCATOR) {
      const end64 = await readAt(u64(tail, locator + 8), 56);
      if (end64.length === 56 && u32(end64, 0) === SIG_END64) {
        count = u64(end64, 32);
        cdSize = u64(end64, 40);
        cdOffset = u64(end64, 48);
      }
    }
  }
  if (cdOffset + cdSize > size) {
    issues.push(
      zipIssue(
        source.path,
        'zip-corrupt',
        'error',
        `${source.path}: the central directory is said to be at ${cdOffset} (${cdSize} bytes) but the file has ${size} bytes. Members were recovered from their local headers.`,
        tailStart + end,
      ),
    );
    return { entries: await scanLocalHeaders(source, issues), mode: 'scan', issues };
  }
  const cd = await readAt(cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let at = 0;
  while (at + 46 <= cd.length && entries.length < count) {
    if (u32(cd, at) !== SIG_CENTRAL) {
      issues.push(
        zipIssue(source.path, 'zip-corrupt', 'error', `${source.path}: central directory record ${entries.length + 1} of ${count} at ${cdOffset + at} has a bad signature; the rest of the directory was not read.`, cdOffset + at),
      );
      break;
    }
    const flags = u16(cd, at + 8);
    const nameLength = u16(cd, at + 28);
    const extraLength = u16(cd, at + 30);
    const commentLength = u16(cd, at + 32);
    let compressedSize = u32(cd, at + 20);
    let uncompressedSize = u32(cd, at + 24);
    let localOffset = u32(cd, at + 42);
    // Zip64 extended information (APPNOTE 4.5.3): only the fields whose 32-bit value is all ones, in this order.
    const extraEnd = Math.min(cd.length, at + 46 + nameLength + extraLength);
    for (let e = at + 46 + nameLength; e + 4 <= extraEnd; ) {
      const id = u16(cd, e);
      const length = u16(cd, e + 2);
      if (id === 0x0001) {
        let f = e + 4;
        if (uncompressedSize === 0xffffffff && f + 8 <= e + 4 + length) {
          uncompressedSize = u64(cd, f);
          f += 8;
        }
        if (compressedSize === 0xffffffff && f + 8 <= e + 4 + length) {
          compressedSize = u64(cd, f);
          f += 8;
        }
        if (localOffset === 0xffffffff && f + 8 <= e + 4 + length) localOffset = u64(cd, f);
      }
      e += 4 + length;
    }
    entries.push({
      name: decodeName(cd.subarray(at + 46, at + 46 + nameLength), flags),
      method: u16(cd, at + 10),
      flags,
      crc32: u32(cd, at + 16),
      compressedSize,
      uncompressedSize,
      localOffset,
      sizesKnown: true,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  if (entries.length < count && issues.length === 0) {
    issues.push(
      zipIssue(source.path, 'zip-corrupt', 'error', `${source.path}: the end record promises ${count} members but the central directory holds ${entries.length}.`, cdOffset),
    );
  }
  return { entries, mode: 'central', issues };
}

/**
 * Walks local file headers from the start of a damaged zip. A member written with a data descriptor (flag bit 3)
 * has no sizes in its local header, so its data is taken to end where the next zip signature starts.
 */
async function scanLocalHeaders(source: ByteSource, issues: Issue[]): Promise<ZipEntry[]> {
  const readAt = source.readAt as NonNullable<ByteSource['readAt']>;
  const size = source.size as number;
  const entries: ZipEntry[] = [];
  let at = 0;
  while (at + 30 <= size) {
    const header = await readAt(at, 30);
    if (u32(header, 0) !== SIG_LOCAL) {
      if (u32(header, 0) !== SIG_CENTRAL && u32(header, 0) !== SIG_END) {
        issues.push(zipIssue(source.path, 'zip-corrupt', 'error', `${source.path}: expected a local file header at ${at}, found other bytes; members after it were not read.`, at));
      }
      break;
    }
    const flags = u16(header, 6);
    const nameLength = u16(header, 26);
    const extraLength = u16(header, 28);
    const name = decodeName(await readAt(at + 30, nameLength), flags);
    const dataOffset = at + 30 + nameLength + extraLength;
    let compressedSize = u32(header, 18);
    let uncompressedSize = u32(header, 22);
    let sizesKnown = (flags & 0x08) === 0 && compressedSize !== 0xffffffff;
    let next: number;
    if (sizesKnown) {
      next = dataOffset + compressedSize;
    } else {
      const found = await findNextSignature(source, dataOffset);
      next = found < 0 ? size : found;
      compressedSize = next - dataOffset;
      uncompressedSize = 0;
      if (found >= 0 && found + 4 <= size) {
        const sig = u32(await readAt(found, 4), 0);
        // The data descriptor (APPNOTE 4.3.9) follows the data: 16 bytes with its optional signature, 24 when the
        // sizes are Zip64 (8 bytes each); the next record's signature tells which.
        if (sig === SIG_DESCRIPTOR) {
          const after = await readAt(found + 16, 12);
          const isRecord = (at: number): boolean =>
            after.length >= at + 4 && [SIG_LOCAL, SIG_CENTRAL, SIG_END].includes(u32(after, at));
          next = !isRecord(0) && isRecord(8) ? found + 24 : found + 16;
        }
        sizesKnown = found >= 0;
      }
    }
    if (next > size) {
      sizesKnown = false;
      compressedSize = Math.max(0, size - dataOffset);
    }
    entries.push({
      name,
      method: u16(header, 8),
      flags,
      crc32: u32(header, 14),
      compressedSize,
      uncompressedSize,
      localOffset: at,
      dataOffset,
      sizesKnown,
    });
    if (next <= at) break;
    at = next;
  }
  return entries;
}

/** Offset of the next `PK\3\4`, `PK\1\2`, `PK\5\6` or `PK\7\8` at or after `from`, or -1. */
async function findNextSignature(source: ByteSource, from: number): Promise<number> {
  const readAt = source.readAt as NonNullable<ByteSource['readAt']>;
  const size = source.size as number;
  const window = 1 << 20;
  for (let at = from; at < size; at += window - 3) {
    const bytes = await readAt(at, window);
    for (let i = 0; i + 3 < bytes.length; i++) {
      if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b) {
        const c = bytes[i + 2];
        const d = bytes[i + 3];
        if ((c === 3 && d === 4) || (c === 1 && d === 2) || (c === 5 && d === 6) || (c === 7 && d === 8)) return at + i;
      }
    }
    if (bytes.length < window) break;
  }
  return -1;
}

/** Where a member's data starts: after its local header, whose name and extra lengths may differ from the directory's. */
export async function findZipData(source: ByteSource, entry: ZipEntry): Promise<number | undefined> {
  if (entry.dataOffset !== undefined) return entry.dataOffset;
  const readAt = source.readAt as NonNullable<ByteSource['readAt']>;
  const header = await readAt(entry.localOffset, 30);
  if (header.length < 30 || u32(header, 0) !== SIG_LOCAL) return undefined;
  return entry.localOffset + 30 + u16(header, 26) + u16(header, 28);
}

/**
 * Members whose data overlaps another's: the trick of non-recursive zip bombs (many directory records pointing at
 * one highly compressed stream). Returns the names to refuse.
 */
export function findOverlappingEntries(entries: readonly ZipEntry[]): Set<ZipEntry> {
  const sorted = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  const bad = new Set<ZipEntry>();
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1] as ZipEntry;
    const current = sorted[i] as ZipEntry;
    // 30 bytes of local header plus the name are the least a member occupies before its data.
    if (previous.localOffset + 30 + previous.compressedSize > current.localOffset) {
      bad.add(previous);
      bad.add(current);
    }
  }
  return bad;
}
