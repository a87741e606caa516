import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { corpusDir, hasCorpus } from '../../../test/helpers/corpus.js';
import type { InputReport, RawMessage } from '../../model/index.js';
import { detectLogFormat } from './detect.js';
import { frameLog } from './frame-log.js';
import type { FrameLogOptions } from './frame-log.js';

function newReport(path: string): InputReport {
  return { path, kind: 'log', format: null, messages: 0, skipped: 0, issues: [] };
}

async function readText(text: string | Buffer, options: Partial<FrameLogOptions> = {}, chunk = 64): Promise<{ messages: RawMessage[]; report: InputReport }> {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  const pieces: Buffer[] = [];
  for (let o = 0; o < bytes.length; o += chunk) pieces.push(bytes.subarray(o, o + chunk));
  const report = newReport('mem.log');
  const messages: RawMessage[] = [];
  for await (const m of frameLog(Readable.from(pieces), { path: 'mem.log', ...options }, report)) messages.push(m);
  return { messages, report };
}

const b179 = join(corpusDir, 'logs', 'ade_b179_syslog.txt');

/**
 * The B179's own PJSIP traces (a real device log, syslog with only the first line of each message prefixed) as the
 * source: each syslog shape below is made from it, and must give back the very same 28 messages, byte for byte.
 */
async function readB179(): Promise<{ messages: RawMessage[]; traces: Array<{ header: string; lines: string[] }> }> {
  const report = newReport('b179');
  const messages: RawMessage[] = [];
  for await (const m of frameLog(createReadStream(b179), { path: 'b179' }, report)) messages.push(m);
  const lines = readFileSync(b179, 'latin1').split('\n');
  const traces = messages.map((m) => {
    const header = lines[m.meta.origin.line! - 2]!;
    const text = Buffer.from(m.bytes).toString('latin1');
    return { header: header.slice(header.indexOf(': ') + 2), lines: text.split('\r\n') };
  });
  return { messages, traces };
}

const PREFIX = '<142>May 27 12:06:07 konfsip[1367:1426]: ';

