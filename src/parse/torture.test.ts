import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Issue } from '../model/issue.js';
import type { SipMessage } from '../model/sip-message.js';
import { corpusDir, corpusFiles, corpusSkipReason, hasCorpus } from '../../test/helpers/corpus.js';
import { checkStrict } from './check-strict.js';
import { RFC4475 } from './fixtures/rfc4475-expectations.js';
import { parseMessage } from './parse-message.js';

/** Parse issues and strict-check issues together: what `siplens messages --json` shows for a file. */
function allIssues(m: SipMessage): Issue[] {
  return checkStrict(m);
}

const errors = (issues: Issue[]): string[] => issues.filter((i) => i.severity === 'error').map((i) => `${i.code}: ${i.message}`);

describe.skipIf(!hasCorpus)(`RFC 4475 torture messages (${hasCorpus ? 'corpus' : corpusSkipReason})`, () => {
  const files = corpusFiles('messages/rfc4475');

  it('has an expectation for every corpus file, and a file for every expectation', () => {
    expect(files.map((f) => basename(f)).sort()).toEqual(Object.keys(RFC4475).sort());
  });

  for (const [name, entry] of Object.entries(RFC4475)) {
    it(`${name} (§${entry.section} ${entry.what}): ${entry.expect === 'valid' ? 'no error' : entry.expect.join(', ')}`, () => {
      const message = parseMessage(readFileSync(join(corpusDir, 'messages', 'rfc4475', name)));
      const issues = allIssues(message);
      if (entry.expect === 'valid') {
        expect(errors(issues)).toEqual([]);
      } else {
        const codes = new Set(issues.map((i) => i.code));
        for (const code of entry.expect) expect(codes.has(code), `${code} in ${[...codes].join(', ')}`).toBe(true);
      }
      for (const i of issues) {
        if (i.span) {
          expect(i.span.start).toBeGreaterThanOrEqual(0);
          expect(i.span.end).toBeLessThanOrEqual(message.raw.length);
        }
      }
    });
  }

  it('reads the values the torture messages carry', () => {
    const read = (name: string): SipMessage => parseMessage(readFileSync(join(corpusDir, 'messages', 'rfc4475', name)));
    const wsinv = read('wsinv.dat');
    expect(wsinv.via.map((v) => [v.transport, v.host, v.branch])).toEqual([
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ]);
    expect(wsinv.to?.tag).toBe('1918181833n');
    expect(wsinv.from?.displayName).toBe('J Rosenberg \\"');
    expect(wsinv.cseq).toEqual({ seq: 9, method: 'INVITE' });
    expect(wsinv.maxForwards).toBe(68);
    expect(wsinv.contacts[0]?.q).toBe(0.33);
    expect(wsinv.header('s')).toBe('');
    expect(wsinv.header('NewFangledHeader')).toBe('newfangled value continued newfangled value');
    expect(wsinv.sdp?.media.map((m) => m.port)).toEqual([49217, 3227]);
    const esc01 = read('esc01.dat');
    expect(esc01.parsedRequestUri?.user).toBe('sips:user@example.com');
    const escnull = read('escnull.dat');
    expect(escnull.contacts.map((c) => c.uri.user)).toEqual(['\u0000', '\u0000\u0000']);
    const noreason = read('noreason.dat');
    expect([noreason.status, noreason.reason]).toEqual([100, '']);
    const unreason = read('unreason.dat');
    expect(unreason.reason).toContain('простое');
    const mpart = read('mpart01.dat');
    expect(mpart.parts.map((p) => p.contentType)).toEqual(['text/plain', 'application/octet-stream']);
    expect(new TextDecoder().decode(mpart.parts[0]!.body)).toBe('Hello');
    const semi = read('semiuri.dat');
    expect(semi.parsedRequestUri?.user).toBe('user;par=u@example.net');
    const regescrt = read('regescrt.dat');
    expect(regescrt.contacts[0]?.uri.headers.get('Route')).toBe('<sip:sip.example.com>');
    const regaut = read('regaut01.dat');
    expect(regaut.authorization[0]?.scheme).toBe('NoOneKnowsThisScheme');
    const bext = read('bext01.dat');
    expect(bext.require).toContain('nothingSupportsThis');
    expect(read('zeromf.dat').maxForwards).toBe(0);
    expect(read('dblreq.dat').body.length).toBe(0);
    const transports = read('transports.dat');
    expect(transports.via.map((v) => v.transport)).toEqual(['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
  });
});

describe.skipIf(!hasCorpus)(`validation samples (${hasCorpus ? 'corpus' : corpusSkipReason})`, () => {
  for (const file of corpusFiles('messages/validation')) {
    it(`${basename(file)} is read, never thrown on`, () => {
      const bytes = readFileSync(file);
      const m = parseMessage(bytes);
      const issues = checkStrict(m);
      expect(m.raw.length).toBe(bytes.length);
      if (basename(file).startsWith('Test_incomplete_buffer')) {
        expect(issues.some((i) => i.code === 'truncated-body' || i.code === 'truncated-headers')).toBe(true);
      }
      if (basename(file) === 'OK_REGISTER_Multiline_ContactHeader_1.sip') {
        // A log line before the message: the start line is not SIP.
        expect(issues.some((i) => i.code === 'bad-start-line')).toBe(true);
      }
      if (basename(file) === 'REGISTER_401_Unauthorized.sip') {
        expect(m.status).toBe(401);
        expect(m.wwwAuthenticate.length + m.proxyAuthenticate.length).toBeGreaterThan(0);
      }
    });
  }
});

/** RFC 5118 (IPv6 torture tests), typed from the RFC text as fixtures; line ends made CRLF as on the wire. */
describe('RFC 5118 IPv6 torture messages', () => {
  const dir = join(import.meta.dirname, 'fixtures', 'rfc5118');
  const read = (name: string): SipMessage =>
    parseMessage(Buffer.from(readFileSync(join(dir, name), 'utf8').replace(/\n/gu, '\r\n'), 'utf8'));
  const expectations: Record<string, { section: string; expect: 'valid' | readonly string[] }> = {
    'ipv6-good.sip': { section: '4.1', expect: 'valid' },
    'ipv6-bad.sip': { section: '4.2', expect: ['bad-request-uri', 'bad-contact'] },
    'port-ambiguous.sip': { section: '4.3', expect: 'valid' },
    'port-unambiguous.sip': { section: '4.4', expect: 'valid' },
    'via-received-param-with-delim.sip': { section: '4.5', expect: 'valid' },
    'via-received-param-no-delim.sip': { section: '4.5', expect: 'valid' },
    'ipv6-in-sdp.sip': { section: '4.6', expect: 'valid' },
    'mult-ip-in-header.sip': { section: '4.7', expect: 'valid' },
    'mult-ip-in-sdp.sip': { section: '4.8', expect: 'valid' },
    'ipv4-mapped-ipv6.sip': { section: '4.9', expect: 'valid' },
    'ipv6-bug-abnf-3-colons.sip': { section: '4.10', expect: ['bad-request-uri', 'bad-to'] },
    'ipv6-correct-abnf-2-colons.sip': { section: '4.10', expect: 'valid' },
  };

  it('has a fixture for every expectation', () => {
    expect(readdirSync(dir).sort()).toEqual(Object.keys(expectations).sort());
  });

  for (const [name, entry] of Object.entries(expectations)) {
    it(`${name} (§${entry.section})`, () => {
      const m = read(name);
      const issues = checkStrict(m);
      if (entry.expect === 'valid') {
        expect(issues.filter((i) => i.severity !== 'info').map((i) => `${i.code}: ${i.message}`)).toEqual([]);
      } else {
        const codes = new Set(issues.map((i) => i.code));
        for (const code of entry.expect) expect(codes.has(code), `${code} in ${[...codes].join(', ')}`).toBe(true);
      }
    });
  }

  it('reads IPv6 hosts, ports and SDP addresses', () => {
    const good = read('ipv6-good.sip');
    expect(good.parsedRequestUri).toMatchObject({ host: '2001:db8::10', hostKind: 'ipv6' });
    expect(good.parsedRequestUri?.port).toBeUndefined();
    expect(good.contacts[0]?.uri.host).toBe('2001:db8::1');
    expect(good.via[0]?.host).toBe('2001:db8::9:1');
    // §4.3: the last group belongs to the address; there is no port.
    const amb = read('port-ambiguous.sip');
    expect(amb.parsedRequestUri?.host).toBe('2001:db8::10:5070');
    expect(amb.parsedRequestUri?.port).toBeUndefined();
    expect(read('port-unambiguous.sip').parsedRequestUri).toMatchObject({ host: '2001:db8::10', port: 5070 });
    expect(read('via-received-param-with-delim.sip').via[0]?.received).toBe('[2001:db8::9:255]');
    expect(read('via-received-param-no-delim.sip').via[0]?.received).toBe('2001:db8::9:255');
    expect(read('mult-ip-in-header.sip').via.map((v) => [v.host, v.port])).toEqual([
      ['2001:db8::9:1', 6050],
      ['192.0.2.1', undefined],
      ['2001:db8::9:255', undefined],
    ]);
    expect(read('ipv6-in-sdp.sip').sdp?.connection).toBe('2001:db8::20');
    expect(read('mult-ip-in-sdp.sip').sdp?.media.map((m) => m.connection)).toEqual(['192.0.2.1', '2001:db8::1']);
    expect(read('ipv4-mapped-ipv6.sip').via[1]?.host).toBe('::ffff:192.0.2.2');
    expect(read('ipv6-correct-abnf-2-colons.sip').parsedRequestUri?.host).toBe('2001:db8::192.0.2.1');
  });
});
