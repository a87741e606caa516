import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Issue } from '../model/issue.js';
import type { SipMessage } from '../model/sip-message.js';
import { corpusDir, corpusFiles, corpusSkipReason, hasCorpus } from '../../test/helpers/corpus.js';
import { checkStrict } from './check-strict.js';
import { parseMessage } from './parse-message.js';

/** Parse issues and strict-check issues together: what `siplens messages --json` shows for a file. */
function allIssues(m: SipMessage): Issue[] {
  return checkStrict(m);
}

const errors = (issues: Issue[]): string[] => issues.filter((i) => i.severity === 'error').map((i) => `${i.code}: ${i.message}`);

/**
 * RFC 4475 (SIP torture tests): every message file and what is expected of it. `valid` files must give no error
 * issue; the others must give every code listed (the problem RFC 4475 names in that section).
 */
const RFC4475: Record<string, { section: string; what: string; expect: 'valid' | readonly string[] }> = {
  // §3.1.1 Valid messages
  'wsinv.dat': { section: '3.1.1.1', what: 'a short tortuous INVITE', expect: 'valid' },
  'intmeth.dat': { section: '3.1.1.2', what: 'wide range of valid characters', expect: 'valid' },
  'esc01.dat': { section: '3.1.1.3', what: 'valid use of the % escaping mechanism', expect: 'valid' },
  'escnull.dat': { section: '3.1.1.4', what: 'escaped nulls in URIs', expect: 'valid' },
  'esc02.dat': { section: '3.1.1.5', what: 'use of % when it is not an escape', expect: 'valid' },
  'lwsdisp.dat': { section: '3.1.1.6', what: 'no LWS between display name and <', expect: 'valid' },
  'longreq.dat': { section: '3.1.1.7', what: 'long values in header fields', expect: 'valid' },
  'dblreq.dat': { section: '3.1.1.8', what: 'extra trailing octets in a UDP datagram', expect: 'valid' },
  'semiuri.dat': { section: '3.1.1.9', what: 'semicolon-separated parameters in URI user part', expect: 'valid' },
  'transports.dat': { section: '3.1.1.10', what: 'varied and unknown transport types', expect: 'valid' },
  'mpart01.dat': { section: '3.1.1.11', what: 'multipart MIME message', expect: 'valid' },
  'unreason.dat': { section: '3.1.1.12', what: 'unusual reason phrase', expect: 'valid' },
  'noreason.dat': { section: '3.1.1.13', what: 'empty reason phrase', expect: 'valid' },
  // §3.1.2 Invalid messages
  'badinv01.dat': { section: '3.1.2.1', what: 'extraneous header field separators', expect: ['bad-via'] },
  'clerr.dat': { section: '3.1.2.2', what: 'Content-Length larger than the message', expect: ['truncated-body'] },
  'ncl.dat': { section: '3.1.2.3', what: 'negative Content-Length', expect: ['bad-content-length'] },
  'scalar02.dat': { section: '3.1.2.4', what: 'request scalar fields with overlarge values', expect: ['bad-cseq', 'bad-max-forwards', 'bad-expires'] },
  'scalarlg.dat': { section: '3.1.2.5', what: 'response scalar fields with overlarge values', expect: ['bad-cseq', 'bad-retry-after', 'bad-warning'] },
  'quotbal.dat': { section: '3.1.2.6', what: 'unterminated quoted string in display name', expect: ['bad-to'] },
  'ltgtruri.dat': { section: '3.1.2.7', what: '<> enclosing the Request-URI', expect: ['bad-request-uri'] },
  'lwsruri.dat': { section: '3.1.2.8', what: 'malformed Request-URI (embedded LWS)', expect: ['bad-request-uri'] },
  'lwsstart.dat': { section: '3.1.2.9', what: 'multiple SP separating Request-Line elements', expect: ['bad-start-line'] },
  'trws.dat': { section: '3.1.2.10', what: 'SP characters at the end of the Request-Line', expect: ['bad-start-line'] },
  'escruri.dat': { section: '3.1.2.11', what: 'escaped headers in the Request-URI', expect: ['bad-request-uri'] },
  'baddate.dat': { section: '3.1.2.12', what: 'invalid time zone in the Date header', expect: ['bad-date'] },
  'regbadct.dat': { section: '3.1.2.13', what: 'failure to enclose a name-addr URI in <>', expect: ['bad-contact'] },
  'badaspec.dat': { section: '3.1.2.14', what: 'spaces within addr-spec', expect: ['bad-to'] },
  'baddn.dat': { section: '3.1.2.15', what: 'non-token characters in display name', expect: ['bad-from', 'bad-to'] },
  'badvers.dat': { section: '3.1.2.16', what: 'unknown protocol version', expect: ['unsupported-version'] },
  'mismatch01.dat': { section: '3.1.2.17', what: 'start line and CSeq method mismatch', expect: ['cseq-method-mismatch'] },
  'mismatch02.dat': { section: '3.1.2.18', what: 'unknown method with CSeq method mismatch', expect: ['cseq-method-mismatch'] },
  'bigcode.dat': { section: '3.1.2.19', what: 'overlarge response code', expect: ['bad-status-code'] },
  // §3.2 Transaction layer: syntactically valid
  'badbranch.dat': { section: '3.2.1', what: 'missing transaction identifier (bare z9hG4bK)', expect: 'valid' },
  // §3.3 Application layer: syntactically valid except where the section names a header problem
  'insuf.dat': { section: '3.3.1', what: 'missing required header fields', expect: ['missing-header'] },
  'unkscm.dat': { section: '3.3.2', what: 'Request-URI with an unknown scheme', expect: 'valid' },
  'novelsc.dat': { section: '3.3.3', what: 'Request-URI with a known but atypical scheme', expect: 'valid' },
  'unksm2.dat': { section: '3.3.4', what: 'unknown URI schemes in header fields', expect: 'valid' },
  'bext01.dat': { section: '3.3.5', what: 'Proxy-Require and Require', expect: 'valid' },
  'invut.dat': { section: '3.3.6', what: 'unknown Content-Type', expect: 'valid' },
  'regaut01.dat': { section: '3.3.7', what: 'unknown authorization scheme', expect: 'valid' },
  'multi01.dat': { section: '3.3.8', what: 'multiple values in single-value required fields', expect: ['multiple-values'] },
  'mcl01.dat': { section: '3.3.9', what: 'multiple Content-Length values', expect: ['multiple-content-length'] },
  'bcast.dat': { section: '3.3.10', what: '200 OK with a broadcast Via', expect: 'valid' },
  'zeromf.dat': { section: '3.3.11', what: 'Max-Forwards of zero', expect: 'valid' },
  'cparam01.dat': { section: '3.3.12', what: 'REGISTER with a contact header parameter', expect: 'valid' },
  'cparam02.dat': { section: '3.3.13', what: 'REGISTER with a URL parameter', expect: 'valid' },
  'regescrt.dat': { section: '3.3.14', what: 'REGISTER with a URL-escaped header', expect: 'valid' },
  'sdp01.dat': { section: '3.3.15', what: 'unacceptable Accept offering', expect: 'valid' },
  // §3.4 Backward compatibility
  'inv2543.dat': { section: '3.4.1', what: 'INVITE with RFC 2543 syntax', expect: 'valid' },
  // Not in RFC 4475: an extra file of the same collection (no SIP version, a header line without a colon)
  'test.dat': { section: '-', what: 'no SIP version; a header line without a colon', expect: ['bad-start-line', 'header-without-colon'] },
};

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
