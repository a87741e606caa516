// The public corpus through the whole pipeline: every capture and log gives a result that validates against the
// contract, and the failures a VoIP engineer sees in them are the ones reported.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusDir, corpusFiles, corpusSkipReason, hasCorpus } from '../../test/helpers/corpus.js';
import { compileSchema } from '../../test/report/schema-validator.js';
import { parseMessage } from '../parse/index.js';
import { analyze, analyzeRecords } from './analyze.js';


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

  it('ipip.pcap: the 200 OK is never acknowledged and the caller hangs up 32 s later', async () => {
    const r = await analyzeCorpus('pcap/ipip.pcap');
    const f = r.findings.find((x) => x.rule === 'call.missing-ack');
    expect(f?.severity).toBe('error');
    expect(Math.round((f?.details['byeAfterMs'] as number) / 1000)).toBe(32);
  });

  it('the T.38 fax capture: both legs refuse the re-INVITE to T.38, and the calls go on', async () => {
    const r = await analyzeCorpus('pcap/FAX-Call-t38-CA-TDM-SIP-FB-1.pcap');
    const fax = r.findings.filter((x) => x.rule === 'media.not-acceptable');
    expect(fax).toHaveLength(2);
    for (const f of fax) {
      expect(f.severity).toBe('warning');
      expect(f.details['offeredMedia']).toEqual(['image']);
      expect(f.details['reInvite']).toBe(true);
    }
    expect(r.calls.map((c) => c.outcome)).toEqual(['answered', 'answered']);
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
