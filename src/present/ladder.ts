import { createColors } from 'picocolors';
import type { MessageView } from './message-view.js';
import { sanitizeForTerminal } from './text-table.js';
import { labelMessage, secondsOf } from './message-view.js';

/** One arrow of a ladder (sequence) diagram. */
export interface LadderStep {
  readonly index: number;
  readonly from: number;
  readonly to: number;
  /** `INVITE`, `486 Busy Here`. */
  readonly label: string;
  readonly kind: 'request' | 'response';
  readonly status: number | null;
  readonly timeLabel: string;
  /** Milliseconds since the first step, when the source has a clock. */
  readonly offsetMs: number | null;
}

/** A ladder diagram of one call or registration: who, and the arrows between them, in order. */
export interface Ladder {
  readonly title: string;
  readonly participants: readonly string[];
  readonly steps: readonly LadderStep[];
}

/** Builds the ladder of some messages; participants are the addresses in the order they first appear. */
export function buildLadder(title: string, messages: readonly MessageView[]): Ladder {
  const participants: string[] = [];
  const at = (name: string): number => {
    let i = participants.indexOf(name);
    if (i < 0) {
      participants.push(name);
      i = participants.length - 1;
    }
    return i;
  };
  const first = messages.map(secondsOf).find((s) => s !== null) ?? null;
  const steps = messages.map((m): LadderStep => {
    const s = secondsOf(m);
    return {
      index: m.index,
      from: at(m.src),
      to: at(m.dst),
      label: labelMessage(m),
      kind: m.kind,
      status: m.status,
      timeLabel: m.timeLabel,
      offsetMs: s !== null && first !== null ? Math.round((s - first) * 1000) : null,
    };
  });
  return { title, participants, steps };
}

export interface LadderTextOptions {
  /** Box-drawing characters and arrows; false gives plain ASCII. */
  readonly unicode: boolean;
  readonly color: boolean;
  /** Width of one participant's column (default 26). */
  readonly columnWidth?: number;
}

/** Colour of an arrow: requests cyan, 1xx dim, 2xx green, 3xx yellow, failures red. */
export function toneOf(kind: 'request' | 'response', status: number | null): 'request' | 'provisional' | 'success' | 'redirect' | 'failure' {
  if (kind === 'request') return 'request';
  if (status === null || status < 200) return 'provisional';
  if (status < 300) return 'success';
  if (status < 400) return 'redirect';
  return 'failure';
}

function clip(text: string, width: number): string {
  if (text.length <= width) return text;
  return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
}

function center(text: string, width: number): string {
  const t = clip(text, width);
  const left = Math.floor((width - t.length) / 2);
  return ' '.repeat(left) + t + ' '.repeat(width - t.length - left);
}

/** Draws a ladder for a terminal: a lifeline per participant, one labelled arrow per message. */
export function formatLadderText(input: Ladder, options: LadderTextOptions): string {
  // Reason phrases, addresses and titles come from the input: no control character may reach the terminal.
  const clean = (t: string): string => sanitizeForTerminal(t).replaceAll('\n', ' ').replaceAll('\t', ' ');
  const ladder: Ladder = {
    title: clean(input.title),
    participants: input.participants.map(clean),
    steps: input.steps.map((st) => ({ ...st, label: clean(st.label), timeLabel: clean(st.timeLabel) })),
  };
  const c = createColors(options.color);
  const u = options.unicode;
  const ch = {
    line: u ? '│' : '|',
    dash: u ? '─' : '-',
    right: u ? '▶' : '>',
    left: u ? '◀' : '<',
    self: u ? '↺' : '@',
    ellipsis: u ? '…' : '.',
  };
  // Wide enough for the longest label between two lifelines (a reason phrase can be long), within reason.
  const longest = Math.max(0, ...ladder.steps.map((st) => st.label.length));
  const col = Math.max(12, options.columnWidth ?? Math.min(44, Math.max(26, longest + 6)));
  const timeWidth = Math.max(8, ...ladder.steps.map((s) => s.timeLabel.length)) + 2;
  const n = Math.max(1, ladder.participants.length);
  const mid = (i: number): number => timeWidth + i * col + Math.floor(col / 2);
  const width = timeWidth + n * col;
  const lifelines = (): string[] => {
    const row = Array.from({ length: width }, () => ' ');
    for (let i = 0; i < n; i++) row[mid(i)] = ch.line;
    return row;
  };
  const fix = (s: string): string => (u ? s : s.replaceAll('…', ch.ellipsis));
  const out: string[] = [];
  out.push(c.bold(fix(clip(ladder.title, width))));
  out.push(' '.repeat(timeWidth) + ladder.participants.map((p) => c.bold(fix(center(p, col)))).join(''));
  for (const step of ladder.steps) {
    const paint = (s: string): string => {
      switch (toneOf(step.kind, step.status)) {
        case 'request':
          return c.cyan(s);
        case 'provisional':
          return c.dim(s);
        case 'success':
          return c.green(s);
        case 'redirect':
          return c.yellow(s);
        case 'failure':
          return c.red(s);
      }
    };
    const labelRow = lifelines();
    const arrowRow = lifelines();
    const a = mid(step.from);
    const b = mid(step.to);
    let label: string;
    let labelAt: number;
    if (a === b) {
      label = `${ch.self} ${step.label}`;
      labelAt = a + 2;
      label = clip(label, Math.max(4, width - labelAt));
    } else {
      const lo = Math.min(a, b);
      const hi = Math.max(a, b);
      for (let x = lo + 1; x < hi; x++) arrowRow[x] = ch.dash;
      if (b > a) arrowRow[hi - 1] = ch.right;
      else arrowRow[lo + 1] = ch.left;
      const span = hi - lo - 3;
      label = clip(step.label, Math.max(3, span));
      labelAt = lo + 2 + Math.max(0, Math.floor((span - label.length) / 2));
    }
    label = fix(label);
    for (let k = 0; k < label.length && labelAt + k < width; k++) labelRow[labelAt + k] = label[k] ?? ' ';
    const time = step.timeLabel.padEnd(timeWidth);
    const arrow = arrowRow.slice(timeWidth).join('');
    const labels = labelRow.slice(timeWidth).join('');
    out.push((' '.repeat(timeWidth) + paint(labels)).trimEnd());
    out.push(c.dim(time) + paint(arrow.trimEnd()) + c.dim(`  #${step.index}`));
  }
  return `${out.join('\n')}\n`;
}
