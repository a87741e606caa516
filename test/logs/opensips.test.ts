// OpenSIPS tracer output (Debian 12 ships no OpenSIPS, so no real trace can be made in a test). The fixtures in
// fixtures/opensips/ were written for these tests in the shapes OpenSIPS and the database tools print, read in their
// sources: the tracer module's `trace_write_file` and `trace_write_syslog` (modules/tracer/tracer.c, OpenSIPS 3.2+) for
// the file and syslog destinations; the sip_trace table of scripts/mysql/siptrace-create.sql dumped with `mysql -B`,
// as CSV, and with mysqldump. The SIP messages are made up, with documentation addresses (RFC 5737, RFC 3849).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { detectLogFormat, frameLog } from '../../src/framing/logs/index.js';
import type { InputReport, RawMessage } from '../../src/model/index.js';
import { parseMessage } from '../../src/parse/index.js';

const dir = join(import.meta.dirname, 'fixtures', 'opensips');
const fixture = (name: string): Buffer => readFileSync(join(dir, name));

async function read(bytes: Buffer, chunk = 97): Promise<{ messages: RawMessage[]; report: InputReport }> {
  const report: InputReport = { path: 'trace', kind: 'log', format: null, messages: 0, skipped: 0, issues: [] };
  const parts: Buffer[] = [];
  for (let o = 0; o < bytes.length; o += chunk) parts.push(bytes.subarray(o, o + chunk));
  const messages: RawMessage[] = [];
  for await (const m of frameLog(Readable.from(parts), { path: 'trace' }, report)) messages.push(m);
  return { messages, report };
}

const text = (m: RawMessage): string => Buffer.from(m.bytes).toString('latin1');
const flow = (m: RawMessage): string => `${m.meta.direction} ${m.meta.transport} ${m.meta.src} -> ${m.meta.dst}`;

/** The eleven messages every full fixture holds: a REGISTER challenged then accepted, an INVITE refused with 486. */
const FIRST_LINES = [
  'REGISTER sip:example.com SIP/2.0',
  'SIP/2.0 401 Unauthorized',
  'REGISTER sip:example.com SIP/2.0',
  'SIP/2.0 200 OK',
  'INVITE sip:+15551234567@example.com SIP/2.0',
  'SIP/2.0 100 Giving it a try',
  'INVITE sip:+15551234567@example.com SIP/2.0',
  'SIP/2.0 486 Busy Here',
  'SIP/2.0 486 Busy Here',
  'ACK sip:+15551234567@example.com SIP/2.0',
  'OPTIONS sip:ping@[2001:db8::1] SIP/2.0',
];
const FLOWS = [
  'in UDP 192.0.2.10:5060 -> 198.51.100.1:5060',
  'out UDP 198.51.100.1:5060 -> 192.0.2.10:5060',
  'in UDP 192.0.2.10:5060 -> 198.51.100.1:5060',
  'out UDP 198.51.100.1:5060 -> 192.0.2.10:5060',
  'in UDP 192.0.2.10:5060 -> 198.51.100.1:5060',
  'out UDP 198.51.100.1:5060 -> 192.0.2.10:5060',
  'out TCP 198.51.100.1:5060 -> 203.0.113.5:5060',
  'in TCP 203.0.113.5:5060 -> 198.51.100.1:5060',
  'out UDP 198.51.100.1:5060 -> 192.0.2.10:5060',
  'in UDP 192.0.2.10:5060 -> 198.51.100.1:5060',
  'in UDP [2001:db8::20]:5060 -> [2001:db8::1]:5060',
];
const TIMES = ['14:02:11', '14:02:11', '14:02:12', '14:02:12', '14:05:40', '14:05:40', '14:05:40', '14:05:43', '14:05:43', '14:05:43', '14:06:00'].map((t) =>
  Date.parse(`2024-03-05T${t}Z`),
);

/** The same eleven messages read from the tracer's file destination: the reference for every other shape. */
async function reference(): Promise<RawMessage[]> {
  return (await read(fixture('tracer-file.log'))).messages;
}

function expectWhole(messages: readonly RawMessage[]): void {
  for (const m of messages) {
    const parsed = parseMessage(m.bytes);
    expect(parsed.issues.filter((i) => i.severity === 'error')).toEqual([]);
    const t = text(m);
    const at = t.indexOf('\r\nContent-Length: ') + 18;
    const cl = Number(t.slice(at, t.indexOf('\r\n', at)));
    expect(Buffer.byteLength(t.slice(t.indexOf('\r\n\r\n') + 4), 'latin1')).toBe(cl);
  }
}

