/** Display width of a string: code points, not UTF-16 units (wide CJK is rare in SIP and counted as one). */
export function widthOf(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - widthOf(text)));
}

function clipTo(text: string, width: number): string {
  if (widthOf(text) <= width) return text;
  return `${[...text].slice(0, Math.max(0, width - 1)).join('')}…`;
}

/** Makes control characters visible, so a hostile value cannot move the cursor or rewrite the terminal. */
export function sanitizeForTerminal(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c === 0x0a || c === 0x09) out += ch;
    else if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0)) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

export interface TableOptions {
  /** Box-drawing borders (a terminal); false gives aligned plain columns. */
  readonly boxed: boolean;
  readonly maxCellWidth?: number;
  /** Styles the header cells (bold on a terminal). */
  readonly header?: (s: string) => string;
  /** Styles a body cell after padding: (text, row, column). */
  readonly cell?: (s: string, row: number, col: number) => string;
}

/** Lays out a table of strings. Cells are sanitised and clipped; styling is applied after padding so widths hold. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], options: TableOptions): string {
  const max = options.maxCellWidth ?? 48;
  const clean = (s: string): string => clipTo(sanitizeForTerminal(s).replaceAll('\n', ' '), max);
  const head = headers.map(clean);
  const body = rows.map((r) => headers.map((_, i) => clean(r[i] ?? '')));
  const widths = head.map((h, i) => Math.max(widthOf(h), ...body.map((r) => widthOf(r[i] ?? ''))));
  const styleHead = options.header ?? ((s: string) => s);
  const styleCell = options.cell ?? ((s: string) => s);
  const lines: string[] = [];
  if (options.boxed) {
    const rule = (l: string, m: string, r: string): string => l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r;
    lines.push(rule('┌', '┬', '┐'));
    lines.push(`│${head.map((h, i) => ` ${styleHead(pad(h, widths[i] ?? 0))} `).join('│')}│`);
    lines.push(rule('├', '┼', '┤'));
    body.forEach((r, ri) => lines.push(`│${r.map((v, i) => ` ${styleCell(pad(v, widths[i] ?? 0), ri, i)} `).join('│')}│`));
    lines.push(rule('└', '┴', '┘'));
  } else {
    lines.push(head.map((h, i) => pad(h, widths[i] ?? 0)).join('  ').trimEnd());
    lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
    body.forEach((r) => lines.push(r.map((v, i) => pad(v, widths[i] ?? 0)).join('  ').trimEnd()));
  }
  return `${lines.join('\n')}\n`;
}

/** Wraps text at word boundaries to `width` columns, each line prefixed by `indent`. */
export function wrapText(text: string, width: number, indent = ''): string {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      if (line.length > 0 && widthOf(line) + 1 + widthOf(word) > width - indent.length) {
        out.push(indent + line);
        line = word;
      } else {
        line = line.length > 0 ? `${line} ${word}` : word;
      }
    }
    out.push(indent + line);
  }
  return out.join('\n');
}
