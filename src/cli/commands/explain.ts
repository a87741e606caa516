import type { Command } from 'commander';
import { createColors } from 'picocolors';
import type { CatalogMatch, Q850Entry, StatusExplanation, WarnCodeEntry } from '../../index.js';
import {
  CatalogError,
  describeQ850,
  describeStatus,
  describeWarning,
  lookupStatus,
  lookupVendorGuide,
  q850ForSipStatus,
  Q850_REASON_NOTE,
  searchCatalog,
  sipStatusForQ850,
  vendorGuides,
} from '../../index.js';
import type { CliIo } from '../io.js';
import { ExitCode, useColor } from '../io.js';

interface ExplainOptions {
  readonly method?: string;
  readonly vendor?: string;
  readonly json?: boolean;
}

const EXAMPLES = `
Examples:
  siplens explain 486 --method INVITE          what a Busy Here means for a call
  siplens explain 423 --method REGISTER        what to change when a registration gets Interval Too Brief
  siplens explain 404 --vendor clear-com       the RFC meaning plus Clear-Com's field notes
  siplens explain "interval too brief"         find a code by its words
  siplens explain busy                         every code, warning and cause about being busy
  siplens explain w305                         a Warning header code (RFC 3261 §20.43)
  siplens explain q850:17                      a Q.850 cause from a Reason header (RFC 3326)
  siplens explain "SIP/2.0 503 Service Unavailable"   a status line pasted from a log
  siplens explain 'Reason: Q.850;cause=34'         a Reason or Warning header line, as pasted

A code missing from the catalog (such as 477) is explained as the x00 of its class, as RFC 3261 §8.1.3.2 says.
Exit codes: 0 found, 2 usage error (a code outside 100-699, a bad option), 3 nothing matched the words.
`;

/** What the user asked for, read from the query text. */
export type ExplainQuery =
  | { readonly kind: 'status'; readonly code: number }
  | { readonly kind: 'warning'; readonly code: number }
  | { readonly kind: 'q850'; readonly cause: number }
  | { readonly kind: 'words'; readonly text: string }
  | { readonly kind: 'invalid'; readonly message: string };

function isDigits(text: string): boolean {
  if (text === '') return false;
  for (const ch of text) if (ch < '0' || ch > '9') return false;
  return true;
}

/** The digits at the start of `text`, when what follows them ends the number (nothing, a space, `;` or `"`). */
function leadingNumber(text: string): number | undefined {
  let end = 0;
  while (end < text.length && text.charAt(end) >= '0' && text.charAt(end) <= '9') end++;
  if (end === 0) return undefined;
  const next = text.charAt(end);
  if (next !== '' && next !== ' ' && next !== ';' && next !== '"') return undefined;
  return Number(text.slice(0, end));
}

/** `text` without the first of `prefixes` it starts with (case-insensitive) and the spaces, `:` or `=` after it. */
function stripPrefix(text: string, prefixes: readonly string[]): string | undefined {
  const lower = text.toLowerCase();
  const prefix = prefixes.find((p) => lower.startsWith(p));
  if (prefix === undefined) return undefined;
  let at = prefix.length;
  while (at < text.length && ' :='.includes(text.charAt(at))) at++;
  return text.slice(at);
}

function statusQuery(text: string, code: number): ExplainQuery {
  if (code >= 100 && code <= 699 && String(code).length === 3) return { kind: 'status', code };
  const hints = [
    ...(code >= 300 && code <= 399 ? [`for warn-code ${code} write w${code}`] : []),
    ...(code >= 1 && code <= 127 ? [`for Q.850 cause ${code} write q850:${code}`] : []),
  ];
  return {
    kind: 'invalid',
    message: `${text} is not a SIP status code: status codes have three digits, from 100 to 699 (RFC 3261 §7.2).${hints.length > 0 ? ` Hint: ${hints.join('; ')}.` : ''}`,
  };
}

function q850Query(text: string, cause: number): ExplainQuery {
  if (cause >= 1 && cause <= 127) return { kind: 'q850', cause };
  return { kind: 'invalid', message: `${text}: Q.850 cause values run from 1 to 127.` };
}

