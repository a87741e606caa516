// The public corpus through the whole pipeline: every capture and log gives a result that validates against the
// contract, and the failures a VoIP engineer sees in them are the ones reported.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusDir, corpusFiles, corpusSkipReason, hasCorpus } from '../../test/helpers/corpus.js';
import { compileSchema } from '../../test/report/schema-validator.js';
import { parseMessage } from '../parse/index.js';
import { analyze } from './analyze.js';
import { analyzeRecords } from './analyzer.js';


async function analyzeCorpus(path: string) {
  return (await analyze([join(corpusDir, path)])).result;
}

describe.skipIf(!hasCorpus)(`corpus captures and logs (${hasCorpus ? 'present' : corpusSkipReason})`, () => {
  it('every capture and log gives a result that validates against schema/analysis.schema.json', async () => {
    const { validate } = compileSchema('analysis');
    for (const file of [...corpusFiles('pcap'), ...corpusFiles('logs')]) {
      const { result } = await analyze([file]);
      validate(JSON.parse(JSON.stringify(result)));
      expect(validate.errors ?? [], file).toEqual([]);
      for (const f of result.findings) for (const i of f.evidence) expect(i).toBeLessThan(result.summary.messages);
    }
  });

  it('the RFC 4475 torture messages and the validation samples, all in one input, never make analysis throw', async () => {
    const files = [...corpusFiles('messages/rfc4475'), ...corpusFiles('messages/validation')];
    expect(files.length).toBeGreaterThan(40);
    const records = await Promise.all(
      files.map(async (file, index) => ({
        index,
        message: parseMessage(new Uint8Array(await readFile(file))),
        meta: { time: null, origin: { path: file, offset: 0 } },
      })),
    );
    const { result } = analyzeRecords(records, { keepMessages: 'all' });
    expect(result.summary.messages).toBe(files.length);
    for (const f of result.findings) expect(f.evidence.every((i) => i < files.length)).toBe(true);
  });

  it('zeek-invalid-content-length.pcap: both messages carry a Content-Length that is no number, and the report says so', async () => {
    const r = await analyzeCorpus('pcap/zeek-invalid-content-length.pcap');
    const f = r.findings.find((x) => x.rule === 'msg.malformed');
    expect(f?.severity).toBe('warning');
    expect(f?.details['byCode']).toEqual({ 'bad-content-length': 2 });
    expect(f?.evidence).toEqual([0, 1]);
    expect(f?.explanation).toContain('RFC 3261 §20.14');
    // The other captures are well formed: no such finding there.
    for (const clean of ['pcap/sip_hello.pcapng', 'pcap/suricata-sip-sdp__sdp.pcap']) {
      expect((await analyzeCorpus(clean)).findings.some((x) => x.rule === 'msg.malformed'), clean).toBe(false);
    }
  });

  it('ipip.pcap: no ACK in the data, but the caller itself hangs up 32 s later and skipped CSeqs: a warning, not an error', async () => {
    const r = await analyzeCorpus('pcap/ipip.pcap');
    const f = r.findings.find((x) => x.rule === 'call.missing-ack');
    // The BYE comes from the caller, which had the 200; its CSeq jumps 6 -> 16: the capture misses its requests.
    expect(f?.severity).toBe('warning');
    expect(Math.round((f?.details['byeAfterMs'] as number) / 1000)).toBe(32);
    expect(f?.details['byeFromCaller']).toBe(true);
    expect(f?.details['skippedRequests']).toBe(9);
  });

  it('the T.38 fax capture: both legs refuse the re-INVITE to T.38, and the calls go on', async () => {
    const r = await analyzeCorpus('pcap/FAX-Call-t38-CA-TDM-SIP-FB-1.pcap');
    const fax = r.findings.filter((x) => x.rule === 'media.not-acceptable');
    expect(fax).toHaveLength(2);
    for (const f of fax) {
      expect(f.severity).toBe('warning');
      expect(f.details['offeredMedia']).toEqual(['image']);
      expect(f.details['reInvite']).toBe(true);
      // The next re-INVITE (audio PCMA) was taken: fax fell back to G.711 pass-through; the advice is about T.38.
      expect(f.details['laterAccepted']).toMatchObject({ offeredCodecs: ['PCMA/8000'], answerCodecs: ['PCMA/8000'] });
      expect(f.explanation).toContain('G.711 pass-through');
      expect(f.nextSteps[0]).toContain('T.38');
      expect(f.causes.join(' ')).not.toContain('No codec in common');
    }
    expect(r.calls.map((c) => c.outcome)).toEqual(['answered', 'answered']);
    // Each leg ends with a BYE carrying Q.850 cause 16: a normal hang-up, sent by the TDM gateway side.
    const byes = r.findings.filter((x) => x.rule === 'call.bye-reason');
    expect(byes.map((b) => [b.severity, b.generatedBy])).toEqual([
      ['info', 'gateway'],
      ['info', 'gateway'],
    ]);
    expect(byes[0]?.title).toContain('Q.850 cause 16 (Normal call clearing)');
  });

  it('the B179 phone log: 403 after credentials for 6111, and a 488 that wants SRTP', async () => {
    const r = await analyzeCorpus('logs/ade_b179_syslog.txt');
    expect(r.findings.find((x) => x.rule === 'auth.forbidden-after-credentials')?.details['username']).toBe('6111');
    expect(r.findings.find((x) => x.rule === 'media.not-acceptable')?.details['srtpRequired']).toBe(true);
    expect(r.findings.map((x) => x.rule)).not.toContain('register.refresh-late');
  });

  it('the cloudshark capture: the registrar grants 20 s of the 1800 asked', async () => {
    const r = await analyzeCorpus('pcap/suricata-sip-body-frames__public-cloudshark-sip-s0.pcap');
    const f = r.findings.find((x) => x.rule === 'register.expiry-shortened');
    expect(f?.details).toMatchObject({ expiresRequested: 1800, expiresGranted: 20 });
  });

  it('ipv6frag.pcap: an answered call with reliable provisional responses (PRACK) and no finding', async () => {
    const r = await analyzeCorpus('pcap/ipv6frag.pcap');
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0]).toMatchObject({ outcome: 'answered', prack: true, endedBy: 'caller' });
    expect(r.findings).toEqual([]);
  });

  it('responses without their requests give no verdict about the client', async () => {
    const r = await analyzeCorpus('pcap/pcapplusplus-sip_resp.pcap');
    expect(r.findings.map((x) => x.rule)).not.toContain('auth.credentials-never-sent');
    expect(r.findings.find((x) => x.rule === 'reach.service-unavailable')?.details['retryAfter']).toBe(0);
  });
});
