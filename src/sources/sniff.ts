/** What a file holds, told by its first bytes (never by its name). */
export type ContentKind =
  | 'zip'
  | 'gzip'
  | 'tar'
  | 'pcap'
  | 'pcapng'
  | 'bzip2'
  | 'xz'
  | 'zstd'
  | '7z'
  | 'rar'
  | 'text'
  | 'binary'
  | 'empty';

/** Bytes to read before deciding: enough for the tar magic at 257 and a fair text sample. */
export const SNIFF_BYTES = 8192;

/** Compressed and archive formats siplens recognises but does not read. */
export const UNSUPPORTED_ARCHIVES: ReadonlySet<ContentKind> = new Set(['bzip2', 'xz', 'zstd', '7z', 'rar']);

function startsWith(head: Uint8Array, magic: readonly number[], at = 0): boolean {
  if (head.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (head[at + i] !== magic[i]) return false;
  return true;
}

/**
 * Tells archives, captures, text and other binaries apart from the head of a file. Magic numbers: zip local header or
 * end record `PK\3\4`/`PK\5\6` (APPNOTE 4.3.7, 4.3.16), gzip `1f 8b` (RFC 1952 §2.3.1), POSIX tar `ustar` at 257,
 * pcap `a1b2c3d4`/`a1b23c4d` in either byte order, pcapng Section Header Block `0a0d0d0a`.
 */
export function sniffContent(head: Uint8Array): ContentKind {
  if (head.length === 0) return 'empty';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (startsWith(head, [0x1f, 0x8b])) return 'gzip';
  if (startsWith(head, [0x0a, 0x0d, 0x0d, 0x0a])) return 'pcapng';
  for (const magic of [
    [0xa1, 0xb2, 0xc3, 0xd4],
    [0xd4, 0xc3, 0xb2, 0xa1],
    [0xa1, 0xb2, 0x3c, 0x4d],
    [0x4d, 0x3c, 0xb2, 0xa1],
  ]) {
    if (startsWith(head, magic)) return 'pcap';
  }
  if (startsWith(head, [0x75, 0x73, 0x74, 0x61, 0x72], 257)) return 'tar'; // "ustar"
  if (startsWith(head, [0x42, 0x5a, 0x68])) return 'bzip2';
  if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (startsWith(head, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  if (startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return '7z';
  if (startsWith(head, [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07])) return 'rar';
  if (looksLikeOldTar(head)) return 'tar';
  return looksLikeText(head) || startsWithSipMessage(head) ? 'text' : 'binary';
}

/**
 * A file that is one SIP message, saved raw, whose body is binary (RFC 4475 §3.1.1.11 mpart01: an
 * application/octet-stream part): its first line names SIP (a Request-Line ends with `SIP/x.y`, a Status-Line starts
 * with it, RFC 3261 §7.1/§7.2) and the next line is a header. Such a file is read as text, the body kept as bytes.
 */
function startsWithSipMessage(head: Uint8Array): boolean {
  const first = lineAt(head, 0);
  if (first === undefined) return false;
  const second = lineAt(head, first.next);
  if (second === undefined) return false;
  let end = first.end;
  if (head[end - 1] === 0x0d) end--;
  const line = Buffer.from(head.subarray(0, end)).toString('latin1');
  return namesSip(line) && isHeaderStart(head, first.next, second.end);
}

/** `SIP/` at the start (Status-Line), or ` SIP/digits.digits` at the end (Request-Line). */
function namesSip(line: string): boolean {
  if (line.startsWith('SIP/')) return true;
  const at = line.lastIndexOf(' SIP/');
  if (at < 0) return false;
  const version = line.slice(at + 5);
  const dot = version.indexOf('.');
  const digits = (t: string): boolean => t.length > 0 && [...t].every((c) => c >= '0' && c <= '9');
  return dot > 0 && digits(version.slice(0, dot)) && digits(version.slice(dot + 1));
}

/** A header line's start: visible characters other than ':' (a token, loosely), blanks, then ':'. */
function isHeaderStart(head: Uint8Array, from: number, to: number): boolean {
  let i = from;
  while (i < to && (head[i] as number) > 0x20 && (head[i] as number) < 0x7f && head[i] !== 0x3a) i++;
  if (i === from) return false;
  while (i < to && (head[i] === 0x20 || head[i] === 0x09)) i++;
  return head[i] === 0x3a;
}

/** The printable line that starts at `at` (up to LF, at most 2 KB), or undefined when a control byte comes first. */
function lineAt(head: Uint8Array, at: number): { end: number; next: number } | undefined {
  const stop = Math.min(head.length, at + 2048);
  for (let i = at; i < stop; i++) {
    const b = head[i] as number;
    if (b === 0x0a) return i === at ? undefined : { end: i, next: i + 1 };
    if (b < 0x20 && b !== 0x09 && b !== 0x0d) return undefined;
  }
  return undefined;
}

/**
 * Text as logs are: mostly printable, UTF-8 or Latin-1, with line ends. Control bytes other than tab, line ends,
 * form feed and escape (ANSI colours) are counted; more than 1 in 50 means binary.
 */
export function looksLikeText(head: Uint8Array): boolean {
  let control = 0;
  for (let i = 0; i < head.length; i++) {
    const b = head[i] as number;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) control++;
  }
  return control * 50 <= head.length;
}

/** A pre-POSIX (v7) tar has no magic; its header checksum at 148 is the test (octal, over the header with blanks there). */
function looksLikeOldTar(head: Uint8Array): boolean {
  if (head.length < 512 || head[0] === 0) return false;
  let stored = 0;
  let digits = 0;
  for (let i = 148; i < 156; i++) {
    const b = head[i] as number;
    if (b >= 0x30 && b <= 0x37) {
      stored = stored * 8 + (b - 0x30);
      digits++;
    } else if (b !== 0x20 && b !== 0) {
      return false;
    }
  }
  if (digits === 0) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (head[i] as number);
  return sum === stored;
}
