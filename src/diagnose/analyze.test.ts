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
} from '../../test/scenarios/flows.js';
import type { Wire } from '../../test/scenarios/flows.js';
import { analyzeRecords, createAnalyzer } from './analyzer.js';

const up = (t: number, text: string): Wire => ({ t, src: bobAddr, dst: registrarAddr, text });
const down = (t: number, text: string): Wire => ({ t, src: registrarAddr, dst: bobAddr, text });
const auth = { user: 'bob', realm: 'atlanta.example.com', nonce: 'ea9c8e88df84f1cec4341ae6cbe5a359' };

describe('registration (RFC 3665 §2.1)', () => {
  it('a challenge answered and accepted is no error and leaves the account registered', () => {
    const { result } = analyzeRecords(
      toRecords([
        up(0, register({ cseq: 1, branch: 'z9hG4bKnashds7' })),
        down(0.05, registerResponse({ status: 401, reason: 'Unauthorized', cseq: 1, branch: 'z9hG4bKnashds7', method: 'REGISTER', extra: challenge(auth.nonce) })),
        up(0.1, register({ cseq: 2, branch: 'z9hG4bKnashd92', auth })),
        down(0.15, registerResponse({ status: 200, reason: 'OK', cseq: 2, branch: 'z9hG4bKnashd92', method: 'REGISTER', extra: 'Contact: <sips:bob@192.0.2.4>;expires=3600\n' })),
      ]),
    );
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.registrations).toHaveLength(1);
    const reg = result.registrations[0];
    expect(reg?.aor).toBe('sips:bob@biloxi.example.com');
    expect(reg?.state).toBe('registered');
    expect(reg?.lastStatus).toBe(200);
    expect(reg?.expiresRequested).toBe(7200);
    expect(reg?.expiresGranted).toBe(3600);
    expect(reg?.attempts).toBe(2);
    expect(result.findings.map((f) => f.rule)).toContain('register.expiry-shortened');
  });

  it('a second challenge to an authenticated REGISTER is a wrong password', () => {
    const { result, messages } = analyzeRecords(
      toRecords([
        up(0, register({ cseq: 1, branch: 'z9hG4bKnashds7' })),
        down(0.05, registerResponse({ status: 401, reason: 'Unauthorized', cseq: 1, branch: 'z9hG4bKnashds7', method: 'REGISTER', extra: challenge(auth.nonce) })),
        up(0.1, register({ cseq: 2, branch: 'z9hG4bKnashd92', auth })),
        down(0.15, registerResponse({ status: 401, reason: 'Unauthorized', cseq: 2, branch: 'z9hG4bKnashd92', method: 'REGISTER', extra: challenge('other') })),
      ]),
    );
    const f = result.findings.find((x) => x.rule === 'auth.wrong-credentials');
    expect(f?.severity).toBe('error');
    expect(f?.status).toBe(401);
    expect(f?.details['username']).toBe('bob');
    expect(f?.evidence).toEqual([0, 1, 2, 3]);
    expect(f?.generatedBy).toBe('registrar');
    expect(result.registrations[0]?.state).toBe('failed');
    expect(result.registrations[0]?.findings).toContain(f?.id);
    expect([...messages.keys()]).toEqual([0, 1, 2, 3]);
  });

  it('stale=true is a normal new challenge, not a wrong password', () => {
    const { result } = analyzeRecords(
      toRecords([
        up(0, register({ cseq: 1, branch: 'z9hG4bKa1', auth })),
        down(0.05, registerResponse({ status: 401, reason: 'Unauthorized', cseq: 1, branch: 'z9hG4bKa1', method: 'REGISTER', extra: challenge('n2', true) })),
        up(0.1, register({ cseq: 2, branch: 'z9hG4bKa2', auth: { ...auth, nonce: 'n2' } })),
        down(0.15, registerResponse({ status: 200, reason: 'OK', cseq: 2, branch: 'z9hG4bKa2', method: 'REGISTER', extra: 'Expires: 7200\n' })),
      ]),
    );
    expect(result.findings.map((f) => f.rule)).not.toContain('auth.wrong-credentials');
  });

  it('423 carries the Min-Expires value', () => {
    const { result } = analyzeRecords(
      toRecords([
        up(0, register({ cseq: 1, branch: 'z9hG4bKb1', expires: 60 })),
        down(0.05, registerResponse({ status: 423, reason: 'Interval Too Brief', cseq: 1, branch: 'z9hG4bKb1', method: 'REGISTER', extra: 'Min-Expires: 3600\n' })),
      ]),
    );
    const f = result.findings.find((x) => x.rule === 'register.interval-too-brief');
    expect(f?.severity).toBe('error');
    expect(f?.details['minExpires']).toBe(3600);
    expect(f?.details['expiresRequested']).toBe(60);
    expect(result.registrations[0]?.lastStatus).toBe(423);
  });

  it('retransmissions without any answer are one no-response finding, not new attempts', () => {
    const req = register({ cseq: 1, branch: 'z9hG4bKc1' });
    const { result } = analyzeRecords(toRecords([0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5].map((t) => up(t, req))));
    const f = result.findings.filter((x) => x.rule === 'reach.no-response');
    expect(f).toHaveLength(1);
    expect(f[0]?.status).toBeNull();
    expect(f[0]?.details['copies']).toBe(7);
    expect(f[0]?.generatedBy).toBe('network');
    expect(result.registrations[0]?.attempts).toBe(1);
    expect(result.registrations[0]?.state).toBe('failed');
  });
});

