import { execFileSync } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { detectLogFormat, frameLog } from '../../src/framing/logs/index.js';
import type { InputReport, RawMessage } from '../../src/model/index.js';
import { parseMessage } from '../../src/parse/index.js';
import { corpusDir, hasCorpus } from '../helpers/corpus.js';
import { hasTool } from '../helpers/tools.js';

/** Reads a whole file through frameLog in small chunks (so messages and lines cross chunk borders). */
export async function readLog(path: string, options: { format?: string; year?: number; chunk?: number } = {}): Promise<{ messages: RawMessage[]; report: InputReport }> {
  const report: InputReport = { path, kind: 'log', format: null, messages: 0, skipped: 0, issues: [] };
  const messages: RawMessage[] = [];
  const stream = createReadStream(path, { highWaterMark: options.chunk ?? 4096 });
  const { chunk: _chunk, ...rest } = options;
  for await (const m of frameLog(stream, { path: basename(path), ...rest }, report)) messages.push(m);
  return { messages, report };
}

/** `in 1.2.3.4:5060` (the peer is the source), `out 1.2.3.4:5060` (the destination), or `a -> b` when the log gives both ends and no side. */
function describeFlow(m: RawMessage): string {
  const { direction, src, dst } = m.meta;
  if (direction === 'in') return `in ${src ?? '?'}`;
  if (direction === 'out') return `out ${dst ?? '?'}`;
  if (src !== undefined || dst !== undefined) return `${src ?? '?'} -> ${dst ?? '?'}`;
  return '-';
}

interface Expected {
  readonly file: string;
  readonly format: string;
  /** Messages a person counts in the file (read by hand). */
  readonly messages: number;
  /** Per message, in order: direction and peer where the log gives them (see describeFlow). */
  readonly flows?: readonly string[];
  /** Per message: its first line. */
  readonly starts?: readonly string[];
  /** Issue codes the input report must hold (the log lost something a person sees is missing). */
  readonly inputIssues?: readonly string[];
  /** Issue codes on the last message (a cut excerpt). */
  readonly lastIssues?: readonly string[];
  /** Why, when the count needs a word. */
  readonly note?: string;
}

