// Log formats of programs Debian 12 does not ship (reSIProcate/repro, eXosip2; checked with apt-cache: no repro,
// resiprocate, libexosip2 or siproxd package), so no real log can be made in a test. Each sample below is written
// here, line by line, from the program's own print format as read in its source (cited beside each sample); the SIP
// messages in them are made up for the test, with documentation addresses (RFC 5737, RFC 3849).
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { detectLogFormat, frameLog } from '../../src/framing/logs/index.js';
import type { InputReport, RawMessage } from '../../src/model/index.js';
import { parseMessage } from '../../src/parse/index.js';

async function read(text: string, chunk = 97): Promise<{ messages: RawMessage[]; report: InputReport }> {
  const report: InputReport = { path: 'sample.log', kind: 'log', format: null, messages: 0, skipped: 0, issues: [] };
  const bytes = Buffer.from(text, 'latin1');
  const parts: Buffer[] = [];
  for (let o = 0; o < bytes.length; o += chunk) parts.push(bytes.subarray(o, o + chunk));
  const messages: RawMessage[] = [];
  for await (const m of frameLog(Readable.from(parts), { path: 'sample.log' }, report)) messages.push(m);
  return { messages, report };
}

const REGISTER = [
  'REGISTER sip:example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-524287-1---5e1b;rport',
  'Max-Forwards: 70',
  'Contact: <sip:alice@192.0.2.10:5060>',
  'To: <sip:alice@example.com>',
  'From: <sip:alice@example.com>;tag=8a1f2c',
  'Call-ID: reg-7d4e1c@192.0.2.10',
  'CSeq: 1 REGISTER',
  'Expires: 3600',
  'Content-Length: 0',
  '',
];
const OK = [
  'SIP/2.0 200 OK',
  'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-524287-1---5e1b;rport=5060',
  'Contact: <sip:alice@192.0.2.10:5060>;expires=3600',
  'To: <sip:alice@example.com>;tag=as6f1e',
  'From: <sip:alice@example.com>;tag=8a1f2c',
  'Call-ID: reg-7d4e1c@192.0.2.10',
  'CSeq: 1 REGISTER',
  'Content-Length: 0',
  '',
];
const crlf = (lines: readonly string[]): string => lines.join('\r\n');

describe('reSIProcate (rutil/Log.cxx line prefix, TransportSelector::transmit, Tuple operator<<)', () => {
  // `LEVEL | stamp | app | subsystem | thread | file:line | ` then "Transmitting to <tuple> tlsDomain=… via <tuple>",
  // std::endl twice, the message with its CRLFs (Data::escaped), then "sigcomp id=" straight after the last byte.
  const log = [
    'INFO | 20240115-101501.002 | repro | RESIP | 140233 | SipStack.cxx:273 | Stack starting',
    'DEBUG | 20240115-101502.123 | repro | RESIP:TRANSPORT | 140233 | TransportSelector.cxx:1398 | Transmitting to [ V4 198.51.100.7:5060 UDP targetDomain=example.com ] tlsDomain= via [ V4 192.0.2.10:5060 UDP ]',
    '',
    `${crlf(REGISTER)}\r\nsigcomp id=`,
    'DEBUG | 20240115-101502.130 | repro | RESIP:TRANSACTION | 140233 | TransactionState.cxx:2345 | TransactionState::process: SipResp: 200 tid=5e1b cseq=REGISTER',
    'DEBUG | 20240115-101503.500 | repro | RESIP:TRANSPORT | 140233 | TransportSelector.cxx:1398 | Transmitting to [ V6 2001:db8::7 port=5061 TLS targetDomain=example.com flowKey=12 ] tlsDomain=example.com via [ V6 2001:db8::10 port=5061 TLS ]',
    '',
    `${crlf(OK)}\r\nsigcomp id=`,
    '',
  ].join('\n');

  it('is detected and every sent message is read with its peer, transport and time', async () => {
    expect(detectLogFormat(log)?.format).toBe('resiprocate');
    const { messages, report } = await read(log);
    expect(report.issues.filter((i) => i.severity !== 'info')).toEqual([]);
    expect(messages.map((m) => [m.meta.direction, m.meta.src, m.meta.dst, m.meta.transport, m.meta.format])).toEqual([
      ['out', '192.0.2.10:5060', '198.51.100.7:5060', 'UDP', 'resiprocate'],
      ['out', '[2001:db8::10]:5061', '[2001:db8::7]:5061', 'TLS', 'resiprocate'],
    ]);
    expect(messages.map((m) => m.meta.time)).toEqual([Date.UTC(2024, 0, 15, 10, 15, 2, 123), Date.UTC(2024, 0, 15, 10, 15, 3, 500)]);
    const first = parseMessage(messages[0]!.bytes);
    expect([first.method, first.callId, first.issues]).toEqual(['REGISTER', 'reg-7d4e1c@192.0.2.10', []]);
    // "sigcomp id=" after the message is not part of it.
    expect(Buffer.from(messages[1]!.bytes).toString('latin1').endsWith('Content-Length: 0\r\n\r\n')).toBe(true);
  });
});