describe('OpenSIPS tracer, uri=file: destination (trace_write_file)', () => {
  it('is detected and gives each message with direction, both addresses, transport and the time to the second', async () => {
    const bytes = fixture('tracer-file.log');
    expect(detectLogFormat(bytes.toString('latin1'))?.format).toBe('opensips-tracer');
    for (const chunk of [13, 97, 65536]) {
      const { messages, report } = await read(bytes, chunk);
      expect(report.messages).toBe(11);
      expect(report.skipped).toBe(0);
      expect(report.issues).toEqual([]);
      expect(messages.map((m) => m.meta.format)).toEqual(Array(11).fill('opensips-tracer'));
      expect(messages.map((m) => text(m).split('\r\n')[0])).toEqual(FIRST_LINES);
      expect(messages.map(flow)).toEqual(FLOWS);
      expect(messages.map((m) => m.meta.time)).toEqual(TIMES);
      expect(messages.every((m) => m.issues.length === 0)).toBe(true);
      expectWhole(messages);
    }
  });

  it('keeps the INVITE SDP body intact, cut to its Content-Length', async () => {
    const { messages } = await read(fixture('tracer-file.log'));
    const invite = text(messages[4]!);
    expect(invite).toContain('\r\n\r\nv=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\n');
    expect(invite.endsWith('a=sendrecv\r\n')).toBe(true);
  });
});

describe('OpenSIPS tracer, uri=syslog: destination (trace_write_syslog: no time of its own)', () => {
  it('through rsyslog, one entry a line with #012 line ends: the syslog date is the time', async () => {
    const bytes = fixture('tracer-syslog.log');
    expect(detectLogFormat(bytes.toString('latin1'))?.format).toBe('opensips-tracer');
    const { messages, report } = await read(bytes);
    const ref = (await reference()).slice(0, 4);
    expect(report.messages).toBe(4);
    expect(report.issues).toEqual([]);
    expect(messages.map(text)).toEqual(ref.map(text));
    expect(messages.map(flow)).toEqual(FLOWS.slice(0, 4));
    expect(messages.map((m) => m.meta.timeText)).toEqual(['Mar  5 14:02:11', 'Mar  5 14:02:11', 'Mar  5 14:02:12', 'Mar  5 14:02:12']);
  });

  it('through OpenSIPS stderr logging (`Mar  5 14:05:40 [2351] `, the message on the lines after)', async () => {
    const { messages, report } = await read(fixture('tracer-stderr.log'));
    const ref = (await reference()).slice(4, 10);
    expect(report.messages).toBe(6);
    expect(report.issues).toEqual([]);
    expect(messages.map((m) => m.meta.format)).toEqual(Array(6).fill('opensips-tracer'));
    expect(messages.map(text)).toEqual(ref.map(text));
    expect(messages.map(flow)).toEqual(FLOWS.slice(4, 10));
  });
});