// Counted by hand, reading each file. Peers as the log writes them (IPv4 brackets of Sofia removed, IPv6 kept).
const FORMATS: readonly Expected[] = [
  {
    file: 'asterisk_pjsip_browser-phone-301_wss_invite_truncated.log',
    format: 'asterisk',
    messages: 1,
    flows: ['in 66.154.105.4:48850'],
    starts: ['INVITE sip:102030@russiancoms.com SIP/2.0'],
    lastIssues: ['truncated-body'],
    note: 'the excerpt stops inside the 2627-byte SDP',
  },
  {
    file: 'audiocodes_pastash-75_syslog_hash012_escaped.log',
    format: 'audiocodes',
    messages: 1,
    flows: ['in 52.114.75.24:5061'],
    starts: ['SIP/2.0 200 OK'],
    lastIssues: ['truncated-headers'],
    note: 'one syslog line, line ends escaped as #012, cut inside the Via header',
  },
  {
    file: 'audiocodes_pastash-75_syslog_indented_continuation.log',
    format: 'audiocodes',
    messages: 0,
    inputIssues: ['message-missing'],
    note: 'announces an outgoing message whose text is not in the excerpt',
  },
  {
    file: 'baresip-2344_sip_trace.log',
    format: 'baresip',
    messages: 1,
    flows: ['192.168.0.240:37472 -> 192.168.0.17:5060'],
    starts: ['REGISTER sip:192.168.0.17 SIP/2.0'],
    lastIssues: ['truncated-headers'],
  },
  {
    file: 'cisco_ios_debug_ccsip_messages_doc.log',
    format: 'cisco-ccsip',
    messages: 2,
    flows: ['out ?', 'in ?'],
    starts: ['INVITE sip:78002@csps-release.example1.com:5060 SIP/2.0', 'SIP/2.0 100 Trying'],
  },
  {
    file: 'esp-adf-209_dash_separated_401.log',
    format: 'generic',
    messages: 2,
    flows: ['-', '-'],
    starts: ['INVITE sip:101@192.168.1.2 SIP/2.0', 'SIP/2.0 401 Unauthorized'],
  },
  {
    file: 'ipv6frag_all_sip_tshark-O-sip.txt',
    format: 'tshark-text',
    messages: 32,
    note: 'one message per frame, as tshark -Y sip reads pcap/ipv6frag.pcap (compared below)',
  },
  {
    file: 'linphone-android-791_logcat_per_line_prefix.log',
    format: 'belle-sip',
    messages: 1,
    flows: ['out 192.168.1.181:5060'],
    starts: ['MESSAGE sip:0130@192.168.1.181 SIP/2.0'],
    lastIssues: ['truncated-headers'],
  },
  {
    file: 'linphone-iphone-796_oslog_tab_indented.log',
    format: 'belle-sip',
    messages: 0,
    inputIssues: ['headers-without-start-line'],
    note: 'headers of an INVITE transaction whose start line is not in the excerpt',
  },
  {
    file: 'ngrep_byline_baresip-717_register_401.log',
    format: 'ngrep',
    messages: 2,
    flows: ['192.168.8.140:50441 -> 192.168.8.1:5060', '192.168.8.1:5060 -> 192.168.8.140:50441'],
    starts: ['REGISTER sip:192.168.8.1 SIP/2.0', 'SIP/2.0 401 Unauthorized'],
  },
  {
    file: 'pjsip_pjproject-2342_tcp_401.log',
    format: 'pjsip',
    messages: 1,
    flows: ['in 116.15.91.124:5060'],
    starts: ['SIP/2.0 401 Unauthorized'],
  },
  {
    file: 'pjsip_pjproject-3308_register_retransmit.log',
    format: 'pjsip',
    messages: 2,
    flows: ['out 91.121.209.194:5060', 'out 91.121.209.194:5060'],
    starts: ['REGISTER sip:sip.linphone.org SIP/2.0', 'REGISTER sip:sip.linphone.org SIP/2.0'],
    note: 'the same REGISTER retransmitted 4 s later: two messages',
  },
  {
    file: 'pjsip_pjproject-3414_401_then_register.log',
    format: 'pjsip',
    messages: 2,
    flows: ['in 10.63.16.2:5060', 'out 10.63.16.2:5060'],
    starts: ['SIP/2.0 401 Unauthorized', 'REGISTER sip:10.63.16.2 SIP/2.0'],
    lastIssues: ['truncated-headers'],
  },
  {
    file: 'pjsip_pjproject-3850_app_prefix_401.log',
    format: 'pjsip',
    messages: 1,
    flows: ['in 106.15.192.204:15060'],
    starts: ['SIP/2.0 401 Unauthorized'],
  },
  {
    file: 'pjsip_pjproject-4565_tls_ipv6_compact_headers.log',
    format: 'pjsip',
    messages: 1,
    flows: ['in [24aa:ac00]:5061'],
    starts: ['SIP/2.0 100 Trying'],
  },
  {
    file: 'pjsip_tg2sip-17_custom_logger_dropped.log',
    format: 'pjsip',
    messages: 1,
    flows: ['in IP_TG2SIP:5060'],
    starts: ['REGISTER sip:IP_PBX:5060 SIP/2.0'],
  },
  {
    file: 'sip-tcp_tshark-T-ek.ndjson',
    format: 'tshark-ek',
    messages: 2,
    flows: ['127.0.0.1:58882 -> 127.0.0.1:5060', '127.0.0.1:5060 -> 127.0.0.1:58882'],
    starts: ['REGISTER sip:192.168.43.100;transport=TCP SIP/2.0', 'SIP/2.0 200 OK'],
  },
  {
    file: 'sipsorcery-370_tls_401.log',
    format: 'sipsorcery',
    messages: 2,
    flows: ['in 187.28.102.101:5061', 'out 187.28.102.101:5061'],
    starts: ['SIP/2.0 401 Unauthorized', 'REGISTER sip:voip.hosted.embratel.net.br SIP/2.0'],
    lastIssues: ['truncated-headers'],
  },
  {
    file: 'sofia_drachtio-srf-17_debug_with_recv_401.log',
    format: 'sofia',
    messages: 1,
    flows: ['in 192.168.1.1:5060'],
    starts: ['SIP/2.0 401 Unauthorized'],
  },
  {
    file: 'sofia_freeswitch-1144_fs_log_interleaved.log',
    format: 'sofia',
    messages: 0,
    inputIssues: ['message-missing'],
    note: 'announces "send 1052 bytes" but the excerpt ends after the word INVITE: no message to read',
  },
  {
    file: 'sofia_freeswitch_baresip-1307_siptrace_register_401.log',
    format: 'sofia',
    messages: 2,
    flows: ['in 192.168.70.6:59169', 'out 192.168.70.6:59169'],
    starts: ['REGISTER sip:192.168.70.88:1890;transport=udp SIP/2.0', 'SIP/2.0 401 Unauthorized'],
    lastIssues: ['truncated-headers'],
  },
];