describe('eXosip2 (osip2 port_misc.c osip_trace prefix, eXtl_udp.c/eXtl_tcp.c transport traces)', () => {
  it('3.x/4.x: "Message sent: (to dest=…)" and "Received message:", the transport from the source file', async () => {
    // osip_trace: "| INFO1 | <%s: %i> " then the format; eXtl_udp.c "Message sent: (to dest=%s:%i)\n%s\n" and
    // "Received message: \n%s\n" followed by "Message received from: %s:%i\n".
    const log = [
      '| INFO1 | <eXconf.c: 511> eXosip: Binding on port 5060!',
      '| INFO1 | <eXtl_udp.c: 585> Message sent: (to dest=198.51.100.7:5060)',
      crlf(REGISTER),
      '',
      '| INFO1 | <eXtl_udp.c: 281> Received message: ',
      crlf(OK),
      '',
      '| INFO1 | <eXtl_udp.c: 318> Message received from: 198.51.100.7:5060',
      '',
    ].join('\n');
    expect(detectLogFormat(log)?.format).toBe('exosip');
    const { messages, report } = await read(log);
    expect(report.issues.filter((i) => i.severity !== 'info')).toEqual([]);
    expect(messages.map((m) => [m.meta.direction, m.meta.dst ?? null, m.meta.transport, parseMessage(m.bytes).cseq?.seq])).toEqual([
      ['out', '198.51.100.7:5060', 'UDP', 1],
      ['in', null, 'UDP', 1],
    ]);
    expect(parseMessage(messages[1]!.bytes).status).toBe(200);
  });

  it('5.x: "[eXosip] [TCP] [tid=N] message sent [len=N] to [ip][port]"', async () => {
    // eXtl_udp.c/eXtl_tcp.c 5.x: "[eXosip] [UDP] [tid=%i] message sent [len=%d] to [%s][%d]\n%s\n".
    const log = [
      `| INFO1 | <eXtl_tcp.c: 1450> [eXosip] [TCP] [tid=3] message sent [len=${crlf(REGISTER).length}] to [2001:db8::7][5060]`,
      crlf(REGISTER).replace('SIP/2.0/UDP', 'SIP/2.0/TCP'),
      '',
      `| INFO1 | <eXtl_udp.c: 1210> [eXosip] [UDP] [tid=4] message sent [len=${crlf(REGISTER).length}] to [198.51.100.7][5060]`,
      crlf(REGISTER).replace('CSeq: 1', 'CSeq: 2'),
      '',
    ].join('\n');
    expect(detectLogFormat(log)?.format).toBe('exosip');
    const { messages } = await read(log);
    expect(messages.map((m) => [m.meta.direction, m.meta.dst, m.meta.transport])).toEqual([
      ['out', '[2001:db8::7]:5060', 'TCP'],
      ['out', '198.51.100.7:5060', 'UDP'],
    ]);
  });
});