/**
 * Reads `486`, `w305`, `q850:17`, `cause=17`, and lines pasted from a log: `SIP/2.0 486 Busy Here`,
 * `Warning: 399 host "text"`, `Reason: Q.850;cause=17;text="User busy"`, `Reason: SIP;cause=487`. Anything else is words.
 */
export function parseExplainQuery(raw: string): ExplainQuery {
  const text = raw.trim();
  if (text === '') return { kind: 'invalid', message: 'nothing to explain: give a code (486), words ("busy"), w305 or q850:17.' };
  if (isDigits(text)) return statusQuery(text, Number(text));
  const statusLine = stripPrefix(text, ['sip/2.0 ']);
  if (statusLine !== undefined) {
    const code = leadingNumber(statusLine);
    if (code !== undefined) return statusQuery(text, code);
  }
  const warning = stripPrefix(text, ['warning', 'w']);
  if (warning !== undefined) {
    const code = leadingNumber(warning);
    // "w305" must be the whole query; a Warning header line may go on with its agent and text.
    if (code !== undefined && (text.toLowerCase().startsWith('warning') || isDigits(warning))) {
      if (code >= 300 && code <= 399) return { kind: 'warning', code };
      return { kind: 'invalid', message: `${text}: SIP warn-codes run from 300 to 399 (RFC 3261 §20.43).` };
    }
  }
  const reason = stripPrefix(text, ['reason']) ?? text;
  const protocol = reason.toLowerCase();
  const causeAt = protocol.indexOf('cause');
  if (causeAt >= 0) {
    const value = stripPrefix(reason.slice(causeAt), ['cause']);
    const cause = value === undefined ? undefined : leadingNumber(value);
    if (cause !== undefined) {
      // RFC 3326 §2: the protocol comes first; SIP carries a status code, Q.850 a cause value.
      if (protocol.startsWith('sip')) return statusQuery(text, cause);
      if (protocol.startsWith('q.850') || protocol.startsWith('q850') || causeAt === 0) return q850Query(text, cause);
    }
  }
  const q850 = stripPrefix(text, ['q.850', 'q850']);
  if (q850 !== undefined) {
    const cause = leadingNumber(q850);
    if (cause !== undefined) return q850Query(text, cause);
  }
  return { kind: 'words', text };
}

/** A method name is a SIP token; letters are enough for every method in use. */
function isMethodName(method: string): boolean {
  if (method === '') return false;
  for (const ch of method) if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'))) return false;
  return true;
}

type Paint = ReturnType<typeof createColors>;

const WIDTH = 100;