function startOf(m: RawMessage): string {
  const text = Buffer.from(m.bytes).toString('latin1');
  return text.slice(0, text.indexOf('\r\n'));
}

function codes(issues: readonly { code: string }[]): string[] {
  return [...new Set(issues.map((i) => i.code))].sort();
}

describe.skipIf(!hasCorpus)('corpus/formats: one reader per format', () => {
  it('has a row for every file of corpus/formats', () => {
    const files = readdirNames(join(corpusDir, 'formats'));
    expect(files).toEqual(FORMATS.map((f) => f.file).sort());
  });

  for (const row of FORMATS) {
    it(`${row.file}: ${row.messages} message(s)${row.note === undefined ? '' : ` (${row.note})`}`, async () => {
      const path = join(corpusDir, 'formats', row.file);
      expect(detectLogFormat(readFileSync(path).subarray(0, 65536).toString('latin1'))?.format).toBe(row.format);
      for (const chunk of [7, 4096]) {
        const { messages, report } = await readLog(path, { chunk });
        expect(messages.length, `chunks of ${chunk}`).toBe(row.messages);
        expect(report.messages).toBe(row.messages);
        if (row.flows !== undefined) expect(messages.map(describeFlow)).toEqual(row.flows);
        if (row.starts !== undefined) expect(messages.map(startOf)).toEqual(row.starts);
        for (const code of row.inputIssues ?? []) expect(codes(report.issues)).toContain(code);
        const last = messages[messages.length - 1];
        if (last !== undefined) expect(codes(last.issues)).toEqual([...(row.lastIssues ?? [])].sort());
        for (const m of messages) {
          expect(m.meta.format).toBe(row.format);
          expect(m.meta.origin.path).toBe(row.file);
          expect(m.meta.origin.line ?? m.meta.origin.packet).toBeGreaterThan(0);
        }
      }
    });
  }

  it('PJSIP: bodies and headers come out with CRLF and match the byte count PJSIP logged', async () => {
    for (const file of ['pjsip_pjproject-3308_register_retransmit.log', 'pjsip_pjproject-3414_401_then_register.log', 'pjsip_pjproject-3850_app_prefix_401.log']) {
      const path = join(corpusDir, 'formats', file);
      const lines = readFileSync(path, 'latin1').split('\n');
      const { messages } = await readLog(path);
      for (const m of messages) {
        if (m.issues.length > 0) continue;
        const announced = announcedBytes(lines[m.meta.origin.line! - 2]!);
        expect(m.bytes.length, `${file}:${m.meta.origin.line}`).toBe(Number(announced));
        const parsed = parseMessage(m.bytes);
        expect(parsed.callId).toBeDefined();
        expect(parsed.cseq).toBeDefined();
      }
    }
  });

  it('keeps a time of day as text and a full date as time', async () => {
    const tod = await readLog(join(corpusDir, 'formats', 'pjsip_pjproject-3308_register_retransmit.log'));
    expect(tod.messages.map((m) => [m.meta.time, m.meta.timeText, m.meta.clock])).toEqual([
      [null, '18:14:08.505', 18 * 3600 + 14 * 60 + 8.505],
      [null, '18:14:12.505', 18 * 3600 + 14 * 60 + 12.505],
    ]);
    const dated = await readLog(join(corpusDir, 'formats', 'pjsip_pjproject-3414_401_then_register.log'));
    expect(dated.messages[0]!.meta.time).toBe(Date.UTC(2023, 1, 22, 18, 34, 2, 345));
  });
});

