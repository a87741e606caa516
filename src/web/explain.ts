// The page's code explainer: the same catalog answers as `siplens explain`, as plain data for the page to draw.
import { CatalogError, describeQ850, describeStatus, describeWarning, searchCatalog } from '../index.js';

/** What a query asks for; `siplens serve` passes the CLI's own reading of it (`parseExplainQuery`). */
export type ExplainQuery =
  | { readonly kind: 'status'; readonly code: number }
  | { readonly kind: 'warning'; readonly code: number }
  | { readonly kind: 'q850'; readonly cause: number }
  | { readonly kind: 'words'; readonly text: string }
  | { readonly kind: 'invalid'; readonly message: string };

export interface ExplainItem {
  readonly kind: 'status' | 'warning' | 'q850';
  readonly code: number;
  readonly title: string;
  readonly summary: string;
  /** The meaning for the method asked about. */
  readonly meaning: string | null;
  readonly causes: readonly string[];
  readonly checks: readonly string[];
  readonly willNotHelp: readonly string[];
  readonly notes: readonly string[];
  /** Where the fact comes from: `RFC 3261 §21.4.23`. */
  readonly source: string;
}

export interface ExplainAnswer {
  readonly query: string;
  readonly items: readonly ExplainItem[];
  readonly error?: string;
}

/** Without the CLI's reader: digits are a response code, anything else words. */
export function readQuerySimply(text: string): ExplainQuery {
  const t = text.trim();
  if (t === '') return { kind: 'invalid', message: 'nothing to explain: give a code (486), words ("busy"), w305 or q850:17.' };
  if (/^\d+$/.test(t)) {
    const code = Number(t);
    return code >= 100 && code <= 699 ? { kind: 'status', code } : { kind: 'invalid', message: `${t}: SIP response codes run from 100 to 699.` };
  }
  return { kind: 'words', text: t };
}

function statusItem(code: number, method: string | undefined): ExplainItem {
  const x = describeStatus(code, method === undefined ? {} : { method });
  return {
    kind: 'status',
    code: x.requested,
    title: `${x.requested} ${x.fallbackFrom === undefined ? x.reason : `(as ${x.code} ${x.reason})`}`,
    summary: x.summary,
    meaning: method === undefined ? null : x.meaning,
    causes: x.causes,
    checks: x.checks,
    willNotHelp: x.willNotHelp,
    notes: [x.faultReason, ...(x.fallbackNote === undefined ? [] : [x.fallbackNote]), ...x.vendorNotes.map((n) => `${n.vendor}: ${n.note}`)],
    source: `${x.rfc} ${x.section}`,
  };
}

function warningItem(code: number): ExplainItem {
  const w = describeWarning(code);
  return { kind: 'warning', code, title: `Warning ${code} ${w.text}`, summary: w.summary, meaning: null, causes: [], checks: w.checks, willNotHelp: [], notes: [], source: `${w.rfc} ${w.section}` };
}

function q850Item(cause: number): ExplainItem {
  const q = describeQ850(cause);
  const notes = [`class: ${q.class}`, ...(q.sipStatus === undefined ? [] : [`RFC 3398 §7.2.4.1 maps it to SIP ${q.sipStatus}${q.sipNote === undefined ? '' : ` (${q.sipNote})`}`])];
  return { kind: 'q850', code: cause, title: `Q.850 cause ${cause} ${q.name}`, summary: q.summary, meaning: null, causes: [], checks: [], willNotHelp: [], notes, source: 'ITU-T Q.850' };
}

/** Answers a query from the page; never throws for bad input (the answer carries `error`). */
export function explainForPage(text: string, method: string | undefined, read: (text: string) => ExplainQuery = readQuerySimply): ExplainAnswer {
  const query = text.slice(0, 200);
  try {
    const q = read(query);
    switch (q.kind) {
      case 'invalid':
        return { query, items: [], error: q.message };
      case 'status':
        return { query, items: [statusItem(q.code, method)] };
      case 'warning':
        return { query, items: [warningItem(q.code)] };
      case 'q850':
        return { query, items: [q850Item(q.cause)] };
      case 'words': {
        const matches = searchCatalog(q.text).slice(0, 8);
        const items = matches.map((m) => (m.kind === 'status' ? statusItem(m.code, method) : m.kind === 'warning' ? warningItem(m.code) : q850Item(m.code)));
        return items.length > 0 ? { query, items } : { query, items, error: `nothing in the catalog matches "${q.text}"; try fewer or other words, or a code such as 486.` };
      }
    }
  } catch (error) {
    if (error instanceof CatalogError) return { query, items: [], error: error.message };
    throw error;
  }
}