/** Wraps `text` at WIDTH columns, every line after the first indented by `indent` spaces. */
export function wrapText(text: string, indent: number, firstIndent = indent): string {
  const words = text.split(' ').filter((w) => w !== '');
  const lines: string[] = [];
  let line = ' '.repeat(firstIndent);
  let empty = true;
  for (const word of words) {
    if (!empty && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = ' '.repeat(indent) + word;
    } else {
      line += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  lines.push(line);
  return lines.join('\n');
}

const CLASS_NAMES: Readonly<Record<number, string>> = {
  1: 'provisional',
  2: 'success',
  3: 'redirection',
  4: 'client failure',
  5: 'server failure',
  6: 'global failure',
};

const RETRY_TEXT: Readonly<Record<string, string>> = {
  yes: 'yes, as it is',
  no: 'no: the same request will fail the same way',
  'after-change': 'only after changing the request or the configuration',
  'after-delay': 'later (honour Retry-After when present)',
  elsewhere: 'at another target (the Contact given, or another server)',
  'not-applicable': 'not applicable: this is not a failure',
};

const SENDER_NAMES: Readonly<Record<string, string>> = {
  uas: 'the called/served user agent (UAS)',
  proxy: 'a proxy',
  registrar: 'a registrar',
  gateway: 'a gateway to the phone network',
  redirect: 'a redirect server',
  any: 'any SIP element',
};

function colorForClass(paint: Paint, cls: number): (text: string) => string {
  if (cls <= 2) return paint.green;
  if (cls === 3) return paint.cyan;
  if (cls === 4) return paint.yellow;
  return paint.red;
}

/** The terminal text of a response-code explanation. Pure; `paint` decides colours. */
export function formatStatusText(x: StatusExplanation, method: string | undefined, paint: Paint): string {
  const out: string[] = [];
  const head = colorForClass(paint, x.class);
  if (x.fallbackFrom !== undefined) {
    out.push(paint.bold(`${x.fallbackFrom} is not in the catalog`));
    out.push(wrapText(x.fallbackNote ?? '', 2, 2));
    out.push('');
  }
  out.push(
    `${paint.bold(head(`${x.code} ${x.reason}`))}  ${paint.dim(`${x.class}xx ${CLASS_NAMES[x.class] ?? ''} · ${x.status} · ${x.rfc} ${x.section}`)}`,
  );
  if (x.status !== 'current' && x.statusNote !== undefined) out.push(wrapText(`${x.status}: ${x.statusNote}`, 2, 2));
  out.push('');
  if (method === undefined) {
    out.push(paint.bold('Meaning'));
    out.push(wrapText(x.meaning, 2, 2));
    // Without --method, show each context briefly: most users meet a code on a REGISTER or an INVITE.
    out.push('');
    out.push(wrapText(`${paint.bold('On a REGISTER:')} ${x.onRegister}`, 2, 0));
    out.push(wrapText(`${paint.bold('On an INVITE:')} ${x.onInvite}`, 2, 0));
    out.push(wrapText(`${paint.bold('On other requests:')} ${x.onOther}`, 2, 0));
  } else {
    out.push(paint.bold(`Meaning as the answer to ${method.toUpperCase()}`));
    out.push(wrapText(x.meaning, 2, 2));
    if (x.meaning !== x.summary) out.push(wrapText(paint.dim(`In general: ${x.summary}`), 2, 2));
  }
  out.push('');
  out.push(wrapText(`${paint.bold('A fault?')} ${x.isFault ? paint.red('yes') : paint.green('no')}: ${x.faultReason}`, 2, 0));
  const list = (title: string, items: readonly string[], numbered: boolean): void => {
    if (items.length === 0) return;
    out.push('');
    out.push(paint.bold(title));
    items.forEach((item, i) => {
      const bullet = numbered ? `${i + 1}. ` : '- ';
      out.push(wrapText(`${bullet}${item}`, 2 + bullet.length, 2));
    });
  };
  list('Likely causes, most likely first', x.causes, true);
  list('What to check', x.checks, false);
  list('Will not help', x.willNotHelp, false);
  out.push('');
  out.push(`${paint.bold('Sent by:')} ${x.senders.map((s) => SENDER_NAMES[s] ?? s).join(', ')}`);
  if (x.detailHeaders.length > 0) out.push(`${paint.bold('Headers to read:')} ${x.detailHeaders.join(', ')}`);
  out.push(`${paint.bold('Can a retry succeed?')} ${RETRY_TEXT[x.retry] ?? x.retry}`);
  if (x.class >= 4) {
    const q = q850ForSipStatus(x.code);
    if (q.cause !== undefined) {
      const name = describeQ850(q.cause).name;
      const basis = q.basis === 'rfc3398' ? 'RFC 3398 §8.2.6.1' : 'RFC 3398 §8.2.6.1 does not list this code: its catch-all';
      out.push(`${paint.bold('Towards the phone network:')} Q.850 cause ${q.cause} ${name} (${basis})`);
    } else if (q.note !== undefined) {
      out.push(`${paint.bold('Towards the phone network:')} ${q.note}`);
    }
  }
  if (x.vendorNotes.length > 0) {
    out.push('');
    out.push(paint.bold('Vendor notes'));
    for (const note of x.vendorNotes) {
      const who = note.appliesTo === undefined ? note.vendor : `${note.vendor}, about ${note.appliesTo}`;
      out.push(wrapText(`- ${who}: ${note.note}`, 4, 2));
      out.push(wrapText(paint.dim(`source: ${note.source}`), 4, 4));
    }
  }
  const related = (x.seeAlso ?? []).map((code) => lookupStatus(code)).filter((e) => e !== undefined);
  if (related.length > 0) {
    out.push('');
    out.push(`${paint.bold('See also:')} ${related.map((e) => `${e.code} ${e.reason}`).join(', ')}`);
  }
  return `${out.join('\n')}\n`;
}

/** The terminal text of a warn-code. */
export function formatWarningText(w: WarnCodeEntry & { readonly registered: boolean }, paint: Paint): string {
  const out: string[] = [];
  out.push(`${paint.bold(`Warning ${w.code} ${w.text}`)}  ${paint.dim(`warn-code · ${w.rfc} ${w.section}`)}`);
  out.push('');
  out.push(wrapText(w.summary, 2, 2));
  if (w.checks.length > 0) {
    out.push('');
    out.push(paint.bold('What to check'));
    for (const c of w.checks) out.push(wrapText(`- ${c}`, 4, 2));
  }
  if (w.seenWith.length > 0) out.push(`\n${paint.bold('Usually seen with:')} ${w.seenWith.join(', ')}`);
  out.push(paint.dim('\nA Warning header reads: Warning: <code> <host> "<text>" (RFC 3261 §20.43); the text is meant for a person.'));
  return `${out.join('\n')}\n`;
}

/** The terminal text of a Q.850 cause. */
export function formatQ850Text(q: Q850Entry & { readonly known: boolean }, paint: Paint): string {
  const out: string[] = [];
  out.push(`${paint.bold(`Q.850 cause ${q.cause}: ${q.name}`)}  ${paint.dim(`class: ${q.class}`)}`);
  out.push('');
  out.push(wrapText(q.summary, 2, 2));
  const sip = sipStatusForQ850(q.cause);
  out.push('');
  if (sip.status === undefined) {
    out.push(`${paint.bold('As a SIP response:')} none. ${sip.note ?? ''}`);
  } else {
    const entry = lookupStatus(sip.status);
    const basis = sip.basis === 'rfc3398' ? 'RFC 3398 §7.2.4.1' : 'by class; RFC 3398 does not list this cause';
    out.push(`${paint.bold('As a SIP response:')} ${sip.status} ${entry?.reason ?? ''} (${basis})`);
    if (sip.basis === 'rfc3398' && sip.note !== undefined) out.push(wrapText(sip.note, 2, 2));
  }
  out.push('');
  out.push(wrapText(paint.dim(Q850_REASON_NOTE), 2, 0));
  return `${out.join('\n')}\n`;
}

function formatMatches(matches: readonly CatalogMatch[], paint: Paint): string {
  return matches.map((m) => `  ${paint.bold(queryFor(m))}  ${m.title}`).join('\n');
}

/** What to type to explain one match. */
function queryFor(match: CatalogMatch): string {
  if (match.kind === 'warning') return `w${match.code}`.padEnd(7);
  if (match.kind === 'q850') return `q850:${match.code}`.padEnd(7);
  return String(match.code).padEnd(7);
}

/** `siplens explain <query>`. */
export function registerExplain(program: Command, io: CliIo, exit: { code: number }): void {
  program
    .command('explain')
    .description('explain a SIP response code, a warn-code, a Q.850 cause, or find them by words')
    .argument('<query...>', 'a code (486), words ("interval too brief"), a warn-code (w305) or a Q.850 cause (q850:17)')
    .option('--method <method>', 'the method the response answered (REGISTER, INVITE, BYE...), for the meaning in that context')
    .option('--vendor <vendor>', 'show only this vendor\'s field notes (e.g. clear-com)')
    .option('--json', 'one JSON document')
    .addHelpText('after', EXAMPLES)
    .action((query: string[], options: ExplainOptions) => {
      exit.code = runExplain(query.join(' '), options, io);
    });
}

function runExplain(raw: string, options: ExplainOptions, io: CliIo): number {
  const paint = createColors(options.json !== true && useColor(io));
  const code = explainQuery(raw, options, io, paint);
  if (code === ExitCode.ok && options.vendor !== undefined && options.json !== true) writeVendorGuide(options.vendor, io, paint);
  return code;
}

/** With --vendor, where that vendor's devices show codes and keep SIP traces; a note on stderr if unknown. */
function writeVendorGuide(vendor: string, io: CliIo, paint: Paint): void {
  const guide = lookupVendorGuide(vendor);
  if (guide === undefined) {
    const known = vendorGuides.map((g) => g.vendorId).join(', ');
    io.stderr(`siplens explain: no notes for vendor "${vendor}"; vendors with notes: ${known}\n`);
    return;
  }
  const out = ['', paint.bold(`Where to look on ${guide.vendor} devices`)];
  for (const place of guide.whereToLook) out.push(wrapText(`- ${place}`, 4, 2));
  out.push(wrapText(paint.dim(`source: ${guide.source}`), 4, 4));
  io.stdout(`${out.join('\n')}\n`);
}

function explainQuery(raw: string, options: ExplainOptions, io: CliIo, paint: Paint): number {
  const method = options.method;
  if (method !== undefined && !isMethodName(method)) {
    io.stderr(`siplens explain: --method expects a SIP method name such as REGISTER or INVITE; got "${method}"\n`);
    return ExitCode.usage;
  }
  const parsed = parseExplainQuery(raw);
  const json = (value: unknown): void => io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  try {
    switch (parsed.kind) {
      case 'invalid':
        io.stderr(`siplens explain: ${parsed.message}\n`);
        return ExitCode.usage;
      case 'status': {
        const x = describeStatus(parsed.code, { ...(method === undefined ? {} : { method }), ...(options.vendor === undefined ? {} : { vendor: options.vendor }) });
        if (options.json === true) {
          const q850 = x.class >= 4 ? q850ForSipStatus(x.code) : undefined;
          json({ query: raw, kind: 'status', ...(method === undefined ? {} : { method: method.toUpperCase() }), explanation: x, ...(q850 === undefined ? {} : { q850 }) });
        } else {
          io.stdout(formatStatusText(x, method, paint));
        }
        return ExitCode.ok;
      }
      case 'warning': {
        const w = describeWarning(parsed.code);
        if (options.json === true) json({ query: raw, kind: 'warning', warning: w });
        else io.stdout(formatWarningText(w, paint));
        return ExitCode.ok;
      }
      case 'q850': {
        const q = describeQ850(parsed.cause);
        if (options.json === true) json({ query: raw, kind: 'q850', cause: q, sip: sipStatusForQ850(parsed.cause), note: Q850_REASON_NOTE });
        else io.stdout(formatQ850Text(q, paint));
        return ExitCode.ok;
      }
      case 'words':
        return explainWords(raw, parsed.text, method, options, io, paint);
    }
  } catch (error) {
    // The parser keeps codes in range, so this is only reached if the catalog and the parser disagree.
    if (error instanceof CatalogError) {
      io.stderr(`siplens explain: ${error.message}\n`);
      return ExitCode.usage;
    }
    throw error;
  }
}

function explainWords(raw: string, text: string, method: string | undefined, options: ExplainOptions, io: CliIo, paint: Paint): number {
  const matches = searchCatalog(text);
  if (matches.length === 0) {
    if (options.json === true) io.stdout(`${JSON.stringify({ query: raw, kind: 'search', matches: [] }, null, 2)}\n`);
    io.stderr(`siplens explain: nothing in the catalog matches "${text}". Try fewer or other words, or a code such as 486.\n`);
    return ExitCode.noMatch;
  }
  const best = matches[0];
  if (best === undefined) return ExitCode.noMatch;
  const context = { ...(method === undefined ? {} : { method }), ...(options.vendor === undefined ? {} : { vendor: options.vendor }) };
  if (options.json === true) {
    const detail =
      best.kind === 'status' ? describeStatus(best.code, context) : best.kind === 'warning' ? describeWarning(best.code) : describeQ850(best.code);
    io.stdout(`${JSON.stringify({ query: raw, kind: 'search', matches, best: { kind: best.kind, detail } }, null, 2)}\n`);
    return ExitCode.ok;
  }
  if (best.kind === 'status') io.stdout(formatStatusText(describeStatus(best.code, context), method, paint));
  else if (best.kind === 'warning') io.stdout(formatWarningText(describeWarning(best.code), paint));
  else io.stdout(formatQ850Text(describeQ850(best.code), paint));
  const others = matches.slice(1, 12);
  if (others.length > 0) {
    io.stdout(`\n${paint.bold(`Other matches for "${text}"`)} ${paint.dim('(siplens explain <code> for more)')}\n${formatMatches(others, paint)}\n`);
  }
  return ExitCode.ok;
}