describe.skipIf(!hasCorpus || !hasTool('tshark'))('corpus: Wireshark exports read as tshark reads the capture', () => {
  function tsharkFields(pcap: string): string[] {
    const out = execFileSync('tshark', ['-r', pcap, '-Y', 'sip', '-T', 'fields', '-E', 'occurrence=f', '-e', 'sip.Call-ID', '-e', 'sip.CSeq'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n').filter((l) => l !== '');
  }
  function ours(messages: RawMessage[]): string[] {
    return messages.map((m) => {
      const p = parseMessage(m.bytes);
      return `${p.callId ?? ''}\t${p.cseq === undefined ? '' : `${p.cseq.seq} ${p.cseq.method}`}`;
    });
  }

  it('the -O sip text export of pcap/ipv6frag.pcap gives the same messages, in order', async () => {
    const { messages } = await readLog(join(corpusDir, 'formats', 'ipv6frag_all_sip_tshark-O-sip.txt'));
    expect(ours(messages)).toEqual(tsharkFields(join(corpusDir, 'pcap', 'ipv6frag.pcap')));
  });

  it('the EK export of the TCP capture gives the same messages, with exact bytes from the payload', async () => {
    const { messages } = await readLog(join(corpusDir, 'formats', 'sip-tcp_tshark-T-ek.ndjson'));
    expect(ours(messages)).toEqual(tsharkFields(join(corpusDir, 'pcap', 'suricata-sip-tcp-method__sip-tcp.pcap')));
    expect(messages[0]!.meta.time).toBe(1643827934643.277);
  });
});

/** Captures whose SIP tshark and siplens count differently, with the reason. */
const TSHARK_DIFFERENCES: Record<string, string> = {
  'http_on_sip_port.pcap': 'tshark dissects the HTTP exchange on TCP 5060 as SIP; its export has no SIP start line, so siplens reads none',
};

describe.skipIf(!hasCorpus || !hasTool('tshark'))('corpus/pcap exported by tshark -T json and -T ek: the messages tshark reads', () => {
  const pcaps = readdirNames(join(corpusDir, 'pcap'));
  for (const file of pcaps) {
    for (const format of ['json', 'ek'] as const) {
      it(`${file} (-T ${format})`, async () => {
        const pcap = join(corpusDir, 'pcap', file);
        const want = execFileSync('tshark', ['-r', pcap, '-Y', 'sip', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', '-e', 'sip.Call-ID', '-e', 'sip.CSeq'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        })
          .split('\n')
          .filter((l) => l !== '')
          .flatMap((l) => {
            const [c, q] = l.split('\t');
            const seqs = (q ?? '').split('|');
            return (c ?? '').split('|').map((id, i) => `${id}\t${seqs[i] ?? ''}`);
          });
        const exported = execFileSync('tshark', ['-r', pcap, '-Y', 'sip', '-T', format], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
        const report: InputReport = { path: file, kind: 'log', format: null, messages: 0, skipped: 0, issues: [] };
        const chunks = [];
        for (let o = 0; o < exported.length; o += 4096) chunks.push(exported.subarray(o, o + 4096));
        const got: RawMessage[] = [];
        for await (const m of frameLog(Readable.from(chunks), { path: file }, report)) got.push(m);
        if (TSHARK_DIFFERENCES[file] !== undefined) {
          expect(got).toEqual([]);
          return;
        }
        expect(got.every((m) => m.meta.format === `tshark-${format}`)).toBe(true);
        expect(ours(got)).toEqual(want);
        expect(got.every((m) => m.meta.time !== null && m.meta.src !== undefined && m.meta.dst !== undefined)).toBe(true);
      });
    }
  }
});

function ours(messages: RawMessage[]): string[] {
  return messages.map((m) => {
    const p = parseMessage(m.bytes);
    return `${p.callId ?? ''}\t${p.cseq === undefined ? '' : `${p.cseq.seq} ${p.cseq.method}`}`;
  });
}

const LOGS: readonly (Expected & { in: number; out: number; peers: readonly string[] })[] = [
  {
    file: 'Attendant1.log',
    format: 'avaya-attendant',
    messages: 76,
    in: 34,
    out: 42,
    peers: [],
    note: '15 requestReceived + 19 responseReceived, 31 sendingOut Request + 11 sendingOut Response; no addresses in this log',
  },
  {
    file: 'IPO_Monitor_Detail_Out.txt',
    format: 'avaya-ipo-monitor',
    messages: 34,
    in: 18,
    out: 16,
    peers: ['10.255.1.21:23588 -> 213.148.136.222:5060', '213.148.136.222:5060 -> 10.255.1.21:23588'],
    note: '18 "SIP Rx", 16 "SIP Tx"; six Proxy-Authorization lines wrapped at 255 characters',
  },
  {
    file: 'ade_b179_syslog.txt',
    format: 'pjsip',
    messages: 28,
    in: 14,
    out: 14,
    peers: ['in 135.124.168.107:5061', 'out 135.124.168.107:5061'],
    inputIssues: ['device-clock-unset'],
    note: '14 TX + 14 RX PJSIP traces inside syslog; the first 12 dated 1 January (clock not yet set)',
  },
];

describe.skipIf(!hasCorpus)('corpus/logs: whole device logs', () => {
  it('has a row for every file of corpus/logs', () => {
    expect(readdirNames(join(corpusDir, 'logs'))).toEqual(LOGS.map((f) => f.file).sort());
  });

  for (const row of LOGS) {
    it(`${row.file}: ${row.messages} messages (${row.note ?? ''})`, async () => {
      const path = join(corpusDir, 'logs', row.file);
      expect(detectLogFormat(readFileSync(path).subarray(0, 65536).toString('latin1'))?.format).toBe(row.format);
      const { messages, report } = await readLog(path, { chunk: 65536 });
      expect(messages.length).toBe(row.messages);
      expect(messages.filter((m) => m.meta.direction === 'in').length).toBe(row.in);
      expect(messages.filter((m) => m.meta.direction === 'out').length).toBe(row.out);
      if (row.peers.length > 0) {
        const flows = new Set(messages.map((m) => (m.meta.src !== undefined && m.meta.dst !== undefined ? `${m.meta.src} -> ${m.meta.dst}` : describeFlow(m))));
        expect([...flows].sort()).toEqual([...row.peers].sort());
      }
      for (const code of row.inputIssues ?? []) expect(codes(report.issues)).toContain(code);
      for (const m of messages) {
        const parsed = parseMessage(m.bytes);
        expect(parsed.callId, `${row.file}:${m.meta.origin.line}`).toBeDefined();
        expect(parsed.cseq, `${row.file}:${m.meta.origin.line}`).toBeDefined();
        expect(m.issues.filter((i) => i.severity === 'error'), `${row.file}:${m.meta.origin.line}`).toEqual([]);
      }
    });
  }

  it('B179: every message has exactly the byte count PJSIP logged, and an unset clock is flagged, not hidden', async () => {
    const path = join(corpusDir, 'logs', 'ade_b179_syslog.txt');
    const lines = readFileSync(path, 'latin1').split('\n');
    const { messages } = await readLog(path);
    for (const m of messages) {
      const announced = announcedBytes(lines[m.meta.origin.line! - 2]!);
      expect(m.bytes.length).toBe(Number(announced));
    }
    const unset = messages.filter((m) => m.issues.some((i) => i.code === 'device-clock-unset'));
    expect(unset.map((m) => m.meta.timeText?.slice(0, 6))).toEqual(Array(12).fill('Jan  1'));
    expect(messages[12]!.meta.timeText).toBe('May 27 12:06:07');
    expect(messages[12]!.meta.time).toBeNull();
    const withYear = await readLog(path, { year: 2016 });
    expect(withYear.messages[12]!.meta.time).toBe(Date.UTC(2016, 4, 27, 12, 6, 7));
  });

  it('IP Office: the uptime clock is kept as text and seconds', async () => {
    const { messages } = await readLog(join(corpusDir, 'logs', 'IPO_Monitor_Detail_Out.txt'));
    expect(messages[0]!.meta).toMatchObject({ time: null, timeText: '3309492437mS', clock: 3309492.437, transport: 'TCP' });
  });
});

function readdirNames(dir: string): string[] {
  return execFileSync('ls', ['-1', dir], { encoding: 'utf8' })
    .split('\n')
    .filter((n) => n !== '' && !n.startsWith('.'))
    .sort();
}

/** The N of PJSIP's `TX N bytes` / `RX N bytes` on the line before a message. */
function announcedBytes(line: string): number {
  const b = line.indexOf(' bytes ');
  const x = Math.max(line.lastIndexOf('TX ', b), line.lastIndexOf('RX ', b));
  return Number(line.slice(x + 3, b));
}
