import type { Issue, MessageMeta } from '../../../model/index.js';
import { MessageAssembler } from '../assembler.js';
import type { LineReader, ReaderSink } from '../dialect.js';
import type { LogLine } from '../line-splitter.js';
import { isSipStartLine, toHostPort, toTransport } from '../text.js';
import { readDateTime } from '../time.js';
import type { Writable } from './common.js';
import { sampleLines } from './common.js';

/**
 * The columns of OpenSIPS's `sip_trace` table in the order its create script gives them (scripts/mysql/
 * siptrace-create.sql, table version 5), which is the order of `SELECT *` and of INSERT rows without a column list.
 */
const SCHEMA = [
  'id',
  'time_stamp',
  'callid',
  'trace_attrs',
  'msg',
  'method',
  'status',
  'from_proto',
  'from_ip',
  'from_port',
  'to_proto',
  'to_ip',
  'to_port',
  'fromtag',
  'direction',
] as const;

/** Statements longer than this (a multi-line INSERT or CSV record that never closes) are dropped with an issue. */
const MAX_RECORD_CHARS = 16 << 20;

function isColumnName(s: string): boolean {
  if (s.length === 0 || s.length > 64) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f)) return false;
  }
  return true;
}

/** A header naming the columns a message needs: `msg` and at least one address column. */
function isTraceHeader(names: readonly string[]): boolean {
  const lower = names.map((n) => n.toLowerCase());
  return lower.every(isColumnName) && lower.includes('msg') && (lower.includes('from_ip') || lower.includes('to_ip'));
}

function splitCsvHeader(line: string): string[] {
  return line.split(',').map((s) => {
    const t = s.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
  });
}

/** A data row of `mysql -B`/`-N` or `COPY … TO STDOUT` in schema order: id, a datetime, … direction last. */
function isSchemaTsvRow(line: string): boolean {
  const f = line.split('\t');
  if (f.length !== SCHEMA.length) return false;
  const d = f[f.length - 1];
  return /^\d+$/.test(f[0]!) && readDateTime(f[1]!, 0) !== undefined && (d === 'in' || d === 'out');
}

interface InsertHead {
  readonly table: string;
  readonly columns: string[] | undefined;
  /** Where the first row's `(` is expected. */
  readonly end: number;
}

