import type { Issue } from '../model/issue.js';
import type { BodyPart } from '../model/sdp.js';
import { decodeText, decodeValue } from './decode.js';

/**
 * Splits a multipart body (RFC 2046 §5.1.1) at `--boundary` lines. The line break before a delimiter belongs to the
 * delimiter, not to the part. LF-only line ends are accepted. Spans in issues are offset by `offset`.
 */
export function splitMultipart(body: Uint8Array, boundary: string, issues: Issue[], offset = 0): BodyPart[] {
  const delim = new Uint8Array(boundary.length + 2);
  delim[0] = 0x2d;
  delim[1] = 0x2d;
  for (let k = 0; k < boundary.length; k++) delim[k + 2] = boundary.charCodeAt(k) & 0xff;
  // Positions of delimiter lines: at the start of the body or right after an LF.
  const starts: number[] = [];
  let closed = false;
  let i = 0;
  while (i < body.length) {
    if (matchAt(body, i, delim)) {
      const after = i + delim.length;
      const isClose = body[after] === 0x2d && body[after + 1] === 0x2d;
      starts.push(i);
      if (isClose) {
        closed = true;
        break;
      }
    }
    const lf = body.indexOf(0x0a, i);
    if (lf < 0) break;
    i = lf + 1;
  }
  if (starts.length === 0) {
    issues.push({
      code: 'bad-multipart',
      severity: 'warning',
      message: `expected a "--${boundary}" delimiter line in the multipart body (RFC 2046 §5.1.1), found none`,
      span: { start: offset, end: offset + body.length },
    });
    return [];
  }
  if (!closed) {
    issues.push({
      code: 'bad-multipart',
      severity: 'warning',
      message: `expected a closing "--${boundary}--" line, found the end of the body`,
      span: { start: offset + body.length, end: offset + body.length },
    });
    starts.push(body.length);
  }
  const parts: BodyPart[] = [];
  for (let k = 0; k + 1 < starts.length; k++) {
    const lineEnd = body.indexOf(0x0a, starts[k]!);
    if (lineEnd < 0) break;
    const partStart = lineEnd + 1;
    // The CRLF (or LF) before the next delimiter is part of that delimiter.
    let partEnd = starts[k + 1]!;
    if (partEnd < body.length || closed) {
      if (partEnd > partStart && body[partEnd - 1] === 0x0a) partEnd--;
      if (partEnd > partStart && body[partEnd - 1] === 0x0d) partEnd--;
    }
    if (partEnd < partStart) partEnd = partStart;
    parts.push(readPart(body.subarray(partStart, partEnd)));
  }
  return parts;
}

function matchAt(b: Uint8Array, i: number, pat: Uint8Array): boolean {
  if (i + pat.length > b.length) return false;
  for (let k = 0; k < pat.length; k++) if (b[i + k] !== pat[k]) return false;
  return true;
}

function readPart(part: Uint8Array): BodyPart {
  const headers: { name: string; value: string }[] = [];
  let pos = 0;
  let contentType: string | undefined;
  while (pos < part.length) {
    let lf = part.indexOf(0x0a, pos);
    if (lf < 0) lf = part.length;
    const e = lf > pos && part[lf - 1] === 0x0d ? lf - 1 : lf;
    if (e === pos) {
      pos = lf + 1;
      return finish(part.subarray(Math.min(pos, part.length)));
    }
    // Continuation lines (RFC 5322 §2.2.3).
    while (lf + 1 < part.length && (part[lf + 1] === 0x20 || part[lf + 1] === 0x09)) {
      const n = part.indexOf(0x0a, lf + 1);
      lf = n < 0 ? part.length : n;
    }
    const colon = part.indexOf(0x3a, pos);
    if (colon > pos && colon < lf) {
      const name = decodeText(part, pos, colon).trim();
      const value = decodeValue(part, colon + 1, lf);
      headers.push({ name, value });
      if (name.toLowerCase() === 'content-type') contentType = value;
    }
    pos = lf + 1;
  }
  // No empty line: a part with no headers section at all is read as headers only.
  return finish(new Uint8Array(0));

  function finish(body: Uint8Array): BodyPart {
    return { ...(contentType !== undefined && { contentType }), headers, body };
  }
}
