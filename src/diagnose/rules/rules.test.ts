// Each rule family against message flows written after RFC 3665, with the failure of interest swapped in.
import { describe, expect, it } from 'vitest';
import {
  addresses,
  aliceOffer,
  answer,
  bobAddr,
  bobAnswer,
  challenge,
  invite,
  register,
  registerResponse,
  registrarAddr,
  toRecords,
} from '../../../test/scenarios/flows.js';
import type { Wire } from '../../../test/scenarios/flows.js';
import { analyzeRecords } from '../analyzer.js';

const { alice, bob, proxy } = addresses;
const w = (t: number, src: string, dst: string, text: string): Wire => ({ t, src, dst, text });
const up = (t: number, text: string): Wire => ({ t, src: bobAddr, dst: registrarAddr, text });
const down = (t: number, text: string): Wire => ({ t, src: registrarAddr, dst: bobAddr, text });

function findingsOf(flow: readonly Wire[]) {
  return analyzeRecords(toRecords(flow)).result;
}

/** An INVITE from Alice answered with one final response carrying `extra` headers. */
function rejected(status: number, reason: string, extra = '', request = '') {
  return findingsOf([
    w(0, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKx1', sdp: aliceOffer, extra: request })),
    w(0.2, bob, alice, answer({ status, reason, cseq: 1, branch: 'z9hG4bKx1', method: 'INVITE', toTag: 'x', extra })),
    w(0.21, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKx1', method: 'ACK', toTag: 'x' })),
  ]);
}

describe('extensions and session timers', () => {
  it('420 names the unsupported option tags', () => {
    const r = rejected(420, 'Bad Extension', 'Unsupported: 100rel\n', 'Require: 100rel\n');
    const f = r.findings.find((x) => x.rule === 'ext.bad-extension');
    expect(f?.details['unsupported']).toEqual(['100rel']);
    expect(f?.details['require']).toEqual(['100rel']);
  });
  it('421 names what the other side requires', () => {
    const f = rejected(421, 'Extension Required', 'Require: timer\n').findings.find((x) => x.rule === 'ext.extension-required');
    expect(f?.details['require']).toEqual(['timer']);
  });
  it('422 carries Min-SE against the Session-Expires asked', () => {
    const f = rejected(422, 'Session Interval Too Small', 'Min-SE: 1800\n', 'Session-Expires: 90\n').findings.find((x) => x.rule === 'ext.session-interval-too-small');
    expect(f?.details['minSe']).toBe(1800);
    expect(f?.details['sessionExpires']).toBe(90);
  });
});

describe('dialog and routing errors', () => {
  it('483 reports the Max-Forwards of the request', () => {
    const f = rejected(483, 'Too Many Hops').findings.find((x) => x.rule === 'routing.too-many-hops');
    expect(f?.details['maxForwards']).toBe(70);
  });
  it('482 is a loop', () => {
    expect(rejected(482, 'Loop Detected').findings.map((x) => x.rule)).toContain('routing.loop-detected');
  });
  it('491 on a re-INVITE is glare, and 481 to a BYE says the dialog is gone', () => {
    const ok = { cseq: 1, branch: 'z9hG4bKg1', method: 'INVITE', toTag: 'g' };
    const r = findingsOf([
      w(0, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKg1', sdp: aliceOffer })),
      w(0.2, bob, alice, answer({ ...ok, status: 200, reason: 'OK', sdp: bobAnswer, extra: 'Contact: <sip:bob@192.0.2.4>\n' })),
      w(0.3, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKg2', method: 'ACK', toTag: 'g' })),
      w(10, alice, bob, invite({ cseq: 2, branch: 'z9hG4bKg3', toTag: 'g', sdp: aliceOffer })),
      w(10.1, bob, alice, answer({ cseq: 2, branch: 'z9hG4bKg3', method: 'INVITE', toTag: 'g', status: 491, reason: 'Request Pending' })),
      w(20, alice, bob, invite({ cseq: 3, branch: 'z9hG4bKg4', toTag: 'g', method: 'BYE' })),
      w(20.1, bob, alice, answer({ cseq: 3, branch: 'z9hG4bKg4', method: 'BYE', toTag: 'g', status: 481, reason: 'Call/Transaction Does Not Exist' })),
    ]);
    expect(r.findings.find((x) => x.rule === 'dialog.glare')?.severity).toBe('warning');
    expect(r.findings.find((x) => x.rule === 'dialog.does-not-exist')?.details['method']).toBe('BYE');
    expect(r.calls[0]?.outcome).toBe('answered');
  });
});

describe('reachability', () => {
  it('502 and 504 are server failures; a DNS reason is name resolution', () => {
    expect(rejected(502, 'Bad Gateway').findings.map((x) => x.rule)).toContain('reach.bad-gateway');
    expect(rejected(504, 'Server Time-out').findings.map((x) => x.rule)).toContain('reach.server-timeout');
    const dns = rejected(503, 'Service Unavailable', 'Warning: 399 ss1.atlanta.example.com "DNS lookup failed for biloxi.example.com"\n');
    expect(dns.findings.map((x) => x.rule)).toContain('reach.name-resolution');
  });
  it('503 with Retry-After and a Reason quotes both', () => {
    const r = rejected(503, 'Service Unavailable', 'Retry-After: 300\nReason: Q.850;cause=34;text="No circuit available"\n');
    const f = r.findings.find((x) => x.rule === 'reach.service-unavailable');
    expect(f?.details['retryAfter']).toBe(300);
    expect(f?.explanation).toContain('Reason: Q.850;cause=34');
    expect((f?.details['reasons'] as { cause: number }[] | undefined)?.[0]?.cause).toBe(34);
  });
  it('503 to a REGISTER speaks of the registrar, not of trunks; Retry-After: 0 allows a retry at once', () => {
    const r = findingsOf([
      up(0, register({ cseq: 1, branch: 'z9hG4bKr1' })),
      down(0.1, registerResponse({ status: 503, reason: 'Service Unavailable', cseq: 1, branch: 'z9hG4bKr1', method: 'REGISTER', extra: 'Retry-After: 0\n' })),
    ]);
    const f = r.findings.find((x) => x.rule === 'reach.service-unavailable');
    expect(f?.details['retryAfter']).toBe(0);
    expect(f?.explanation).toContain('may be retried at once');
    expect(f?.causes[0]).toContain('registrar');
    expect([...(f?.causes ?? []), ...(f?.nextSteps ?? [])].join(' ')).not.toMatch(/trunk|channel/i);
  });
  it('a single unanswered copy over UDP is a capture gap, not silence', () => {
    const r = findingsOf([w(0, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKu1' })), w(60, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKu2', method: 'OPTIONS', callId: 'other' }))]);
    expect(r.findings.filter((x) => x.rule === 'reach.no-response' && x.details['method'] === 'INVITE')).toEqual([]);
  });
});

describe('requests outside calls', () => {
  it('a refused SUBSCRIBE is reported with its code; an INVITE left ringing past Timer C has no final answer', () => {
    const sub = invite({ cseq: 1, branch: 'z9hG4bKs1', method: 'SUBSCRIBE', callId: 'sub-1', extra: 'Event: presence\n' });
    const r = findingsOf([
      w(0, alice, bob, sub),
      w(0.1, bob, alice, answer({ status: 489, reason: 'Bad Event', cseq: 1, branch: 'z9hG4bKs1', method: 'SUBSCRIBE', toTag: 's', callId: 'sub-1' })),
      w(1, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKs2', callId: 'ring' })),
      w(1.1, bob, alice, answer({ status: 180, reason: 'Ringing', cseq: 1, branch: 'z9hG4bKs2', method: 'INVITE', toTag: 'r', callId: 'ring' })),
      w(200, alice, bob, invite({ cseq: 2, branch: 'z9hG4bKs3', method: 'OPTIONS', callId: 'later' })),
      w(200.1, bob, alice, answer({ status: 200, reason: 'OK', cseq: 2, branch: 'z9hG4bKs3', method: 'OPTIONS', toTag: 'o', callId: 'later' })),
    ]);
    expect(r.findings.find((x) => x.rule === 'request.rejected')?.status).toBe(489);
    expect(r.findings.find((x) => x.rule === 'reach.no-final-response')?.callIds).toEqual(['ring']);
  });
});

describe('who made it', () => {
  it('a 408 in the device\'s own log, 32 s after the request and with nothing before it, is local: no response at all', () => {
    const recs = toRecords([
      up(0, register({ cseq: 1, branch: 'z9hG4bKlt1' })),
      down(32, registerResponse({ status: 408, reason: 'Request Timeout', cseq: 1, branch: 'z9hG4bKlt1', method: 'REGISTER' }).replace(/;tag=\d+/, '').replace(';received=192.0.2.4', '')),
    ]).map((r, i) => ({ ...r, meta: { ...r.meta, direction: i === 0 ? ('out' as const) : ('in' as const), format: 'pjsip' } }));
    const r = analyzeRecords(recs).result;
    const f = r.findings.find((x) => x.rule === 'reach.no-response');
    expect(f?.generatedBy).toBe('local');
    expect(f?.status).toBeNull();
    expect(r.findings.map((x) => x.rule)).not.toContain('reach.request-timeout');
  });
});

describe('calls', () => {
  it('404, 484 and 480 are outcomes with their own rules', () => {
    expect(rejected(404, 'Not Found').findings.map((x) => x.rule)).toContain('call.not-found');
    expect(rejected(484, 'Address Incomplete').findings.map((x) => x.rule)).toContain('call.address-incomplete');
    expect(rejected(480, 'Temporarily Unavailable').findings.map((x) => x.rule)).toContain('call.unavailable');
  });
  it('a 200 OK retransmitted without ACK and a BYE 32 s later is a missing ACK', () => {
    const ok = answer({ cseq: 1, branch: 'z9hG4bKm1', method: 'INVITE', toTag: 'm', status: 200, reason: 'OK', sdp: bobAnswer, extra: 'Contact: <sip:bob@10.1.1.4>\n' });
    const r = findingsOf([
      w(0, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKm1', sdp: aliceOffer })),
      ...[0.5, 1, 2, 4, 8, 12, 16].map((t) => w(t, bob, alice, ok)),
      w(32.5, bob, alice, invite({ cseq: 1, branch: 'z9hG4bKm9', method: 'BYE', toTag: 'm' }).replace('From: Alice', 'From: Bob')),
    ]);
    const f = r.findings.find((x) => x.rule === 'call.missing-ack');
    expect(f?.severity).toBe('error');
    expect(f?.details['okRetransmissions']).toBe(6);
    expect(f?.details['contact']).toBe('sip:bob@10.1.1.4');
  });
  it('a busy answer 4 ms after the INVITE says so in ms, not "0.0 s"', () => {
    const f = rejected(486, 'Busy Here').findings.find((x) => x.rule === 'call.busy');
    expect(f?.explanation).toContain('200 ms after the INVITE');
    expect(f?.explanation).not.toContain('0.0 s');
  });
  it('488 to a plain RTP offer that says "not secure" asks for SRTP', () => {
    const f = rejected(488, 'Not Acceptable Here (Transport Not Secure)').findings.find((x) => x.rule === 'media.not-acceptable');
    expect(f?.details['srtpRequired']).toBe(true);
    expect(f?.causes[0]).toContain('SRTP');
  });
});

describe('authentication and registration', () => {
  const auth = { user: 'bob', realm: 'biloxi.example.com', nonce: 'n1' };
  it('credentials for another realm never answer the challenge', () => {
    const r = findingsOf([
      up(0, register({ cseq: 1, branch: 'z9hG4bKq1' })),
      down(0.1, registerResponse({ status: 401, reason: 'Unauthorized', cseq: 1, branch: 'z9hG4bKq1', method: 'REGISTER', extra: challenge('n1') })),
      up(0.2, register({ cseq: 2, branch: 'z9hG4bKq2', auth })),
      down(0.3, registerResponse({ status: 401, reason: 'Unauthorized', cseq: 2, branch: 'z9hG4bKq2', method: 'REGISTER', extra: challenge('n2') })),
    ]);
    const f = r.findings.find((x) => x.rule === 'auth.realm-not-answered');
    expect(f?.details['challengeRealms']).toEqual(['atlanta.example.com']);
    expect(f?.details['answeredRealms']).toEqual(['biloxi.example.com']);
    expect(r.findings.map((x) => x.rule)).not.toContain('auth.wrong-credentials');
  });
  it('a client that retries without credentials never sent them', () => {
    const r = findingsOf([
      up(0, register({ cseq: 1, branch: 'z9hG4bKn1' })),
      down(0.1, registerResponse({ status: 401, reason: 'Unauthorized', cseq: 1, branch: 'z9hG4bKn1', method: 'REGISTER', extra: challenge('n1') })),
      up(30, register({ cseq: 2, branch: 'z9hG4bKn2' })),
      down(30.1, registerResponse({ status: 401, reason: 'Unauthorized', cseq: 2, branch: 'z9hG4bKn2', method: 'REGISTER', extra: challenge('n2') })),
    ]);
    const f = r.findings.find((x) => x.rule === 'auth.credentials-never-sent');
    expect(f?.severity).toBe('error');
    expect(r.registrations[0]?.state).toBe('pending');
  });
  it('a refresh after the granted interval ran out is late', () => {
    const ok = (cseq: number, branch: string) =>
      registerResponse({ status: 200, reason: 'OK', cseq, branch, method: 'REGISTER', extra: 'Contact: <sips:bob@192.0.2.4>;expires=600\n' });
    const r = findingsOf([
      up(0, register({ cseq: 1, branch: 'z9hG4bKf1', expires: 600 })),
      down(0.1, ok(1, 'z9hG4bKf1')),
      up(900, register({ cseq: 2, branch: 'z9hG4bKf2', expires: 600 })),
      down(900.1, ok(2, 'z9hG4bKf2')),
    ]);
    const f = r.findings.find((x) => x.rule === 'register.refresh-late');
    expect(f?.details['gapSeconds']).toBe(900);
    expect(f?.details['expiresGranted']).toBe(600);
    expect(r.registrations[0]?.state).toBe('registered');
  });
  it('a binding not refreshed while the data goes on has expired', () => {
    const r = findingsOf([
      up(0, register({ cseq: 1, branch: 'z9hG4bKz1', expires: 600 })),
      down(0.1, registerResponse({ status: 200, reason: 'OK', cseq: 1, branch: 'z9hG4bKz1', method: 'REGISTER', extra: 'Contact: <sips:bob@192.0.2.4>;expires=600\n' })),
      w(700, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKz2', method: 'OPTIONS', callId: 'ping' })),
    ]);
    expect(r.registrations[0]?.state).toBe('unregistered');
    expect(r.registrations[0]?.expiresGranted).toBe(600);
  });
  it('an answer no rule names still says the account never registers', () => {
    const r = findingsOf([
      up(0, register({ cseq: 1, branch: 'z9hG4bKv1' })),
      down(0.1, registerResponse({ status: 400, reason: 'Bad Request', cseq: 1, branch: 'z9hG4bKv1', method: 'REGISTER' })),
    ]);
    expect(r.findings.find((x) => x.rule === 'register.never-succeeds')?.status).toBe(400);
  });
});

describe('network', () => {
  it('a private Contact and Via sent from a public address is NAT, with the server\'s received/rport', () => {
    const r = findingsOf([
      { t: 0, src: '203.0.113.5:40001', dst: registrarAddr, text: register({ cseq: 1, branch: 'z9hG4bKp1', viaHost: '192.168.1.20:5060;rport', contactHost: '192.168.1.20' }) },
      {
        t: 0.1,
        src: registrarAddr,
        dst: '203.0.113.5:40001',
        text: registerResponse({ status: 200, reason: 'OK', cseq: 1, branch: 'z9hG4bKp1', method: 'REGISTER', viaHost: '192.168.1.20:5060;rport=40001', extra: 'Expires: 3600\n' }),
      },
    ]);
    const f = r.findings.find((x) => x.rule === 'net.private-address');
    expect(f?.details['privateContact']).toBe('192.168.1.20');
    expect(f?.details['sourceAddress']).toBe('203.0.113.5');
    expect(f?.details['rport']).toBe(40001);
  });
  it('an answer that only echoes a bare ;rport does not hide a later one where the server noted the source', () => {
    const from = (t: number, cseq: number, via: string, status?: number): Wire => {
      const branch = `z9hG4bKe${cseq}`;
      return status === undefined
        ? { t, src: '203.0.113.5:40001', dst: registrarAddr, text: register({ cseq, branch, viaHost: '192.168.1.20:5060;rport', contactHost: '192.168.1.20' }) }
        : { t, src: registrarAddr, dst: '203.0.113.5:40001', text: registerResponse({ status, reason: 'OK', cseq, branch, method: 'REGISTER', viaHost: via, extra: 'Expires: 60\n' }).replace(cseq === 1 ? ';received=192.0.2.4' : '\0', '') };
    };
    const r = findingsOf([
      from(0, 1, ''),
      from(0.1, 1, '192.168.1.20:5060;rport', 200),
      from(30, 2, ''),
      // The helper's answer carries received=192.0.2.4; the first one has it taken out.
      from(30.1, 2, '192.168.1.20:5060;rport=40001', 200),
    ]);
    const f = r.findings.find((x) => x.rule === 'net.private-address');
    expect(f?.details).toMatchObject({ received: '192.0.2.4', rport: 40001, receivedIn: 3 });
  });
  it('a Via stack crossing transports is reported once', () => {
    const r = findingsOf([
      w(0, proxy, bob, invite({ cseq: 1, branch: 'z9hG4bKt1', proxyBranch: 'z9hG4bKt2' }).replace('SIP/2.0/UDP client', 'SIP/2.0/TCP client')),
      w(0.1, bob, proxy, answer({ status: 180, reason: 'Ringing', cseq: 1, branch: 'z9hG4bKt1', proxyBranch: 'z9hG4bKt2', method: 'INVITE', toTag: 't' })),
    ]);
    expect(r.findings.find((x) => x.rule === 'net.transport-change')?.details['transports']).toEqual(['TCP', 'UDP']);
  });
});

describe('every rule the issue lists fires on its evidence', () => {
  const auth = { user: 'bob', realm: 'atlanta.example.com', nonce: 'n1' };
  const rulesOf = (r: ReturnType<typeof findingsOf>): string[] => r.findings.map((x) => x.rule);

  it('a challenge with stale=true to an authenticated REGISTER is normal (info), not a wrong password', () => {
    const r = findingsOf([
      up(0, register({ cseq: 1, branch: 'z9hG4bKs1' })),
      down(0.1, registerResponse({ status: 401, reason: 'Unauthorized', cseq: 1, branch: 'z9hG4bKs1', method: 'REGISTER', extra: challenge('n1') })),
      up(0.2, register({ cseq: 2, branch: 'z9hG4bKs2', auth })),
      down(0.3, registerResponse({ status: 401, reason: 'Unauthorized', cseq: 2, branch: 'z9hG4bKs2', method: 'REGISTER', extra: challenge('n2', true) })),
      up(0.4, register({ cseq: 3, branch: 'z9hG4bKs3', auth: { ...auth, nonce: 'n2' } })),
      down(0.5, registerResponse({ status: 200, reason: 'OK', cseq: 3, branch: 'z9hG4bKs3', method: 'REGISTER', extra: 'Expires: 7200\n' })),
    ]);
    expect(r.findings.find((x) => x.rule === 'auth.stale-nonce')?.severity).toBe('info');
    expect(rulesOf(r)).not.toContain('auth.wrong-credentials');
    expect(r.registrations[0]?.state).toBe('registered');
  });

  it('403 and 407 on a REGISTER without credentials: refused outright, and a proxy asking', () => {
    const refused = findingsOf([
      up(0, register({ cseq: 1, branch: 'z9hG4bKf1' })),
      down(0.1, registerResponse({ status: 403, reason: 'Forbidden', cseq: 1, branch: 'z9hG4bKf1', method: 'REGISTER' })),
    ]);
    const f = refused.findings.find((x) => x.rule === 'register.forbidden');
    expect(f?.severity).toBe('error');
    expect(f?.generatedBy).toBe('registrar');
    expect(rulesOf(refused)).not.toContain('auth.forbidden-after-credentials');
    const proxied = findingsOf([
      up(0, register({ cseq: 1, branch: 'z9hG4bKp1' })),
      down(0.1, registerResponse({ status: 407, reason: 'Proxy Authentication Required', cseq: 1, branch: 'z9hG4bKp1', method: 'REGISTER', extra: challenge('n1').replace('WWW-', 'Proxy-') })),
    ]);
    expect(proxied.findings.find((x) => x.rule === 'register.proxy-challenge')?.details['realm']).toBe('atlanta.example.com');
  });

  it('registered, refused, registered, refused: flapping', () => {
    const flow: Wire[] = [];
    [200, 403, 200, 403].forEach((status, i) => {
      flow.push(up(i * 60, register({ cseq: i + 1, branch: `z9hG4bKfl${i}` })));
      flow.push(down(i * 60 + 0.1, registerResponse({ status, reason: status === 200 ? 'OK' : 'Forbidden', cseq: i + 1, branch: `z9hG4bKfl${i}`, method: 'REGISTER', extra: status === 200 ? 'Expires: 7200\n' : '' })));
    });
    expect(findingsOf(flow).findings.find((x) => x.rule === 'register.flapping')?.details['changes']).toBe(3);
  });

  it('600 is busy (not a fault), 500 a server error, 606 and 415 media refusals, 400 a plain rejection', () => {
    const busy = rejected(600, 'Busy Everywhere').findings.find((x) => x.rule === 'call.busy');
    expect(busy?.severity).toBe('info');
    expect(busy?.explanation).toContain('not a fault');
    expect(rejected(500, 'Server Internal Error').findings.find((x) => x.rule === 'call.server-error')?.severity).toBe('error');
    const n606 = rejected(606, 'Not Acceptable', 'Warning: 304 biloxi.example.com "Media type not available"\n').findings.find((x) => x.rule === 'media.not-acceptable');
    expect(n606?.details['warnCode']).toBe(304);
    expect(n606?.details['offeredCodecs']).toEqual(['G729/8000']);
    const n415 = rejected(415, 'Unsupported Media Type', 'Accept: application/sdp\n').findings.find((x) => x.rule === 'media.unsupported-body');
    expect(n415?.causes[0]).toContain('Content-Type');
    expect(rejected(400, 'Bad Request').findings.find((x) => x.rule === 'call.rejected')?.status).toBe(400);
  });

  it('warn-codes 305, 306 and 370 each name their cause', () => {
    const cause = (code: number, text: string): string =>
      rejected(488, 'Not Acceptable Here', `Warning: ${code} biloxi.example.com "${text}"\n`).findings.find((x) => x.rule === 'media.not-acceptable')?.causes.join(' ') ?? '';
    expect(cause(305, 'Incompatible media format')).toContain('No codec in common');
    expect(cause(306, 'Attribute not understood')).toContain('attribute');
    expect(cause(370, 'Insufficient bandwidth')).toContain('bandwidth');
  });

  it('a server that saw another port than the Via names marks received/rport: noted once', () => {
    const r = findingsOf([
      up(0, register({ cseq: 1, branch: 'z9hG4bKr1', viaHost: '192.0.2.4:5060;rport' }).replace('SIP/2.0/TLS', 'SIP/2.0/UDP')),
      down(0.1, registerResponse({ status: 200, reason: 'OK', cseq: 1, branch: 'z9hG4bKr1', method: 'REGISTER', viaHost: '192.0.2.4:5060;rport=61000', extra: 'Expires: 7200\n' }).replace('SIP/2.0/TLS', 'SIP/2.0/UDP')),
    ]);
    const f = r.findings.find((x) => x.rule === 'net.received-differs');
    expect(f?.details['rport']).toBe(61000);
    expect(f?.severity).toBe('info');
  });

  it('a Via naming UDP on a request carried over TCP is a transport mismatch', () => {
    const r = findingsOf([{ ...w(0, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKvm1', sdp: aliceOffer })), transport: 'TCP' }]);
    expect(r.findings.find((x) => x.rule === 'net.via-transport-mismatch')?.details).toMatchObject({ viaTransport: 'UDP', wireTransport: 'TCP' });
  });

  it('a Warning or Reason no other finding quotes is decoded on its own', () => {
    const ok = answer({ cseq: 1, branch: 'z9hG4bKw1', method: 'INVITE', toTag: 'w', status: 200, reason: 'OK', sdp: bobAnswer, extra: 'Warning: 392 biloxi.example.com "Noisy line"\nContact: <sip:bob@192.0.2.4>\n' });
    const r = findingsOf([
      w(0, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKw1', sdp: aliceOffer })),
      w(0.2, bob, alice, ok),
      w(0.3, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKw2', method: 'ACK', toTag: 'w' })),
      w(5, alice, bob, invite({ cseq: 2, branch: 'z9hG4bKw3', method: 'CANCEL', callId: 'other-1', extra: 'Reason: SIP;cause=200;text="Call completed elsewhere"\n' })),
    ]);
    const warning = r.findings.find((x) => x.rule === 'words.warning');
    expect(warning?.title).toContain('Warning: 392 biloxi.example.com "Noisy line"');
    const reason = r.findings.find((x) => x.rule === 'words.reason');
    expect(reason?.title).toContain('SIP cause 200 is "OK"');
  });
});

describe('423 in time', () => {
  const ok = (cseq: number, branch: string, expires: number) =>
    registerResponse({ status: 200, reason: 'OK', cseq, branch, method: 'REGISTER', extra: `Contact: <sips:bob@192.0.2.4>;expires=${expires}\n` });
  const brief = (cseq: number, branch: string) =>
    registerResponse({ status: 423, reason: 'Interval Too Brief', cseq, branch, method: 'REGISTER', extra: 'Min-Expires: 3600\n' });
  it('a refresh refused with 423 leaves the earlier binding running until it expires, and says until when', () => {
    const r = findingsOf([up(0, register({ cseq: 1, branch: 'z9hG4bKb1', expires: 3600 })), down(0.1, ok(1, 'z9hG4bKb1', 3600)), up(600, register({ cseq: 2, branch: 'z9hG4bKb2', expires: 60 })), down(600.1, brief(2, 'z9hG4bKb2'))]);
    const f = r.findings.find((x) => x.rule === 'register.interval-too-brief');
    expect(f?.severity).toBe('error');
    expect(f?.details['bindingUntil']).toBe('2026-01-05T10:00:00.100Z');
    expect(f?.explanation).toContain('still runs until 10:00:00');
  });
  it('registered only much later (reconfigured, not a compliant retry): says how long the account had no registration', () => {
    const r = findingsOf([up(0, register({ cseq: 1, branch: 'z9hG4bKc1', expires: 60 })), down(0.1, brief(1, 'z9hG4bKc1')), up(900, register({ cseq: 2, branch: 'z9hG4bKc2', expires: 3600 })), down(900.1, ok(2, 'z9hG4bKc2', 3600))]);
    const f = r.findings.find((x) => x.rule === 'register.interval-too-brief');
    expect(f?.severity).toBe('warning');
    expect(f?.explanation).toContain('registered only 900 s later, asking 3600 s');
  });
});

describe('a BYE alone', () => {
  it('with no INVITE in the data does not claim which side sent it; a Q.850 cause points at a gateway', () => {
    const r = findingsOf([w(0, bob, alice, invite({ cseq: 7, branch: 'z9hG4bKy1', method: 'BYE', toTag: 'y', extra: 'Reason: Q.850;cause=41;text="Temporary failure"\n' }))]);
    const f = r.findings.find((x) => x.rule === 'call.bye-reason');
    expect(f?.title).toBe('BYE with Reason Q.850 cause 41 (Temporary failure)');
    expect(f?.explanation).toContain('which side sent it is not known');
    expect(f?.severity).toBe('warning');
    expect(f?.generatedBy).toBe('gateway');
  });
});
