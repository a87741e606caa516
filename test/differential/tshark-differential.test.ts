// The SIP messages siplens reads from a capture (time, Call-ID, CSeq, method or status) are the ones tshark reads,
// frame by frame, except the differences listed below with their reason.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusFiles, corpusSkipReason, hasCorpus } from '../helpers/corpus.js';
import { hasTool } from '../helpers/tools.js';
import { framesOf, readWithSiplens, readWithTshark, recordSippCalls, type FrameView } from './capture-tools.js';

/** Frames where siplens and tshark disagree on purpose, per corpus file. */
const KNOWN_DIFFERENCES: Record<string, { readonly frames: readonly number[]; readonly reason: string }> = {
  'http_on_sip_port.pcap': {
    frames: [3, 4],
    reason: 'HTTP on TCP 5060: tshark hands the port to its SIP dissector, which finds no SIP fields; siplens reads it by content and counts it as skipped',
  },
};

const hasTshark = hasTool('tshark');

/** Sorted copies, so that several messages in one frame compare whatever their order. */
function normalised(v: FrameView): Omit<FrameView, 'time'> {
  return {
    frame: v.frame,
    callIds: [...v.callIds].sort(),
    cseqs: [...v.cseqs].sort(),
    methods: [...v.methods].sort(),
    statuses: [...v.statuses].sort(),
  };
}

async function compare(path: string, except: readonly number[] = [], decodeAs: readonly string[] = []): Promise<{ frames: number }> {
  const [theirs, mine] = await Promise.all([readWithTshark(path, decodeAs), readWithSiplens(path)]);
  const skip = new Set(except);
  const expected = theirs.filter((f) => !skip.has(f.frame));
  const actual = framesOf(mine.messages).filter((f) => !skip.has(f.frame));
  expect(actual.map(normalised)).toEqual(expected.map(normalised));
  // Times: tshark prints nanoseconds; siplens keeps ms as a double (sub-microsecond precision at today's epoch).
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i]!.time - expected[i]!.time), `time of frame ${expected[i]!.frame}`).toBeLessThan(2e-6);
  }
  // The listed differences must still be differences, or the list is stale.
  for (const frame of except) {
    const t = theirs.find((f) => f.frame === frame);
    const m = framesOf(mine.messages).find((f) => f.frame === frame);
    expect(t !== undefined && m !== undefined && JSON.stringify(normalised(t)) === JSON.stringify(normalised(m))).toBe(false);
  }
  return { frames: expected.length };
}

describe.skipIf(!hasTshark || !hasCorpus)(`siplens reads the corpus captures as tshark does${hasCorpus ? '' : ` (${corpusSkipReason})`}`, () => {
  const files = corpusFiles('pcap');
  it('has captures to compare', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(basename(file), async () => {
      await compare(file, KNOWN_DIFFERENCES[basename(file)]?.frames ?? []);
    });
  }
});

describe.skipIf(!hasTshark || !hasTool('sipp'))('siplens reads sipp calls recorded by tshark as tshark does', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'siplens-diff-'));
  });
  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });
  const cases = [
    { host: '127.0.0.1', transport: 'u1', format: 'pcapng' },
    { host: '127.0.0.1', transport: 't1', format: 'pcapng' },
    { host: '::1', transport: 'u1', format: 'pcap' },
    { host: '::1', transport: 't1', format: 'pcapng' },
  ] as const;
  for (const c of cases) {
    it(`${c.transport === 'u1' ? 'UDP' : 'TCP'} over ${c.host === '::1' ? 'IPv6' : 'IPv4'}, ${c.format}`, async () => {
      const file = join(dir, `sipp-${c.transport}-${c.host === '::1' ? 'v6' : 'v4'}.${c.format}`);
      const { decodeAs } = await recordSippCalls(file, c.host, c.transport, 5, c.format);
      const { frames } = await compare(file, [], decodeAs);
      // 5 calls of INVITE, 180, 200, ACK, BYE, 200 (over TCP some may share a frame).
      expect(frames).toBeGreaterThanOrEqual(5);
      const { messages } = await readWithSiplens(file);
      expect(messages.length).toBe(30);
    });
  }
  for (const c of cases) {
    it.skipIf(!hasTool('kamailio'))(
      `through kamailio: ${c.transport === 'u1' ? 'UDP' : 'TCP'} over ${c.host === '::1' ? 'IPv6' : 'IPv4'}`,
      async () => {
        const file = join(dir, `kamailio-${c.transport}-${c.host === '::1' ? 'v6' : 'v4'}.${c.format}`);
        const { decodeAs } = await recordSippCalls(file, c.host, c.transport, 3, c.format, true);
        await compare(file, [], decodeAs);
        // sipp's uac sends every request of the call to the address it was given, so all six messages of each call
        // cross kamailio and are seen twice.
        const { messages } = await readWithSiplens(file);
        expect(messages.length).toBe(3 * 6 * 2);
      },
    );
  }
});
