import type { MessageView } from './message-view.js';

/** One `--filter key=value`; the report keeps what matches every filter (filters with the same key: any of them). */
export type MessageFilter =
  | { readonly key: 'call'; readonly value: string; readonly text: string }
  | { readonly key: 'user'; readonly value: string; readonly text: string }
  | { readonly key: 'code'; readonly min: number; readonly max: number; readonly text: string }
  | { readonly key: 'method'; readonly value: string; readonly text: string }
  | { readonly key: 'since' | 'until'; readonly ms: number; readonly text: string };

export type ParsedFilter = { readonly filter: MessageFilter } | { readonly error: string };

const KEYS = 'call (Call-ID), user, code (486 or 4xx), method, since, until (ISO 8601 time)';

/** Reads `code=486`, `code=4xx`, `method=INVITE`, `call=abc@host`, `user=1001`, `since=2024-05-01T10:00:00Z`. */
export function parseFilter(text: string): ParsedFilter {
  const eq = text.indexOf('=');
  if (eq <= 0) return { error: `expected key=value with key one of ${KEYS}, found "${text}"` };
  const key = text.slice(0, eq).trim().toLowerCase();
  const value = text.slice(eq + 1).trim();
  if (value.length === 0) return { error: `filter "${key}" needs a value after "="` };
  switch (key) {
    case 'call':
    case 'callid':
    case 'call-id':
      return { filter: { key: 'call', value, text } };
    case 'user':
    case 'account':
      return { filter: { key: 'user', value: value.toLowerCase(), text } };
    case 'method':
      return { filter: { key: 'method', value: value.toUpperCase(), text } };
    case 'code':
    case 'status': {
      if (/^[1-6]xx$/i.test(value)) {
        const c = Number(value[0]) * 100;
        return { filter: { key: 'code', min: c, max: c + 99, text } };
      }
      const n = Number(value);
      if (!Number.isInteger(n) || n < 100 || n > 699) {
        return { error: `filter code expects a status from 100 to 699 or a class like 4xx, found "${value}"` };
      }
      return { filter: { key: 'code', min: n, max: n, text } };
    }
    case 'since':
    case 'until': {
      const ms = Date.parse(value);
      if (Number.isNaN(ms)) return { error: `filter ${key} expects an ISO 8601 time (2024-05-01T10:00:00Z), found "${value}"` };
      return { filter: { key, ms, text } };
    }
    default:
      return { error: `unknown filter key "${key}": expected one of ${KEYS}` };
  }
}

/** Whether one message matches one filter. */
export function matchMessage(m: MessageView, f: MessageFilter): boolean {
  switch (f.key) {
    case 'call':
      return m.callId === f.value;
    case 'user': {
      const hay = [m.fromUser, m.toUser, m.from, m.to, m.fromDisplay].map((s) => (s ?? '').toLowerCase());
      return hay.some((s) => s === f.value || s.includes(f.value));
    }
    case 'method':
      return m.method === f.value || m.cseqMethod === f.value;
    case 'code':
      return m.status !== null && m.status >= f.min && m.status <= f.max;
    case 'since':
      return m.time !== null && m.time >= f.ms;
    case 'until':
      return m.time !== null && m.time <= f.ms;
  }
}

/** Groups filters by key: same key ORs, different keys AND. */
export function matchFilters(m: MessageView, filters: readonly MessageFilter[]): boolean {
  const byKey = new Map<string, MessageFilter[]>();
  for (const f of filters) byKey.set(f.key, [...(byKey.get(f.key) ?? []), f]);
  for (const group of byKey.values()) if (!group.some((f) => matchMessage(m, f))) return false;
  return true;
}
