import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { hasTool } from '../../test/helpers/tools.js';
import { hostileValues, makeHostileCapture } from '../../test/report/hostile-capture.js';
import type { Loaded } from '../../test/report/fixtures.js';
import { loadRecords } from '../../test/report/fixtures.js';
import { createRedactor } from './redact.js';
import { viewMessage } from './message-view.js';

describe('createRedactor (unit)', () => {
  it('hides digest parameters, URI passwords and SDES keys by their syntax alone', () => {
    const r = createRedactor('secrets');
    const text = [
      'Authorization: Digest username="bob", nonce="abc123", response="0123456789abcdef", cnonce=zz99, qop=auth',
      'X-Uri: sip:bob:pa55word@example.com',
      'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4',
      'password = hunter2',
    ].join('\r\n');
    const out = r.redact(text);
    for (const secret of ['abc123', '0123456789abcdef', 'zz99', 'pa55word', 'WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz', 'hunter2']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('username="bob"');
    expect(out).toContain('sip:bob:[redacted]@example.com');
  });
  it('pseudonymises addresses consistently, IPv4 and IPv6', () => {
    const r = createRedactor('all');
    const a = r.redact('Via: SIP/2.0/UDP 192.168.1.20:5060;received=203.0.113.9');
    const b = r.redact('from [2001:db8:0:1::20]:5060 and 192.168.1.20 again');
    expect(a).not.toMatch(/192\.168|203\.0\.113/);
    expect(b).not.toContain('2001:db8:0:1::20');
    expect(a.match(/10\.0\.0\.\d+/)?.[0]).toBe(b.match(/10\.0\.0\.\d+/)?.[0]);
    expect(r.redact('18:01:02.123 CSeq: 1 INVITE')).toBe('18:01:02.123 CSeq: 1 INVITE');
  });
  it('a user part seen in a URI is hidden inside Call-IDs and tags too, with the same pseudonym', () => {
    const r = createRedactor('all');
    const from = r.redact('From: <sip:dave@example.com>;tag=1');
    const callId = r.redact('Call-ID: reg-dave-1-4941@192.0.2.7');
    expect(from).not.toContain('dave');
    expect(callId).not.toContain('dave');
    const pseudonym = from.slice(from.indexOf('sip:') + 4, from.indexOf('@'));
    expect(pseudonym).toMatch(/^user-\d+$/);
    expect(callId).toContain(`reg-${pseudonym}-1-4941@`);
  });
  it('keeps a port that is also a known extension, and hides the extension', () => {
    const r = createRedactor('all');
    const from = r.redact('From: <sip:5060@example.com>;tag=1');
    expect(from).not.toContain('5060');
    const via = r.redact('Via: SIP/2.0/UDP 192.168.1.20:5060;branch=z9hG4bK1, SIP/2.0/UDP [2001:db8::7]:5060, SIP/2.0/TCP pbx.example:5060');
    expect(via.match(/:5060\b/g)?.length).toBe(3);
    expect(r.redact('To: <sip:5060@example.com:5060>')).toMatch(/^To: <sip:user-\d+@example\.com:5060>$/);
  });
});

describe.skipIf(!hasTool('sipp') || !hasTool('tshark'))('createRedactor on a real capture', () => {
  let dir = '';
  let loaded: Loaded;
  beforeAll(async () => {
    const capture = await makeHostileCapture();
    dir = capture.dir;
    loaded = await loadRecords([capture.pcap]);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('leaves no password, nonce, cnonce or digest response in any message', () => {
    const secrets = new Set<string>([hostileValues.password, hostileValues.nonce]);
    for (const { message } of loaded.records) {
      for (const c of message.authorization) {
        if (c.response) secrets.add(c.response);
        if (c.cnonce) secrets.add(c.cnonce);
      }
    }
    // sipp answered the challenge: the capture really holds a digest response to hide.
    expect(secrets.size).toBeGreaterThanOrEqual(4);
    const r = createRedactor('secrets', loaded.records);
    const all = loaded.records.map((rec) => r.redact(viewMessage(rec).text)).join('\n');
    for (const s of secrets) expect(all).not.toContain(s);
    expect(all).toContain(hostileValues.caller);
  });

  it('with all, leaves no number or address, and gives the same pseudonym to the same value', () => {
    const r = createRedactor('all', loaded.records);
    const texts = loaded.records.map((rec) => r.redact(viewMessage(rec).text));
    const all = texts.join('\n');
    for (const v of [hostileValues.caller, hostileValues.callee, hostileValues.address, hostileValues.password, hostileValues.nonce]) {
      expect(all).not.toContain(v);
    }
    const again = createRedactor('all', loaded.records);
    expect(loaded.records.map((rec) => again.redact(viewMessage(rec).text))).toEqual(texts);
    const callIds = loaded.records.map((rec) => r.redact(rec.message.callId ?? ''));
    // Messages of one dialog still share one (pseudonymised) Call-ID.
    expect(new Set(callIds).size).toBe(new Set(loaded.records.map((rec) => rec.message.callId)).size);
  });
});