describe.skipIf(!hasCorpus)('the syslog layer in all its shapes, made from a real device log', () => {
  const shapes: Record<string, (t: { header: string; lines: string[] }) => string> = {
    'every line prefixed': (t) => [t.header, ...t.lines.slice(0, -1)].map((l) => PREFIX + l).join('\n') + '\n',
    'one message per line, rsyslog #012/#015 escapes': (t) => `${PREFIX}${t.header}#012${t.lines.join('#015#012')}\n`,
    'one message per line, literal \\r\\n escapes': (t) => `${PREFIX}${t.header}\\n${t.lines.join('\\r\\n')}\n`,
    'CRs shown as ^M (cat -v)': (t) => `${PREFIX}${t.header}\n${t.lines.slice(0, -1).map((l) => `${l}^M`).join('\n')}\n${'-'.repeat(40)}\n`,
    'double wrapping (a relay adds its own header)': (t) => `<13>Nov 24 18:02:43 relay ${PREFIX}${t.header}\n${t.lines.join('\n')}${'-'.repeat(40)}\n`,
    'ANSI colours around each line': (t) => `\x1b[32m${PREFIX}${t.header}\x1b[0m\n${t.lines.map((l) => `\x1b[36;1m${l}\x1b[;m`).join('\n')}\n`,
    'CRLF line ends': (t) => `${PREFIX}${t.header}\r\n${t.lines.join('\r\n')}\r\n`,
    'one escaped entry split into numbered parts of 200 characters': (t) => {
      const entry = `${t.header}#012${t.lines.join('#015#012')}`;
      const parts: string[] = [];
      for (let o = 0; o < entry.length; o += 200) parts.push(entry.slice(o, o + 200));
      return parts.map((p, i) => `${PREFIX}[${i + 1}/${parts.length}] ${p}\n`).join('');
    },
  };

  for (const [shape, make] of Object.entries(shapes)) {
    it(shape, async () => {
      const { messages: original, traces } = await readB179();
      expect(original.length).toBe(28);
      const text = traces.map(make).join('');
      for (const chunk of [13, 4096]) {
        const { messages, report } = await readText(text, {}, chunk);
        expect(messages.map((m) => m.meta.format)).toEqual(Array(28).fill('pjsip'));
        expect(messages.map((m) => Buffer.from(m.bytes).toString('latin1'))).toEqual(original.map((m) => Buffer.from(m.bytes).toString('latin1')));
        expect(messages.map((m) => `${m.meta.direction} ${m.meta.src ?? m.meta.dst} ${m.meta.transport}`)).toEqual(
          original.map((m) => `${m.meta.direction} ${m.meta.src ?? m.meta.dst} ${m.meta.transport}`),
        );
        expect(report.messages).toBe(28);
        expect(messages.every((m) => m.issues.length === 0)).toBe(true);
      }
    });
  }

  it('a lost part is reported and the rest still read', async () => {
    const { traces } = await readB179();
    const entry = (t: { header: string; lines: string[] }): string => `${t.header}#012${t.lines.join('#015#012')}`;
    const first = entry(traces[0]!);
    const second = entry(traces[1]!);
    const text = `${PREFIX}[1/2] ${first.slice(0, 200)}\n${PREFIX}[1/2] ${second.slice(0, 100)}\n${PREFIX}[2/2] ${second.slice(100)}\n`;
    const { messages, report } = await readText(text);
    expect(report.issues.map((i) => i.code)).toContain('entry-part-missing');
    expect(messages.length).toBe(2);
    expect(messages[1]!.issues).toEqual([]);
    expect(messages[0]!.issues.map((i) => i.code)).toContain('truncated-headers');
  });

  it('a Homer-style JSON export of the same messages', async () => {
    const { messages: original } = await readB179();
    const data = original.map((m, i) => ({
      create_date: 1464350767000 + i,
      srcIp: '135.105.129.137',
      srcPort: 16386,
      dstIp: '135.124.168.107',
      dstPort: 5061,
      protocol: 6,
      raw: Buffer.from(m.bytes).toString('latin1'),
    }));
    const { messages } = await readText(JSON.stringify({ status: 200, data }, null, 1), {}, 100);
    expect(messages.length).toBe(28);
    expect(messages[0]!.meta).toMatchObject({ format: 'homer-json', time: 1464350767000, src: '135.105.129.137:16386', dst: '135.124.168.107:5061', transport: 'TCP' });
    expect(messages.map((m) => Buffer.from(m.bytes).toString('latin1'))).toEqual(original.map((m) => Buffer.from(m.bytes).toString('latin1')));
  });
});

describe('the generic fallback', () => {
  it('finds start lines after unknown prefixes and ends a message without Content-Length at the next one', async () => {
    const text = [
      'app started',
      'some-app: sending INVITE sip:bob@example.com SIP/2.0',
      'Call-ID: one',
      'CSeq: 1 INVITE',
      '',
      'SIP/2.0 100 Trying',
      'Call-ID: one',
      'CSeq: 1 INVITE',
      '',
      'SIP/2.0 180 Ringing',
      'Call-ID: one',
      'CSeq: 1 INVITE',
      'Content-Length: 0',
      '',
    ].join('\n');
    const { messages } = await readText(text, {}, 5);
    expect(messages.map((m) => Buffer.from(m.bytes).toString('latin1'))).toEqual([
      'INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: one\r\nCSeq: 1 INVITE\r\n\r\n',
      'SIP/2.0 100 Trying\r\nCall-ID: one\r\nCSeq: 1 INVITE\r\n\r\n',
      'SIP/2.0 180 Ringing\r\nCall-ID: one\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n',
    ]);
    expect(messages.map((m) => m.meta.origin.line)).toEqual([2, 6, 10]);
  });
});

describe('limits and bad input are reported, never thrown', () => {
  it('a line over maxLineBytes is cut with an issue, and reading goes on', async () => {
    const text = `${'x'.repeat(5000)}\nSIP/2.0 200 OK\nCall-ID: a\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n`;
    const { messages, report } = await readText(text, { maxLineBytes: 1000, format: 'generic' }, 333);
    expect(report.issues.map((i) => i.code)).toContain('line-too-long');
    expect(messages.length).toBe(1);
    expect(messages[0]!.meta.origin.line).toBe(2);
  });

  it('an unknown format name falls back to the generic reader with a warning', async () => {
    const { report } = await readText('nothing here\n', { format: 'no-such-format' });
    expect(report.issues.map((i) => i.code)).toEqual(['unknown-format']);
  });

  it('a file with no SIP says so', async () => {
    const { messages, report } = await readText('just a log line\nanother\n');
    expect(messages).toEqual([]);
    expect(report.issues.map((i) => i.code)).toEqual(['no-sip-found']);
    expect(detectLogFormat('just a log line\n')).toBeNull();
  });

  it('an empty input gives nothing and no error', async () => {
    const { messages } = await readText('');
    expect(messages).toEqual([]);
  });

  it('an 1970 date is kept and flagged as a clock never set', async () => {
    const { messages, report } = await readText(
      '1970-01-01 00:00:12.345   pjsua_core.c  .RX 60 bytes Response msg 200/OPTIONS/cseq=1 (rdata0x1) from UDP 10.0.0.1:5060:\nSIP/2.0 200 OK\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n--end msg--\n',
    );
    expect(messages[0]!.meta.time).toBe(12345);
    expect(messages[0]!.issues.map((i) => i.code)).toEqual(['device-clock-unset']);
    expect(report.issues.map((i) => i.code)).toEqual(['device-clock-unset']);
  });

  it('malformed JSON records are reported one by one', async () => {
    const { messages, report } = await readText('{"layers": {"sip": 1}}\n{"layers": [broken]}\n{"layers": [', { format: 'tshark-ek' });
    expect(messages).toEqual([]);
    expect(report.issues.map((i) => i.code)).toEqual(['bad-json', 'truncated-json']);
  });
});

describe('hostile input: never throws, never hangs, counts what it gives', () => {
  // Pieces real logs are made of, shuffled into noise: every reader must survive any order of them.
  const pieces = [
    'SIP/2.0 200 OK',
    'INVITE sip:a@b SIP/2.0',
    'Content-Length: 5',
    'Content-Length: 99999999',
    'l: x',
    'Call-ID: z',
    '',
    '--end msg--',
    '#',
    '.',
    '{"layers": {"sip": {"sip.Status-Line": "SIP/2.0 200 OK", "sip.msg_hdr": "CSeq: 1 X\\r\\n"}}}',
    '[',
    '"',
    '====================',
    '~~~~~~~~~~~~~~~~~~~~',
    '||||||||||||||||||||',
    '16:35:39.843  pjsua_core.c  .RX 500 bytes Response msg 401/REGISTER/cseq=1 (rdata0x1) from TCP 1.2.3.4:5060:',
    'recv 494 bytes from udp/[1.2.3.4]:5060 at 11:46:10.771343:',
    '<--- Received SIP request (3126 bytes) from WSS:1.2.3.4:48850 --->',
    '<142>Jan  1 01:06:02 konfsip[1:1]: TX 1 bytes Request msg X/cseq=1 (t) to tls 1.2.3.4:5061:',
    'U 2019/05/15 09:02:04.629378 1.2.3.4:1 -> 5.6.7.8:5060',
    '3309492437mS SIP Rx: TCP 1.2.3.4:5060 -> 5.6.7.8:1',
    'Frame 1: 1 bytes on wire',
    'Session Initiation Protocol (INVITE)',
    '    Request-Line: INVITE sip:a SIP/2.0',
    '    Message Body',
    '#012SIP/2.0 200 OK#012Call-ID: q',
    '\x1b[31m',
    '\r',
    'v=0',
  ];
  const formats = [undefined, 'pjsip', 'sofia', 'asterisk', 'kamailio-sipdump', 'tshark-text', 'tshark-ek', 'ngrep', 'avaya-ipo-monitor', 'generic', 'audiocodes'];

  it('random mixes of log pieces, in every reader, in odd chunk sizes', async () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 60; round++) {
      const lines: string[] = [];
      const count = 1 + random(80);
      for (let i = 0; i < count; i++) lines.push(pieces[random(pieces.length)]!);
      const text = lines.join(random(2) === 0 ? '\n' : '\r\n');
      const format = formats[round % formats.length];
      const { messages, report } = await readText(text, format === undefined ? { maxMessageBytes: 4096 } : { format, maxMessageBytes: 4096 }, 1 + random(50));
      expect(report.messages).toBe(messages.length);
      for (const m of messages) {
        expect(m.bytes.length).toBeLessThanOrEqual(4096 + 2);
        expect(m.meta.origin.path).toBe('mem.log');
      }
    }
  });
});