const { alice, proxy, bob } = addresses;
const w = (t: number, src: string, dst: string, text: string): Wire => ({ t, src, dst, text });

describe('calls through a proxy (RFC 3665 §3)', () => {
  it('a busy callee is an info finding seen on both legs and generated by the far end', () => {
    const { result } = analyzeRecords(
      toRecords([
        w(0, alice, proxy, invite({ cseq: 1, branch: 'z9hG4bK74bf9', sdp: aliceOffer })),
        w(0.01, proxy, alice, answer({ status: 100, reason: 'Trying', cseq: 1, branch: 'z9hG4bK74bf9', method: 'INVITE' })),
        w(0.02, proxy, bob, invite({ cseq: 1, branch: 'z9hG4bK74bf9', proxyBranch: 'z9hG4bK2d4790', sdp: aliceOffer })),
        w(0.5, bob, proxy, answer({ status: 486, reason: 'Busy Here', cseq: 1, branch: 'z9hG4bK74bf9', proxyBranch: 'z9hG4bK2d4790', method: 'INVITE', toTag: '314159' })),
        w(0.51, proxy, alice, answer({ status: 486, reason: 'Busy Here', cseq: 1, branch: 'z9hG4bK74bf9', method: 'INVITE', toTag: '314159' })),
      ]),
    );
    expect(result.calls).toHaveLength(1);
    expect(result.calls[0]?.outcome).toBe('busy');
    expect(result.calls[0]?.finalStatus).toBe(486);
    const f = result.findings.find((x) => x.rule === 'call.busy');
    expect(f?.severity).toBe('info');
    expect(f?.generatedBy).toBe('far-end');
    expect(f?.explanation).toMatch(/not a fault/);
    expect(result.findings.filter((x) => x.severity === 'error')).toEqual([]);
  });

  it('488 with Warning 305 compares the codecs offered with those the callee takes', () => {
    const { result } = analyzeRecords(
      toRecords([
        // An earlier answered call shows what Bob takes.
        w(0, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKk1', sdp: aliceOffer.replace('18 101', '0 18').replace('rtpmap:101 telephone-event', 'rtpmap:0 PCMU'), callId: 'first@atlanta' })),
        w(0.5, bob, alice, answer({ status: 200, reason: 'OK', cseq: 1, branch: 'z9hG4bKk1', method: 'INVITE', toTag: 'b1', sdp: bobAnswer, callId: 'first@atlanta', extra: 'Contact: <sip:bob@192.0.2.4>\n' })),
        w(10, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKk2', sdp: aliceOffer })),
        w(10.2, bob, alice, answer({ status: 488, reason: 'Not Acceptable Here', cseq: 1, branch: 'z9hG4bKk2', method: 'INVITE', toTag: 'b2', extra: 'Warning: 305 client.biloxi.example.com "Incompatible media format"\n' })),
        w(10.21, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKk2', method: 'ACK', toTag: 'b2' })),
      ]),
    );
    const f = result.findings.find((x) => x.rule === 'media.not-acceptable');
    expect(f?.status).toBe(488);
    expect(f?.details['warnCode']).toBe(305);
    // telephone-event carries DTMF, no voice: it is no codec in common.
    expect(f?.details['offeredCodecs']).toEqual(['G729/8000']);
    expect(f?.details['acceptedCodecs']).toEqual(['PCMU/8000']);
    expect(f?.details['commonCodecs']).toEqual([]);
    expect(result.calls.find((c) => c.callId === '2xTb9vxSit55XU7p8@atlanta.example.com')?.outcome).toBe('rejected');
    // The Warning is quoted and decoded in the finding itself, so no separate words.warning repeats it.
    expect(f?.explanation).toContain('Warning: 305 client.biloxi.example.com "Incompatible media format"');
    expect(result.findings.some((x) => x.rule === 'words.warning')).toBe(false);
  });

  it('an answered call has its times, who ended it, and no error', () => {
    const ok = { cseq: 1, branch: 'z9hG4bKok', method: 'INVITE', toTag: 'x9' };
    const { result } = analyzeRecords(
      toRecords([
        w(0, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKok', sdp: aliceOffer })),
        w(0.1, bob, alice, answer({ ...ok, status: 180, reason: 'Ringing' })),
        w(3.1, bob, alice, answer({ ...ok, status: 200, reason: 'OK', sdp: bobAnswer, extra: 'Contact: <sip:bob@192.0.2.4>\n' })),
        w(3.2, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKack', method: 'ACK', toTag: 'x9' })),
        w(63.2, alice, bob, invite({ cseq: 2, branch: 'z9hG4bKbye', method: 'BYE', toTag: 'x9', extra: 'Reason: Q.850;cause=16;text="Normal call clearing"\n' })),
        w(63.3, bob, alice, answer({ cseq: 2, branch: 'z9hG4bKbye', method: 'BYE', toTag: 'x9', status: 200, reason: 'OK' })),
      ]),
    );
    const call = result.calls[0];
    expect(call?.outcome).toBe('answered');
    expect(call?.postDialDelayMs).toBeCloseTo(100, 0);
    expect(call?.setupMs).toBeCloseTo(3100, 0);
    expect(call?.durationMs).toBeCloseTo(60100, 0);
    expect(call?.endedBy).toBe('caller');
    expect(result.findings.filter((x) => x.severity !== 'info')).toEqual([]);
    expect(result.findings.find((x) => x.rule === 'call.bye-reason')?.details['reasons']).toBeDefined();
  });

  it('a Warning no other finding explains gets a finding of its own, decoded', () => {
    const { result } = analyzeRecords(
      toRecords([
        w(0, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKw1', sdp: aliceOffer })),
        w(0.3, bob, alice, answer({ status: 200, reason: 'OK', cseq: 1, branch: 'z9hG4bKw1', method: 'INVITE', toTag: 'w', sdp: bobAnswer, extra: 'Warning: 370 biloxi.example.com "Insufficient bandwidth"\nContact: <sip:bob@192.0.2.4>\n' })),
        w(0.4, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKw2', method: 'ACK', toTag: 'w' })),
      ]),
    );
    const f = result.findings.find((x) => x.rule === 'words.warning');
    expect(result.findings.map((x) => x.rule)).toEqual(['words.warning']);
    expect(f?.severity).toBe('info');
    expect(f?.title).toContain('370');
    expect(f?.evidence).toEqual([1]);
    expect((f?.details['warnings'] as { code: number }[] | undefined)?.[0]?.code).toBe(370);
  });

  it('the incremental analyzer gives the same result as the batch one', () => {
    const recs = toRecords([
      w(0, alice, bob, invite({ cseq: 1, branch: 'z9hG4bKi1', sdp: aliceOffer })),
      w(0.4, bob, alice, answer({ status: 603, reason: 'Decline', cseq: 1, branch: 'z9hG4bKi1', method: 'INVITE', toTag: 'd' })),
    ]);
    const a = createAnalyzer();
    a.push(recs[0] as (typeof recs)[number]);
    expect(a.snapshot().calls[0]?.outcome).toBe('in-progress');
    a.push(recs[1] as (typeof recs)[number]);
    expect(a.snapshot()).toEqual(analyzeRecords(recs).result);
    expect(a.snapshot().calls[0]?.outcome).toBe('declined');
  });
});
