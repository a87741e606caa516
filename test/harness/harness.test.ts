import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTool } from '../helpers/tools.js';
import { listScenarios, runScenario, scenarioNames, tsharkDecodeAs } from './index.js';
import type { ScenarioName, ScenarioRun } from './index.js';

const execFileAsync = promisify(execFile);
const tools = ['tshark', 'sipp', 'kamailio'];
const missing = tools.filter((tool) => !hasTool(tool));

/** One SIP message of a capture, as tshark dissects it. */
interface WireMessage {
  readonly method: string;
  readonly status: number | undefined;
  readonly cseqMethod: string;
  readonly cseqSeq: string;
  readonly callId: string;
  readonly dstPort: number;
  readonly srcPort: number;
  readonly minExpires: string;
  readonly retryAfter: string;
  readonly warning: string;
  readonly sdpFormats: string;
}

const fields = ['sip.Method', 'sip.Status-Code', 'sip.CSeq.method', 'sip.CSeq.seq', 'sip.Call-ID', 'udp.dstport', 'tcp.dstport', 'udp.srcport', 'tcp.srcport', 'sip.Min-Expires', 'sip.Retry-After', 'sip.Warning', 'sdp.media.format'];

async function readWire(run: ScenarioRun): Promise<WireMessage[]> {
  const args = ['-r', run.pcap, ...tsharkDecodeAs(run), '-Y', 'sip', '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=|'];
  for (const field of fields) args.push('-e', field);
  const { stdout } = await execFileAsync('tshark', args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const f = line.split('\t');
      const at = (i: number): string => f[i] ?? '';
      const status = at(1);
      return {
        method: at(0),
        status: status === '' ? undefined : Number(status),
        cseqMethod: at(2),
        cseqSeq: at(3),
        callId: at(4),
        dstPort: Number(at(5) || at(6)),
        srcPort: Number(at(7) || at(8)),
        minExpires: at(9),
        retryAfter: at(10),
        warning: at(11),
        sdpFormats: at(12),
      };
    });
}

/** The status codes the phone received for its main transaction chain; a retransmitted response counts once. */
function statusesToPhone(run: ScenarioRun, wire: readonly WireMessage[]): number[] {
  const method = run.expected.method;
  const prefix = method === 'REGISTER' ? `reg-${run.users['registrant']?.user ?? ''}-` : 'call-alice-';
  const codes: number[] = [];
  const seen = new Set<string>();
  for (const m of wire) {
    if (m.status === undefined || m.cseqMethod !== method || !m.callId.startsWith(prefix) || m.dstPort !== run.ports.caller) continue;
    const key = `${m.callId} ${m.cseqSeq} ${m.status}`;
    if (seen.has(key)) continue;
    seen.add(key);
    codes.push(m.status);
  }
  return codes;
}

/** The SIP payload (chunk type 0x000f) of a HEPv3 packet; '' when there is none. */
function readHepPayload(packet: Buffer): string {
  if (packet.subarray(0, 4).toString('latin1') !== 'HEP3') return '';
  // HEPv3: 'HEP3', total length (16 bits), then chunks of vendor (16), type (16), length (16, header included).
  for (let offset = 6; offset + 6 <= packet.length; ) {
    const type = packet.readUInt16BE(offset + 2);
    const length = packet.readUInt16BE(offset + 4);
    if (length < 6) break;
    if (type === 0x000f) return packet.subarray(offset + 6, offset + length).toString('latin1');
    offset += length;
  }
  return '';
}

// Runs `count` scenarios at a time: each uses its own ports and folder, so they do not meet.
async function runAll(names: readonly ScenarioName[], count: number): Promise<Map<ScenarioName, ScenarioRun>> {
  const runs = new Map<ScenarioName, ScenarioRun>();
  const queue = [...names];
  const worker = async (): Promise<void> => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) runs.set(name, await runScenario(name));
  };
  await Promise.all(Array.from({ length: count }, worker));
  return runs;
}

