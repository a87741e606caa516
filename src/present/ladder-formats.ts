import { escapeHtml } from './escape-html.js';
import type { Ladder } from './ladder.js';
import { toneOf } from './ladder.js';

/** Mermaid text must not carry `;`, `#`, line breaks or quotes unescaped: they end statements or entity codes. */
function mermaidText(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '#' || ch === ';' || ch === '"' || ch === '<' || ch === '>' || ch === '%' || ch === '&') out += `#${code};`;
    else if (code < 0x20 || code === 0x7f) out += ' ';
    else out += ch;
  }
  return out;
}

/** The ladder as a Mermaid sequence diagram, for Markdown tickets and docs. */
export function formatLadderMermaid(ladder: Ladder): string {
  const lines = ['sequenceDiagram'];
  ladder.participants.forEach((p, i) => lines.push(`  participant P${i} as ${mermaidText(p)}`));
  for (const s of ladder.steps) {
    const arrow = s.kind === 'request' ? '->>' : '-->>';
    const time = s.timeLabel ? ` (${s.timeLabel})` : '';
    lines.push(`  P${s.from}${arrow}P${s.to}: ${mermaidText(s.label + time)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** PlantUML strings end at a double quote or a line break; drop them. */
function plantText(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    out += ch === '"' || code < 0x20 || code === 0x7f ? ' ' : ch;
  }
  return out;
}

/** The ladder as PlantUML. */
export function formatLadderPlantUml(ladder: Ladder): string {
  const lines = ['@startuml', `title ${plantText(ladder.title)}`];
  ladder.participants.forEach((p, i) => lines.push(`participant "${plantText(p)}" as P${i}`));
  for (const s of ladder.steps) {
    const arrow = s.kind === 'request' ? '->' : '-->';
    const time = s.timeLabel ? ` (${s.timeLabel})` : '';
    lines.push(`P${s.from} ${arrow} P${s.to} : ${plantText(s.label + time)}`);
  }
  lines.push('@enduml');
  return `${lines.join('\n')}\n`;
}

const TONE_COLOR = {
  request: '#1f6feb',
  provisional: '#6e7781',
  success: '#1a7f37',
  redirect: '#9a6700',
  failure: '#cf222e',
} as const;

export interface LadderSvgOptions {
  /** Id prefix, unique within one page holding several diagrams. */
  readonly idPrefix?: string;
  /** Index of a message to link each arrow to (`#m12`) inside an HTML report. */
  readonly linkMessages?: boolean;
}

/** The ladder as a standalone SVG (no external references); every text is escaped. */
export function formatLadderSvg(ladder: Ladder, options: LadderSvgOptions = {}): string {
  const id = (options.idPrefix ?? 'l').replace(/[^\w-]/g, '');
  // A column fits its longest label (about 7.2 px a character at 12 px monospace), within 200..380 px.
  const longest = Math.min(48, Math.max(0, ...ladder.steps.map((st) => st.label.length)));
  const col = Math.max(200, Math.min(380, Math.round(longest * 7.2 + 40)));
  const timeW = 110;
  const top = 56;
  const row = 34;
  const n = Math.max(1, ladder.participants.length);
  const width = timeW + n * col + 20;
  const height = top + ladder.steps.length * row + 24;
  const x = (i: number): number => timeW + i * col + col / 2;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="ladder" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(ladder.title)}" font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" font-size="12">`,
  );
  parts.push('<defs>');
  for (const [tone, color] of Object.entries(TONE_COLOR)) {
    parts.push(
      `<marker id="${id}-${tone}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`,
    );
  }
  parts.push('</defs>');
  ladder.participants.forEach((p, i) => {
    const cx = x(i);
    const label = p.length > 28 ? `${p.slice(0, 27)}…` : p;
    parts.push(`<rect x="${cx - col / 2 + 8}" y="8" width="${col - 16}" height="26" rx="4" fill="#f6f8fa" stroke="#8c959f"/>`);
    parts.push(`<text x="${cx}" y="25" text-anchor="middle" font-weight="bold">${escapeHtml(label)}</text>`);
    parts.push(`<line x1="${cx}" y1="34" x2="${cx}" y2="${height - 10}" stroke="#8c959f" stroke-dasharray="4 3"/>`);
  });
  ladder.steps.forEach((s, k) => {
    const y = top + k * row + 18;
    const tone = toneOf(s.kind, s.status);
    const color = TONE_COLOR[tone];
    const a = x(s.from);
    const b = x(s.to);
    const label = s.label.length > 48 ? `${s.label.slice(0, 47)}…` : s.label;
    const open = options.linkMessages === true ? `<a href="#m${s.index}">` : '';
    const close = options.linkMessages === true ? '</a>' : '';
    parts.push(`<g class="step" data-index="${s.index}">${open}`);
    parts.push(`<text x="6" y="${y + 4}" fill="#57606a">${escapeHtml(s.timeLabel)}</text>`);
    if (a === b) {
      parts.push(`<path d="M${a},${y - 6} h30 v12 h-30" fill="none" stroke="${color}" stroke-width="1.5" marker-end="url(#${id}-${tone})"/>`);
      parts.push(`<text x="${a + 36}" y="${y + 4}" fill="${color}">${escapeHtml(label)}</text>`);
    } else {
      const dash = s.kind === 'response' ? ' stroke-dasharray="6 3"' : '';
      parts.push(`<line x1="${a}" y1="${y}" x2="${b}" y2="${y}" stroke="${color}" stroke-width="1.5"${dash} marker-end="url(#${id}-${tone})"/>`);
      parts.push(`<text x="${(a + b) / 2}" y="${y - 5}" text-anchor="middle" fill="${color}">${escapeHtml(label)}</text>`);
    }
    parts.push(`<title>${escapeHtml(`#${s.index} ${s.label} ${s.timeLabel}`)}</title>${close}</g>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Ladders as one self-contained HTML page (no script, no external URL), for `siplens flow --format html`. */
export function formatLadderHtml(ladders: readonly Ladder[], title = 'siplens flow'): string {
  const body = ladders
    .map((l, i) => `<section><h2>${escapeHtml(l.title)}</h2><div class="wrap">${formatLadderSvg(l, { idPrefix: `f${i}` })}</div></section>`)
    .join('\n');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">`,
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font:14px system-ui,sans-serif;margin:20px;color:#1f2328}h2{font-size:15px}.wrap{overflow-x:auto}</style>',
    '</head><body>',
    `<h1>${escapeHtml(title)}</h1>`,
    body,
    '</body></html>',
    '',
  ].join('\n');
}