describe('OpenSIPS sip_trace table dumps (the tracer database destination)', () => {
  for (const name of ['sip_trace-mysql-batch.tsv', 'sip_trace.csv', 'sip_trace-mysqldump.sql']) {
    it(`${name}: detected, every row a message as the tracer stored it`, async () => {
      const bytes = fixture(name);
      expect(detectLogFormat(bytes.toString('latin1'))?.format).toBe('opensips-sip-trace');
      const ref = await reference();
      for (const chunk of [13, 4096]) {
        const { messages, report } = await read(bytes, chunk);
        expect(report.messages).toBe(11);
        expect(report.skipped).toBe(0);
        expect(report.issues).toEqual([]);
        expect(messages.map((m) => m.meta.format)).toEqual(Array(11).fill('opensips-sip-trace'));
        expect(messages.map(text)).toEqual(ref.map(text));
        expect(messages.map(flow)).toEqual(FLOWS);
        expect(messages.map((m) => m.meta.time)).toEqual(TIMES);
        expect(messages.every((m) => m.issues.length === 0)).toBe(true);
        expectWhole(messages);
      }
    });
  }

  it('mysql -B -N (no header) with one row broken by a raw line end and one with a bad escape: issues, the rest read', async () => {
    const bytes = fixture('sip_trace-mysql-batch-noheader-broken.tsv');
    expect(detectLogFormat(bytes.toString('latin1'))?.format).toBe('opensips-sip-trace');
    const { messages, report } = await read(bytes);
    const ref = await reference();
    // Row 3 (the authenticated REGISTER) spread over lines 3 and 4: one issue naming line 3, both lines skipped.
    expect(report.issues.map((i) => [i.code, i.origin?.line])).toEqual([['row-unreadable', 3]]);
    expect(report.issues[0]!.message).toContain('expected 15 tab-separated fields');
    expect(report.skipped).toBe(2);
    expect(report.messages).toBe(10);
    expect(messages.map((m) => text(m).split('\r\n')[0])).toEqual([...FIRST_LINES.slice(0, 2), ...FIRST_LINES.slice(3, 5), 'SIP/2.0 100 Giving it a \\q try', ...FIRST_LINES.slice(6)]);
    expect(messages.map(flow)).toEqual([...FLOWS.slice(0, 2), ...FLOWS.slice(3)]);
    // `\q` is no mysql escape: the message keeps the backslash and says so, with its row's line.
    expect(messages[4]!.issues.map((i) => [i.code, i.origin?.line])).toEqual([['bad-escape', 7]]); // row 6, one line down after the split row
    expect(messages.filter((_, i) => i !== 4).map(text)).toEqual([...ref.slice(0, 2), ...ref.slice(3, 5), ...ref.slice(6)].map(text));
  });

  it('an INSERT with a column list in another order, a bad escape, and a statement cut by the end of the file', async () => {
    const ref = await reference();
    const esc = (s: string): string => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\r', '\\r').replaceAll('\n', '\\n')}'`;
    const sql = [
      'INSERT INTO `sip_trace` (`msg`,`direction`,`from_proto`,`from_ip`,`from_port`,`to_ip`,`to_port`,`time_stamp`) VALUES',
      `(${esc(text(ref[0]!))},'in','udp','192.0.2.10',5060,'198.51.100.1',5060,'2024-03-05 14:02:11'),`,
      `(${esc(text(ref[1]!)).replace('Unauthorized', 'Unauth\\qorized')},'out','udp','198.51.100.1',5060,'192.0.2.10',5060,'2024-03-05 14:02:11');`,
      `INSERT INTO \`sip_trace\` (\`msg\`,\`direction\`) VALUES (${esc(text(ref[2]!)).slice(0, 60)}`,
      '',
    ].join('\n');
    const { messages, report } = await read(Buffer.from(sql, 'latin1'));
    expect(messages.map(flow)).toEqual(FLOWS.slice(0, 2));
    expect(text(messages[0]!)).toBe(text(ref[0]!));
    expect(text(messages[1]!).split('\r\n')[0]).toBe('SIP/2.0 401 Unauthqorized');
    expect(messages[1]!.issues.map((i) => i.code)).toEqual(['bad-escape']);
    expect(report.issues.map((i) => [i.code, i.origin?.line])).toEqual([['truncated-message', 4]]);
    expect(report.skipped).toBe(1);
  });
});

describe('no mis-detection between the OpenSIPS fixtures and the other formats', () => {
  it('each OpenSIPS fixture is taken by its own reader', () => {
    for (const name of readdirSync(dir)) {
      const format = detectLogFormat(fixture(name).toString('latin1'))?.format;
      expect([name, format]).toEqual([name, name.startsWith('tracer-') ? 'opensips-tracer' : 'opensips-sip-trace']);
    }
  });

  it('sngrep, ngrep and Kamailio sipdump samples are not taken for OpenSIPS', () => {
    const sngrep = '2019/05/15 09:02:04.629378 192.0.2.10:5060 -> 198.51.100.1:5060\n\nOPTIONS sip:a@example.com SIP/2.0\nCall-ID: x\nContent-Length: 0\n\n';
    const ngrep = '#\nU 2019/05/15 09:02:04.629378 192.0.2.10:5060 -> 198.51.100.1:5060\nOPTIONS sip:a@example.com SIP/2.0.\nCall-ID: x.\n.\n';
    const sipdump = '====================\ntag: rcv\npid: 1\nprocess: 1\ntime: 1700000000.1\ndate: x\nproto: udp ipv4\nsrcip: 192.0.2.10\nsrcport: 5060\ndstip: 198.51.100.1\ndstport: 5060\n~~~~~~~~~~~~~~~~~~~~\nOPTIONS sip:a@example.com SIP/2.0\r\nContent-Length: 0\r\n\r\n||||||||||||||||||||\n';
    expect(detectLogFormat(sngrep)?.format).toBe('sngrep');
    expect(detectLogFormat(ngrep)?.format).toBe('ngrep');
    expect(detectLogFormat(sipdump)?.format).toBe('kamailio-sipdump');
  });
});