describe.skipIf(missing.length > 0)('scenario harness (kamailio, sipp, tshark on loopback)', () => {
  let runs = new Map<ScenarioName, ScenarioRun>();
  const wires = new Map<ScenarioName, WireMessage[]>();

  beforeAll(async () => {
    runs = await runAll(scenarioNames, 4);
    for (const [name, run] of runs) wires.set(name, await readWire(run));
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...runs.values()].map((run) => run.stop()));
  });

  it('lists every scenario with a description and its expected outcome', () => {
    const listed = listScenarios();
    expect(listed.map((s) => s.name)).toEqual([...scenarioNames]);
    for (const s of listed) expect(s.description.length).toBeGreaterThan(20);
  });

  for (const name of scenarioNames) {
    it(`${name}: the capture shows the planned exchange`, () => {
      const run = runs.get(name);
      const wire = wires.get(name);
      if (run === undefined || wire === undefined) throw new Error(`${name} did not run`);
      expect(statusesToPhone(run, wire)).toEqual(run.expected.statuses);
      const final = run.expected.finalStatus;
      if (final !== undefined) expect(run.expected.statuses.at(-1)).toBe(final);
    });
  }

  it('register-interval-too-brief: 423 carries Min-Expires: 3600', () => {
    const wire = wires.get('register-interval-too-brief') ?? [];
    const answer = wire.find((m) => m.status === 423);
    expect(answer?.minExpires).toBe('3600');
  });

  it('register-blocked-account: 403 carries Warning 399', () => {
    const answer = (wires.get('register-blocked-account') ?? []).find((m) => m.status === 403);
    expect(answer?.warning).toMatch(/^399 siplens\.test "Account blocked/);
  });

  it('call-service-unavailable: 503 carries Retry-After: 120', () => {
    const answer = (wires.get('call-service-unavailable') ?? []).find((m) => m.status === 503);
    expect(answer?.retryAfter).toBe('120');
  });

  it('call-codec-mismatch: G.729 offered, 488 with Warning 305 and G.711 in its SDP', () => {
    const wire = wires.get('call-codec-mismatch') ?? [];
    const offer = wire.find((m) => m.method === 'INVITE');
    // tshark names the formats ("ITU-T G.729", "ITU-T G.711 PCMU").
    expect(offer?.sdpFormats).toContain('G.729');
    expect(offer?.sdpFormats).not.toContain('PCMU');
    const answer = wire.find((m) => m.status === 488);
    expect(answer?.warning).toMatch(/^305 \S+ "Incompatible media format"$/);
    expect(answer?.sdpFormats).toContain('PCMU');
  });

  it('register-no-response: REGISTER retransmitted to the dead port, nothing answered', () => {
    const run = runs.get('register-no-response');
    const wire = wires.get('register-no-response') ?? [];
    if (run === undefined) throw new Error('register-no-response did not run');
    const sent = wire.filter((m) => m.method === 'REGISTER' && m.dstPort === run.ports.dead);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect(wire.filter((m) => m.status !== undefined)).toEqual([]);
    expect(run.sippExitCodes['alice-register']).not.toBe(0);
  });

  it('call-dead-contact: the proxy retransmits the INVITE to the dead contact, then answers 408 itself', () => {
    const run = runs.get('call-dead-contact');
    const wire = wires.get('call-dead-contact') ?? [];
    if (run === undefined) throw new Error('call-dead-contact did not run');
    const forwarded = wire.filter((m) => m.method === 'INVITE' && m.dstPort === run.ports.dead);
    expect(forwarded.length).toBeGreaterThanOrEqual(2);
    expect(wire.filter((m) => m.srcPort === run.ports.dead)).toEqual([]);
  });

  it('call-ok: ACK and BYE pass the proxy and the BYE is answered 200', () => {
    const wire = wires.get('call-ok') ?? [];
    expect(wire.filter((m) => m.method === 'BYE').length).toBeGreaterThanOrEqual(2);
    expect(wire.some((m) => m.status === 200 && m.cseqMethod === 'BYE')).toBe(true);
  });

  it("kamailio's sipdump log and the sipp traces hold the messages of the capture", async () => {
    const run = runs.get('call-busy');
    if (run === undefined) throw new Error('call-busy did not run');
    const dump = await readFile(run.kamailioLog, 'utf8');
    expect(dump).toContain('SIP/2.0 486 Busy Here');
    expect(dump).toContain('tag: rcv');
    expect(run.sippTraces.length).toBe(4);
    const traces = await Promise.all(run.sippTraces.map((file) => readFile(file, 'utf8')));
    expect(traces.join('\n')).toContain('SIP/2.0 486 Busy Here');
  });
});

describe.skipIf(missing.length > 0)('scenario harness over TCP and IPv6', () => {
  it('call-busy over TCP: 486 reaches the caller', async () => {
    const run = await runScenario('call-busy', { transport: 'tcp' });
    try {
      const wire = await readWire(run);
      expect(statusesToPhone(run, wire)).toEqual([407, 100, 486]);
    } finally {
      await run.stop();
    }
  });

  it('call-dead-contact over TCP: the refused connection gives 477 from the proxy at once', async () => {
    const run = await runScenario('call-dead-contact', { transport: 'tcp' });
    try {
      expect(run.expected.finalStatus).toBe(477);
      const wire = await readWire(run);
      expect(statusesToPhone(run, wire)).toEqual([407, 100, 477]);
    } finally {
      await run.stop();
    }
  });

  it('register-no-response over TCP: the connection is refused, no SIP message on the wire', async () => {
    const run = await runScenario('register-no-response', { transport: 'tcp' });
    try {
      expect(await readWire(run)).toEqual([]);
      expect(run.sippExitCodes['alice-register']).not.toBe(0);
    } finally {
      await run.stop();
    }
  });

  it('mirrors every message kamailio handles to a HEP collector (siptrace)', async () => {
    const collector = createSocket('udp4');
    const payloads: string[] = [];
    collector.on('message', (packet: Buffer) => payloads.push(readHepPayload(packet)));
    await new Promise<void>((resolve) => collector.bind(0, '127.0.0.1', resolve));
    try {
      const run = await runScenario('call-busy', { hep: { host: '127.0.0.1', port: collector.address().port } });
      try {
        const dump = await readFile(run.kamailioLog, 'utf8');
        const dumped = dump.split('\n').filter((line) => line.startsWith('tag: ')).length;
        // HEP is UDP: give the last datagrams a moment to arrive.
        for (let i = 0; i < 40 && payloads.length < dumped; i++) await new Promise((resolve) => setTimeout(resolve, 50));
        // siptrace mirrors the ACK of a 407 twice (it sees it as received and again when tm absorbs it).
        expect(payloads.length).toBeGreaterThanOrEqual(dumped);
        expect(payloads.filter((p) => p.startsWith('SIP/2.0 486 Busy Here')).length).toBe(2);
      } finally {
        await run.stop();
      }
    } finally {
      collector.close();
    }
  });

  it('register-ok over IPv6 (::1)', async () => {
    const run = await runScenario('register-ok', { ipv6: true });
    try {
      expect(run.proxy).toMatch(/^\[::1\]:\d+$/);
      const wire = await readWire(run);
      expect(statusesToPhone(run, wire)).toEqual([401, 200]);
    } finally {
      await run.stop();
    }
  });
});

if (missing.length > 0) process.stderr.write(`scenario harness tests skipped: ${missing.join(', ')} not on PATH\n`);
