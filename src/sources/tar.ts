import type { Issue } from '../model/index.js';
import { ChunkReader } from './chunk-reader.js';

export interface TarEntry {
  /** The member's path, from a pax `path`, a GNU long name, or the ustar prefix and name. */
  readonly name: string;
  readonly size: number;
  readonly type: 'file' | 'directory' | 'link' | 'other';
  /** Offset of the member's header in the tar stream. */
  readonly offset: number;
}

/** One member and its bytes; the bytes must be read (or left) before asking for the next member. */
export interface TarMember {
  readonly entry: TarEntry;
  readonly body: AsyncIterable<Uint8Array>;
}

const BLOCK = 512;
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

function readString(block: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && block[end] !== 0) end++;
  return utf8.decode(block.subarray(start, end));
}

/** A numeric field: octal digits (POSIX), or base-256 when the high bit of the first byte is set (GNU, star). */
function readNumber(block: Uint8Array, start: number, length: number): number {
  const first = block[start] as number;
  if ((first & 0x80) !== 0) {
    let value = first & 0x7f;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + (block[i] as number);
    return value;
  }
  let value = 0;
  for (let i = start; i < start + length; i++) {
    const b = block[i] as number;
    if (b >= 0x30 && b <= 0x37) value = value * 8 + (b - 0x30);
    else if (b === 0 || (b === 0x20 && value > 0)) break;
  }
  return value;
}

/** POSIX: the header checksum is the sum of its bytes with the checksum field taken as eight spaces. */
function checksumMatches(block: Uint8Array): boolean {
  const stored = readNumber(block, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] as number);
  return sum === stored;
}

function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

/** pax extended header records: `"%d %s=%s\n", length, keyword, value` (POSIX.1-2001 pax format). */
function parsePax(bytes: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (at < bytes.length) {
    let space = at;
    while (space < bytes.length && bytes[space] !== 0x20) space++;
    const length = Number(latin1.decode(bytes.subarray(at, space)));
    if (!Number.isInteger(length) || length <= 0 || at + length > bytes.length) break;
    const record = utf8.decode(bytes.subarray(space + 1, at + length - 1));
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return out;
}

/**
 * Reads a tar stream member by member: POSIX ustar and pax (`x` records for long paths and large sizes), GNU long
 * names (`L`) and base-256 sizes, and v7 headers. A stream that ends inside a member, or a header whose checksum
 * does not match, ends the walk with an issue; members already read stay read.
 */
export async function* readTar(
  chunks: AsyncIterable<Uint8Array>,
  path: string,
  onIssue: (issue: Issue) => void,
): AsyncGenerator<TarMember> {
  const reader = new ChunkReader(chunks);
  let pax = new Map<string, string>();
  let longName: string | undefined;
  try {
    for (;;) {
      const offset = reader.position;
      const block = await reader.read(BLOCK);
      if (block.length === 0) return;
      if (block.length < BLOCK) {
        onIssue(tarIssue(path, 'tar-truncated', `${path}: the tar stream ends inside a header at byte ${offset}; the members before it were read.`, offset));
        return;
      }
      if (isZeroBlock(block)) return; // end of archive: two zero blocks, of which the first is enough to stop
      if (!checksumMatches(block)) {
        onIssue(tarIssue(path, 'tar-corrupt', `${path}: the tar header at byte ${offset} has a wrong checksum; expected a member header, found other bytes. Members after it were not read.`, offset));
        return;
      }
      const typeflag = String.fromCharCode(block[156] as number);
      let size = readNumber(block, 124, 12);
      const padded = Math.ceil(size / BLOCK) * BLOCK;
      if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
        const meta = await reader.read(padded);
        if (meta.length < padded) {
          onIssue(tarIssue(path, 'tar-truncated', `${path}: the tar stream ends inside an extended header at byte ${offset}.`, offset));
          return;
        }
        const body = meta.subarray(0, size);
        if (typeflag === 'x') pax = parsePax(body);
        else if (typeflag === 'L') longName = readString(body, 0, body.length);
        continue; // 'g' (global) and 'K' (long link target) change nothing siplens reads
      }
      const ustar = latin1.decode(block.subarray(257, 263)) === 'ustar\0';
      let name = readString(block, 0, 100);
      if (ustar) {
        const prefix = readString(block, 345, 155);
        if (prefix !== '') name = `${prefix}/${name}`;
      }
      if (longName !== undefined) name = longName;
      const paxPath = pax.get('path');
      if (paxPath !== undefined) name = paxPath;
      const paxSize = pax.get('size');
      if (paxSize !== undefined && /^\d+$/.test(paxSize)) size = Number(paxSize);
      pax = new Map();
      longName = undefined;
      const type =
        typeflag === '0' || typeflag === '\0' || typeflag === '7'
          ? 'file'
          : typeflag === '5'
            ? 'directory'
            : typeflag === '1' || typeflag === '2'
              ? 'link'
              : 'other';
      const dataSize = type === 'file' || type === 'other' ? size : 0;
      const entry: TarEntry = { name, size: dataSize, type, offset };
      let consumed = 0;
      const take = reader.take(dataSize);
      const body: AsyncIterable<Uint8Array> = {
        async *[Symbol.asyncIterator]() {
          for await (const piece of take) {
            consumed += piece.length;
            yield piece;
          }
        },
      };
      yield { entry, body };
      consumed += await reader.skip(dataSize - consumed);
      if (consumed < dataSize) {
        onIssue(
          tarIssue(path, 'tar-truncated', `${path}: the tar stream ends inside member ${name} (${consumed} of ${dataSize} bytes); what was there was read.`, offset),
        );
        return;
      }
      await reader.skip(Math.ceil(dataSize / BLOCK) * BLOCK - dataSize);
    }
  } finally {
    await reader.close();
  }
}

function tarIssue(path: string, code: string, message: string, offset: number): Issue {
  return { code, severity: 'error', message, origin: { path, offset } };
}