/** `INSERT [IGNORE] INTO [db.]table [(col, …)] VALUES `, names bare or in backquotes or double quotes. */
function readInsertHead(text: string): InsertHead | undefined {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const word = (w: string): boolean => {
    if (text.slice(i, i + w.length).toLowerCase() !== w || /\w/.test(text[i + w.length] ?? '')) return false;
    i += w.length;
    ws();
    return true;
  };
  const name = (): string | undefined => {
    const q = text[i] === '`' || text[i] === '"' ? text[i]! : undefined;
    if (q !== undefined) i++;
    const start = i;
    while (i < text.length && /\w/.test(text[i]!)) i++;
    const n = text.slice(start, i);
    if (q !== undefined) {
      if (text[i] !== q) return undefined;
      i++;
    }
    return n.length > 0 ? n : undefined;
  };
  if (!word('insert')) return undefined;
  word('ignore');
  if (!word('into')) return undefined;
  let table = name();
  if (table === undefined) return undefined;
  if (text[i] === '.') {
    i++;
    table = name();
    if (table === undefined) return undefined;
  }
  ws();
  let columns: string[] | undefined;
  if (text[i] === '(') {
    const close = text.indexOf(')', i);
    if (close < 0) return undefined;
    columns = text
      .slice(i + 1, close)
      .split(',')
      .map((c) => c.trim().replace(/^[`"]|[`"]$/g, '').toLowerCase());
    i = close + 1;
    ws();
  }
  if (!word('values')) return undefined;
  return { table, columns, end: i };
}

/**
 * Confidence that a sample is a dump of OpenSIPS's `sip_trace` table: a TSV or CSV header naming its columns, rows of
 * `mysql -B -N` in schema order, or INSERT statements into a table of that name or with its columns.
 */
export function detectSipTraceTable(sample: string): number {
  let score = 0;
  for (const line of sampleLines(sample)) {
    if (line.includes('\t') ? isTraceHeader(line.split('\t')) : line.includes(',') && isTraceHeader(splitCsvHeader(line))) return 0.95;
    const ins = readInsertHead(line);
    if (ins !== undefined && (ins.table.toLowerCase().includes('sip_trace') || (ins.columns !== undefined && isTraceHeader(ins.columns)))) return 0.95;
    if (line.includes('\t') && isSchemaTsvRow(line)) score++;
    if (score >= 2) return 0.9;
  }
  return score > 0 ? 0.85 : 0;
}

type Field = string | null;

interface Row {
  readonly fields: readonly Field[];
  readonly columns: readonly string[];
  readonly line: number;
  readonly offset: number;
  readonly issues: Issue[];
}

/**
 * Reads a dump of OpenSIPS's `sip_trace` table (the tracer module's database destination), one message a row, in the
 * shapes such dumps are handed over in:
 *
 * - TSV as `mysql -B -e 'SELECT * FROM sip_trace'` prints it (a header line of column names, or none with `-N`; NUL,
 *   tab, newline and backslash escaped as `\0 \t \n \\`, NULL as `NULL`), and PostgreSQL's `COPY … TO STDOUT` text
 *   format (`\r`, `\N` for NULL);
 * - CSV with a header line (MySQL Workbench, DBeaver, phpMyAdmin, `psql \copy … CSV HEADER`): RFC 4180 quoting, the
 *   message's line ends inside its quoted field;
 * - SQL INSERT statements as `mysqldump` writes them (one or many rows per statement, MySQL backslash escapes) or
 *   `pg_dump --inserts` (standard strings, line ends kept), with or without a column list (`CREATE TABLE` read for
 *   the order when present, else the schema's).
 *
 * Each row gives the message (`msg`), its time (`time_stamp`, the server's local time, read like every zone-less
 * stamp), both addresses (`from_ip:from_port`, `to_ip:to_port`), the transport (`from_proto`) and the direction
 * (`in`/`out`, seen from OpenSIPS). Rows that cannot be read give an issue with their line and are skipped.
 */
export class SipTraceTableReader implements LineReader {
  readonly #sink: ReaderSink;
  #columns: readonly string[] = SCHEMA;
  #mode: 'tsv' | 'csv' | undefined;
  /** Backslash escapes in SQL strings (MySQL); off after `standard_conforming_strings = on` (PostgreSQL). */
  #sqlBackslash = true;
  #createColumns: string[] | undefined;
  #held: { text: string; kind: 'csv' | 'sql'; line: number; offset: number } | undefined;
  #lastBadLine = -10;

  constructor(sink: ReaderSink) {
    this.#sink = sink;
  }

  line(l: LogLine): void {
    const held = this.#held;
    if (held !== undefined) {
      held.text += '\n' + l.text;
      if (held.text.length > MAX_RECORD_CHARS) {
        this.#held = undefined;
        this.#bad(held.line, held.offset, `expected the ${held.kind === 'csv' ? 'CSV record' : 'INSERT statement'} starting at line ${held.line} to end within ${MAX_RECORD_CHARS} characters, found no end; skipped`);
        return;
      }
      if (held.kind === 'csv') this.#csv(held.text, held.line, held.offset);
      else this.#insert(held.text, held.line, held.offset);
      return;
    }
    const t = l.text;
    if (t.trim().length === 0) return;
    if (this.#createColumns !== undefined) {
      const m = /^\s*[`"]?(\w+)[`"]?\s+\w/.exec(t);
      if (t.trimStart().startsWith(')')) {
        if (this.#createColumns.includes('msg')) this.#columns = this.#createColumns;
        this.#createColumns = undefined;
      } else if (m !== null && !/^\s*(?:primary|unique|key|index|constraint|foreign|check)\b/i.test(t)) {
        this.#createColumns.push(m[1]!.toLowerCase());
      }
      return;
    }
    if (/^create\s+table\s/i.test(t)) {
      this.#createColumns = [];
      return;
    }
    const squeezed = t.length < 200 ? t.replaceAll(' ', '').replaceAll("'", '').toLowerCase() : '';
    if (squeezed.includes('standard_conforming_strings=on')) this.#sqlBackslash = false;
    if (/^insert\s/i.test(t)) {
      this.#insert(t, l.line, l.offset);
      return;
    }
    // SQL comments and statements around the rows; `\.` ends a COPY block in a pg_dump.
    if (t.startsWith('--') || t.startsWith('/*') || t === '\\.' || /^(?:set|lock|unlock|drop|alter|select|begin|commit|copy)\b/i.test(t)) return;
    if (this.#mode !== 'csv' && t.includes('\t')) {
      const names = t.split('\t');
      if (isTraceHeader(names)) {
        this.#mode = 'tsv';
        this.#columns = names.map((n) => n.toLowerCase());
        return;
      }
      this.#tsv(t, l.line, l.offset);
      return;
    }
    if (this.#mode !== 'tsv' && t.includes(',')) {
      const names = splitCsvHeader(t);
      if (isTraceHeader(names)) {
        this.#mode = 'csv';
        this.#columns = names.map((n) => n.toLowerCase());
        return;
      }
      if (this.#mode === 'csv') {
        this.#csv(t, l.line, l.offset);
        return;
      }
    }
    this.#bad(l.line, l.offset, `expected a row of the sip_trace table, found "${t.slice(0, 60)}"; skipped`);
  }

  end(): void {
    const held = this.#held;
    if (held === undefined) return;
    this.#held = undefined;
    this.#sink.issue({
      code: 'truncated-message',
      severity: 'error',
      message: `expected the ${held.kind === 'csv' ? 'CSV record' : 'INSERT statement'} starting at line ${held.line} to end, found the end of the file; skipped`,
      origin: { path: this.#sink.path, line: held.line, offset: held.offset },
    });
    this.#sink.skip();
  }

  /** A row that cannot be read: one issue for a run of such lines (a broken row spreads over several), each skipped. */
  #bad(line: number, offset: number, message: string): void {
    this.#sink.skip();
    const run = line - this.#lastBadLine <= 1;
    this.#lastBadLine = line;
    if (run) return;
    this.#sink.issue({ code: 'row-unreadable', severity: 'warning', message, origin: { path: this.#sink.path, line, offset } });
  }

  #tsv(text: string, line: number, offset: number): void {
    const raw = text.split('\t');
    if (raw.length !== this.#columns.length) {
      this.#bad(line, offset, `expected ${this.#columns.length} tab-separated fields in a sip_trace row at line ${line}, found ${raw.length} (a line end or tab not escaped?); skipped`);
      return;
    }
    const issues: Issue[] = [];
    const fields = raw.map((f, i) => this.#unescapeTsv(f, this.#columns[i]!, line, offset, issues));
    this.#emit({ fields, columns: this.#columns, line, offset, issues });
  }

  #unescapeTsv(f: string, column: string, line: number, offset: number, issues: Issue[]): Field {
    if (f === 'NULL' || f === '\\N') return null;
    if (!f.includes('\\')) return f;
    let out = '';
    for (let i = 0; i < f.length; i++) {
      const c = f[i]!;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const n = f[i + 1];
      const v = n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n === '0' ? '\0' : n === '\\' ? '\\' : n === 'b' ? '\b' : n === 'f' ? '\f' : n === 'v' ? '\v' : undefined;
      if (v === undefined) {
        issues.push({
          code: 'bad-escape',
          severity: 'warning',
          message: `expected \\n, \\t, \\r, \\0 or \\\\ after a backslash in the ${column} field at line ${line}, found ${n === undefined ? 'the end of the field' : `"\\${n}"`}; the backslash kept`,
          origin: { path: this.#sink.path, line, offset },
        });
        out += c;
        continue;
      }
      out += v;
      i++;
    }
    return out;
  }

  /** Parses CSV records from `text` (one or more lines); holds it when a quoted field is still open. */
  #csv(text: string, line: number, offset: number): void {
    const fields: string[] = [];
    let i = 0;
    let issue: string | undefined;
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) {
            this.#held = { text, kind: 'csv', line, offset };
            return;
          }
          value += text.slice(i, q);
          if (text[q + 1] === '"') {
            value += '"';
            i = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        if (i < text.length && text[i] !== ',') {
          issue ??= `expected "," after a quoted field in the CSV record at line ${line}, found "${text.slice(i, i + 10)}"`;
          const comma = text.indexOf(',', i);
          i = comma < 0 ? text.length : comma;
        }
      } else {
        const comma = text.indexOf(',', i);
        const end = comma < 0 ? text.length : comma;
        value = text.slice(i, end);
        i = end;
      }
      fields.push(value);
      if (i >= text.length) break;
      i++;
    }
    this.#held = undefined;
    if (issue !== undefined || fields.length !== this.#columns.length) {
      this.#bad(line, offset, `${issue ?? `expected ${this.#columns.length} fields in the CSV record at line ${line}, found ${fields.length}`}; skipped`);
      return;
    }
    this.#emit({ fields: fields.map((f) => (f === 'NULL' || f === '\\N' ? null : f)), columns: this.#columns, line, offset, issues: [] });
  }

  /** Reads the rows of an INSERT statement; holds it while a string or the statement is still open. */
  #insert(text: string, line: number, offset: number): void {
    const m = readInsertHead(text);
    if (m === undefined) {
      if (text.length < 4096 && !/\bvalues\b/i.test(text)) {
        this.#held = { text, kind: 'sql', line, offset };
        return;
      }
      this.#held = undefined;
      this.#bad(line, offset, `expected INSERT INTO <table> [(columns)] VALUES (…) at line ${line}, found "${text.slice(0, 60)}"; skipped`);
      return;
    }
    const columns = m.columns ?? this.#columns;
    const rows: Field[][] = [];
    const issues: Issue[][] = [];
    let i = m.end;
    const n = text.length;
    const ws = (): void => {
      while (i < n && (text[i] === ' ' || text[i] === '\n' || text[i] === '\t' || text[i] === '\r')) i++;
    };
    for (;;) {
      ws();
      if (i >= n) {
        this.#held = { text, kind: 'sql', line, offset };
        return;
      }
      if (text[i] !== '(') break;
      i++;
      const row: Field[] = [];
      const rowIssues: Issue[] = [];
      for (;;) {
        ws();
        if (i >= n) {
          this.#held = { text, kind: 'sql', line, offset };
          return;
        }
        if (text.startsWith('_binary ', i) || text.startsWith('_utf8mb4', i) || text.startsWith('_latin1', i)) {
          i = text.indexOf("'", i);
          if (i < 0) i = n;
        }
        if (text[i] === "'" || (text[i] === 'E' && text[i + 1] === "'")) {
          const backslash = this.#sqlBackslash || text[i] === 'E';
          if (text[i] === 'E') i++;
          i++;
          let v = '';
          let closed = false;
          while (i < n) {
            const c = text[i]!;
            if (c === "'") {
              if (text[i + 1] === "'") {
                v += "'";
                i += 2;
                continue;
              }
              i++;
              closed = true;
              break;
            }
            if (c === '\\' && backslash) {
              const e = text[i + 1];
              if (e === undefined) break;
              const map: Record<string, string> = { n: '\n', r: '\r', t: '\t', '0': '\0', b: '\b', Z: '\x1a', '\\': '\\', "'": "'", '"': '"', '%': '\\%', _: '\\_' };
              const out = map[e];
              if (out === undefined) {
                rowIssues.push({
                  code: 'bad-escape',
                  severity: 'warning',
                  message: `expected a MySQL escape (\\n \\r \\t \\0 \\' \\\\ …) in the INSERT at line ${line}, found "\\${e}"; read as "${e}"`,
                  origin: { path: this.#sink.path, line, offset },
                });
              }
              v += out ?? e;
              i += 2;
              continue;
            }
            v += c;
            i++;
          }
          if (!closed) {
            this.#held = { text, kind: 'sql', line, offset };
            return;
          }
          row.push(v);
        } else {
          let e = i;
          while (e < n && text[e] !== ',' && text[e] !== ')') e++;
          const word = text.slice(i, e).trim();
          if (e >= n) {
            this.#held = { text, kind: 'sql', line, offset };
            return;
          }
          row.push(word.toUpperCase() === 'NULL' ? null : /^0x[0-9a-f]*$/i.test(word) ? Buffer.from(word.slice(2), 'hex').toString('latin1') : word);
          i = e;
        }
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ')') {
          i++;
          break;
        }
        this.#held = undefined;
        this.#bad(line, offset, `expected "," or ")" between values in the INSERT at line ${line}, found "${text.slice(i, i + 20)}"; the statement skipped from there`);
        this.#emitRows(rows, issues, columns, line, offset);
        return;
      }
      rows.push(row);
      issues.push(rowIssues);
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    this.#held = undefined;
    this.#emitRows(rows, issues, columns, line, offset);
  }

  #emitRows(rows: readonly Field[][], issues: readonly Issue[][], columns: readonly string[], line: number, offset: number): void {
    for (let r = 0; r < rows.length; r++) {
      const fields = rows[r]!;
      if (fields.length !== columns.length) {
        this.#sink.skip();
        this.#sink.issue({
          code: 'row-unreadable',
          severity: 'warning',
          message: `expected ${columns.length} values in row ${r + 1} of the INSERT at line ${line}, found ${fields.length}; skipped`,
          origin: { path: this.#sink.path, line, offset },
        });
        continue;
      }
      this.#emit({ fields, columns, line, offset, issues: issues[r] ?? [] });
    }
  }

  #emit(row: Row): void {
    const get = (name: string): string | undefined => {
      const i = row.columns.indexOf(name);
      const v = i < 0 ? undefined : row.fields[i];
      return v === null ? undefined : v;
    };
    const origin = { path: this.#sink.path, line: row.line, offset: row.offset };
    const msg = get('msg');
    const lines = msg === undefined ? [] : msg.split('\n').map((s) => (s.endsWith('\r') ? s.slice(0, -1) : s));
    if (lines.length === 0 || !isSipStartLine(lines[0]!)) {
      this.#sink.skip();
      this.#sink.issue({
        code: 'message-missing',
        severity: 'warning',
        message: `expected a SIP message in the msg field of the sip_trace row at line ${row.line}, found ${msg === undefined ? 'none' : `"${msg.slice(0, 40)}"`}; skipped`,
        origin,
      });
      return;
    }
    const asm = new MessageAssembler(lines[0]!, { maxMessageBytes: this.#sink.maxMessageBytes });
    for (let i = 1; i < lines.length; i++) if (asm.add(lines[i]!) !== 'more') break;
    const transport = toTransport(get('from_proto') ?? get('to_proto') ?? '');
    const { bytes, issues } = asm.finish(transport !== undefined && transport !== 'UDP');
    const meta: Writable<MessageMeta> = { time: null, origin, format: this.#sink.format };
    const stamp = get('time_stamp');
    if (stamp !== undefined) {
      const t = readDateTime(stamp, 0);
      if (t !== undefined) meta.time = t.value.time;
      else meta.timeText = stamp;
    }
    const fromIp = get('from_ip');
    const toIp = get('to_ip');
    if (fromIp !== undefined && fromIp !== '') meta.src = toHostPort(fromIp, get('from_port'));
    if (toIp !== undefined && toIp !== '') meta.dst = toHostPort(toIp, get('to_port'));
    if (transport !== undefined) meta.transport = transport;
    const direction = get('direction');
    if (direction === 'in' || direction === 'out') meta.direction = direction;
    this.#sink.message({ bytes, meta, issues: [...row.issues, ...issues.map((i) => (i.origin === undefined ? { ...i, origin } : i))] });
  }
}
