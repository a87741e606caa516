import { describe, expect, it } from 'vitest';
import { checkStrict } from './check-strict.js';
import { parseMessage } from './parse-message.js';

/** Messages written here from the examples of the RFC that defines each header (values are the RFCs' own). */
function parse(lines: string[], body = ''): ReturnType<typeof parseMessage> {
  const text = `${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  return parseMessage(Buffer.from(text, 'utf8'));
}

describe('typed accessors', () => {
  it('reads a 401/407 challenge and the credentials that answer it (RFC 3261 §22.4, §25.1; RFC 7616)', () => {
    const r = parse([
      'SIP/2.0 401 Unauthorized',
      'Via: SIP/2.0/UDP bobspc.biloxi.com:5060;branch=z9hG4bKnashds7;received=192.0.2.4',
      'To: Bob <sip:bob@biloxi.com>;tag=2493k59kd',
      'From: Bob <sip:bob@biloxi.com>;tag=456248',
      'Call-ID: 843817637684230@998sdasdh09',
      'CSeq: 1826 REGISTER',
      'WWW-Authenticate: Digest realm="atlanta.com", domain="sip:boxesbybob.com", qop="auth,auth-int", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=MD5',
      'Proxy-Authenticate: Digest realm="biloxi.com", nonce="abc, with a comma", algorithm=SHA-256',
    ]);
    expect(r.wwwAuthenticate[0]).toMatchObject({
      scheme: 'Digest',
      realm: 'atlanta.com',
      nonce: 'f84f1cec41e6cbe5aea9c8e88d359',
      opaque: '',
      stale: false,
      algorithm: 'MD5',
      qop: ['auth', 'auth-int'],
      domain: 'sip:boxesbybob.com',
    });
    expect(r.proxyAuthenticate[0]?.nonce).toBe('abc, with a comma');
    expect(r.via[0]).toMatchObject({ host: 'bobspc.biloxi.com', port: 5060, received: '192.0.2.4', branch: 'z9hG4bKnashds7' });
    const q = parse([
      'REGISTER sip:biloxi.com SIP/2.0',
      'Authorization: Digest username="bob", realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:biloxi.com", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    ]);
    expect(q.authorization[0]).toMatchObject({
      scheme: 'Digest',
      username: 'bob',
      realm: 'biloxi.com',
      uri: 'sip:biloxi.com',
      qop: 'auth',
      nc: '00000001',
      cnonce: '0a4f113b',
      response: '6629fae49393a05397450978507c4ef1',
    });
  });

  it('reads every Via field, Proxy-Authorization, Content-Type and Content-Length (RFC 3261 §20.42, §20.28, §20.15, §20.14)', () => {
    const m = parse(
      [
        'INVITE sip:bob@biloxi.com SIP/2.0',
        'Via: SIP / 2.0 / UDP first.example.com:4000;ttl=16;maddr=224.2.0.1;branch=z9hG4bKa7c6a8dlze.1;rport=5070;received=192.0.2.7',
        'Via: SIP/2.0/WSS [2001:db8::9:1]:443;branch=z9hG4bK776asdhds',
        'Proxy-Authorization: Digest username="alice", realm="atlanta.com", nonce="wf84f1ceczx41ae6cbe5aea9c8e88d359", opaque="", uri="sip:bob@biloxi.com", response="42ce3cef44b22f50c6a6071bc8"',
        'Content-Type: Application/SDP; charset=ISO-10646',
      ],
      'v=0\r\n',
    );
    expect(m.via[0]).toMatchObject({
      protocol: 'SIP/2.0',
      transport: 'UDP',
      host: 'first.example.com',
      port: 4000,
      ttl: 16,
      maddr: '224.2.0.1',
      branch: 'z9hG4bKa7c6a8dlze.1',
      rport: 5070,
      received: '192.0.2.7',
    });
    expect(m.via[1]).toMatchObject({ transport: 'WSS', host: '2001:db8::9:1', port: 443 });
    expect(m.proxyAuthorization[0]).toMatchObject({
      scheme: 'Digest',
      username: 'alice',
      realm: 'atlanta.com',
      nonce: 'wf84f1ceczx41ae6cbe5aea9c8e88d359',
      opaque: '',
      uri: 'sip:bob@biloxi.com',
      response: '42ce3cef44b22f50c6a6071bc8',
    });
    expect(m.contentType).toMatchObject({ type: 'application', subtype: 'sdp' });
    expect(m.contentType?.params.get('charset')).toBe('ISO-10646');
    expect(m.contentLength).toBe(5);
    expect(parse(['OPTIONS sip:a@b SIP/2.0']).contentType).toBeUndefined();
  });

  it('reads Reason (RFC 3326 §2), Warning (RFC 3261 §20.43) and Retry-After (§20.33)', () => {
    const m = parse([
      'SIP/2.0 503 Service Unavailable',
      'Reason: SIP ;cause=580 ;text="Precondition Failure", Q.850;cause=16;text="Terminated"',
      'Warning: 307 isi.edu "Session parameter \'foo\' not understood", 301 isi.edu "Incompatible network address type \'E.164\'"',
      'Retry-After: 18000;duration=3600',
      'Min-Expires: 60',
    ]);
    expect(m.reasons.map((r) => [r.protocol, r.cause, r.text])).toEqual([
      ['SIP', 580, 'Precondition Failure'],
      ['Q.850', 16, 'Terminated'],
    ]);
    expect(m.warnings.map((w) => [w.code, w.agent, w.text])).toEqual([
      [307, 'isi.edu', "Session parameter 'foo' not understood"],
      [301, 'isi.edu', "Incompatible network address type 'E.164'"],
    ]);
    expect(m.retryAfter).toEqual({ seconds: 18000, duration: 3600 });
    expect(parse(['SIP/2.0 480 Temporarily Unavailable', 'Retry-After: 120 (I\'m in a meeting)']).retryAfter).toEqual({
      seconds: 120,
      comment: "I'm in a meeting",
    });
    expect(m.minExpires).toBe(60);
  });

  it('reads Contact lists, "*", expires and q (RFC 3261 §10.2, §20.10), and compact forms (§7.3.3)', () => {
    const m = parse([
      'REGISTER sip:registrar.biloxi.com SIP/2.0',
      'm: <sip:bob@192.0.2.4>;expires=3600;q=0.7, "Mr. Watson" <mailto:watson@bell-telephone.com> ;q=0.1',
      'Expires: 7200',
      'k: path, gruu',
      'i: a84b4c76e66710@pc33.atlanta.com',
      'f: Bob <sips:bob@biloxi.com>;tag=a73kszlfl',
      't: Bob <sips:bob@biloxi.com>',
      'v: SIP/2.0/TLS bobspc.biloxi.com:5061;branch=z9hG4bKnashds7;rport',
      'Max-Forwards: 70',
      'CSeq: 1 REGISTER',
    ]);
    expect(m.contacts.map((c) => [c.uri.host ?? c.uri.scheme, c.expires, c.q, c.displayName])).toEqual([
      ['192.0.2.4', 3600, 0.7, undefined],
      ['mailto', undefined, 0.1, 'Mr. Watson'],
    ]);
    expect(m.expires).toBe(7200);
    expect(m.supported).toEqual(['path', 'gruu']);
    expect(m.callId).toBe('a84b4c76e66710@pc33.atlanta.com');
    expect(m.from?.tag).toBe('a73kszlfl');
    expect(m.to?.uri.scheme).toBe('sips');
    expect(m.via[0]).toMatchObject({ transport: 'TLS', port: 5061, rport: null });
    expect(m.header('Via')).toBe(m.header('v'));
    expect(m.headers.find((h) => h.name === 'm')?.canonical).toBe('Contact');
    expect(checkStrict(m).filter((i) => i.severity === 'error')).toEqual([]);
    const star = parse(['REGISTER sip:registrar.biloxi.com SIP/2.0', 'Contact: *', 'Expires: 0']);
    expect(star.contacts).toMatchObject([{ star: true }]);
  });

  it('splits list headers but not inside quotes, <> or non-list headers; keeps order', () => {
    const m = parse([
      'INVITE sip:a@example.com SIP/2.0',
      'Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>',
      'Record-Route: <sip:p3.example.com;lr;x=a,b>',
      'Route: <sip:p4.example.com;lr>',
      'Allow: INVITE, ACK, OPTIONS, CANCEL, BYE',
      'Date: Sat, 13 Nov 2010 23:29:00 GMT',
      'P-Asserted-Identity: "Cullen Jennings" <sip:fluffy@cisco.com>, <tel:+14085264000>',
      'Diversion: <sip:2000@example.com>;reason=no-answer;counter=1',
      'History-Info: <sip:UserA@ims.example.com>;index=1, <sip:UserB@example.com?Reason=SIP%3Bcause%3D302>;index=1.1',
      'Session-Expires: 4000;refresher=uac',
      'Min-SE: 90',
      'Require: timer, 100rel',
      'Proxy-Require: sec-agree',
      'Unsupported: foo',
      'Accept: application/sdp, multipart/mixed',
      'User-Agent: softphone/1.0 (build 7, rev 3)',
    ]);
    expect(m.routes.map((r) => r.uri.host)).toEqual(['p1.example.com', 'p2.example.com', 'p4.example.com']);
    expect(m.recordRoutes).toHaveLength(1);
    expect(m.headerValues('Date')).toEqual(['Sat, 13 Nov 2010 23:29:00 GMT']);
    expect(m.allow).toEqual(['INVITE', 'ACK', 'OPTIONS', 'CANCEL', 'BYE']);
    expect(m.pAssertedIdentity.map((p) => p.uri.scheme)).toEqual(['sip', 'tel']);
    expect(m.pAssertedIdentity[1]?.uri.user).toBe('+14085264000');
    expect(m.diversion[0]?.params.get('reason')).toBe('no-answer');
    expect(m.historyInfo.map((h) => h.params.get('index'))).toEqual(['1', '1.1']);
    expect(m.historyInfo[1]?.uri.headers.get('Reason')).toBe('SIP;cause=302');
    expect(m.sessionExpires).toEqual({ seconds: 4000, refresher: 'uac' });
    expect(m.minSe).toBe(90);
    expect(m.require).toEqual(['timer', '100rel']);
    expect(m.proxyRequire).toEqual(['sec-agree']);
    expect(m.unsupported).toEqual(['foo']);
    expect(m.accept).toEqual(['application/sdp', 'multipart/mixed']);
    expect(m.userAgent).toBe('softphone/1.0 (build 7, rev 3)');
    expect(m.headers.map((h) => h.canonical).slice(0, 4)).toEqual(['Route', 'Record-Route', 'Route', 'Allow']);
  });

  it('reads Event, Subscription-State (RFC 6665), Security-Server (RFC 3329), RSeq and RAck (RFC 3262)', () => {
    const m = parse([
      'NOTIFY sip:a@example.com SIP/2.0',
      'o: dialog;id=1234',
      'Subscription-State: terminated;reason=timeout;retry-after=30',
      'Security-Server: ipsec-3gpp;q=0.1;alg=hmac-sha-1-96;spi-c=1111;spi-s=2222;port-c=9999;port-s=1234, tls;q=0.2',
      'RSeq: 988789',
      'RAck: 776656 1 INVITE',
    ]);
    expect(m.event).toMatchObject({ package: 'dialog', id: '1234' });
    expect(m.subscriptionState).toEqual({ state: 'terminated', reason: 'timeout', retryAfter: 30 });
    expect(m.securityServer.map((s) => [s.mechanism, s.params.get('q')])).toEqual([
      ['ipsec-3gpp', '0.1'],
      ['tls', '0.2'],
    ]);
    expect(m.rseq).toBe(988789);
    expect(m.rack).toEqual({ rseq: 776656, cseq: 1, method: 'INVITE' });
  });

  it('reads SDP: origin, connection, media, rtpmap/fmtp, direction, ICE, crypto, DTLS (RFC 8866, 8839, 4568, 8122)', () => {
    const sdp = [
      'v=0',
      'o=jdoe 2890844526 2890842807 IN IP4 198.51.100.1',
      's=-',
      'c=IN IP4 198.51.100.1',
      't=0 0',
      'a=ice-ufrag:F7gI',
      'a=ice-pwd:x9cml/YzichV2+XlhiMu8g',
      'm=audio 49170 RTP/SAVP 0 18 101',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:18 annexb=no',
      'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32',
      'a=sendonly',
      'm=video 51372/2 UDP/TLS/RTP/SAVPF 99',
      'c=IN IP6 2001:db8::1',
      'a=rtpmap:99 H264/90000',
      'a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB',
      'a=inactive',
      '',
    ].join('\r\n');
    const m = parse(['INVITE sip:a@example.com SIP/2.0', 'Content-Type: application/sdp'], sdp);
    const s = m.sdp!;
    expect(s.origin).toMatchObject({ username: 'jdoe', sessionId: '2890844526', address: '198.51.100.1' });
    expect(s.connection).toBe('198.51.100.1');
    expect(s.media.map((x) => [x.type, x.port, x.portCount, x.protocol, x.connection, x.direction, x.ice, x.crypto, x.dtls])).toEqual([
      ['audio', 49170, undefined, 'RTP/SAVP', '198.51.100.1', 'sendonly', true, true, false],
      ['video', 51372, 2, 'UDP/TLS/RTP/SAVPF', '2001:db8::1', 'inactive', true, false, true],
    ]);
    expect(s.media[0]?.codecs).toEqual([
      { payloadType: 0, name: 'PCMU', clockRate: 8000, channels: 1 },
      { payloadType: 18, name: 'G729', clockRate: 8000, channels: 1, fmtp: 'annexb=no' },
      { payloadType: 101, name: 'telephone-event', clockRate: 8000 },
    ]);
  });

  it('reports malformed typed headers as issues with the header line span, and keeps going', () => {
    const m = parse([
      'INVITE sip:a@example.com SIP/2.0',
      'CSeq: INVITE',
      'Via: SIP/2.0 host.example.com',
      'Max-Forwards: seventy',
      'Call-ID: ok@x',
    ]);
    expect(m.cseq).toBeUndefined();
    expect(m.via).toEqual([]);
    expect(m.maxForwards).toBeUndefined();
    expect(m.callId).toBe('ok@x');
    const codes = m.issues.map((i) => [i.code, i.severity]);
    expect(codes).toEqual(expect.arrayContaining([['bad-cseq', 'error'], ['bad-via', 'error'], ['bad-max-forwards', 'warning']]));
    const cseqIssue = m.issues.find((i) => i.code === 'bad-cseq')!;
    expect(new TextDecoder().decode(m.raw.subarray(cseqIssue.span!.start, cseqIssue.span!.end))).toBe('CSeq: INVITE');
  });

  it('keeps bytes that are not UTF-8 and says so, showing them safely', () => {
    const bytes = Buffer.concat([Buffer.from('SIP/2.0 200 OK\r\nServer: caf'), Buffer.from([0xe9, 0xff]), Buffer.from('\r\n\r\n')]);
    const m = parseMessage(bytes);
    expect(m.server).toBe('caf\uFFFD\uFFFD');
    const issue = m.issues.find((i) => i.code === 'non-utf8');
    expect(issue?.span).toEqual({ start: 27, end: 28 });
    expect(issue?.message).toContain('\\xe9');
    expect(m.raw[27]).toBe(0xe9);
  });

  it('applies limits from options, each hit reported', () => {
    const lines = ['OPTIONS sip:a@example.com SIP/2.0', ...Array.from({ length: 12 }, (_, i) => `X-H${i}: ${'v'.repeat(i * 10)}`)];
    const m = parseMessage(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), { maxHeaders: 5, maxHeaderBytes: 40, maxMessageBytes: 1 << 20 });
    expect(m.headers).toHaveLength(5);
    expect(m.issues.map((i) => i.code)).toEqual(expect.arrayContaining(['too-many-headers', 'header-too-long']));
    const big = parseMessage(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), { maxMessageBytes: 100 });
    expect(big.issues.map((i) => i.code)).toContain('message-too-large');
  });
});
