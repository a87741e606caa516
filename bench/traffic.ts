// Deterministic, realistic SIP traffic for the benchmarks: a proxy between thousands of phones and a few gateways,
// both legs of each call, REGISTER with digest challenges, calls with SDP and their outcomes, OPTIONS keepalives,
// about 2% retransmissions, some compact headers. The same packets can be written as pcap, pcapng or a PJSIP-style log.

/** One SIP message on the wire. */
export interface GeneratedPacket {
  /** Microseconds since the Unix epoch. */
  readonly timeUs: number;
  readonly src: readonly [ip: number, port: number];
  readonly dst: readonly [ip: number, port: number];
  readonly text: string;
  /** The proxy's view for the log writer: true when the proxy sent it. */
  readonly fromProxy: boolean;
  readonly retransmission: boolean;
}

/** What the generated traffic holds, written beside the data so the benchmark can check what siplens found. */
export interface TrafficCounts {
  seed: number;
  messages: number;
  retransmissions: number;
  bytes: number;
  calls: number;
  callsByFinalStatus: Record<string, number>;
  registrations: number;
  registrationsByFinalStatus: Record<string, number>;
  options: number;
}

/** Mulberry32: small, fast and deterministic by seed. */
function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PROXY_IP = ip(10, 0, 0, 1);
const PROXY: readonly [number, number] = [PROXY_IP, 5060];
const DOMAIN = 'voip.example.net';

function ip(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

export function formatIp(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

const CALL_OUTCOMES: readonly (readonly [status: number, weight: number])[] = [
  [200, 55],
  [486, 10],
  [487, 8],
  [404, 6],
  [403, 4],
  [408, 5],
  [488, 4],
  [503, 4],
  [603, 4],
];

const REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  200: 'OK',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  503: 'Service Unavailable',
  603: 'Decline',
};

interface Leg {
  readonly a: readonly [number, number];
  readonly b: readonly [number, number];
}

/** Traffic of about `targetSipBytes` bytes of SIP text, in time order; `counts` is filled as packets are yielded. */
export function* generateTraffic(seed: number, targetSipBytes: number, counts: TrafficCounts): Generator<GeneratedPacket> {
  const random = createRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const phones = 5000;
  const gateways = [ip(192, 0, 2, 10), ip(192, 0, 2, 11), ip(192, 0, 2, 12), ip(192, 0, 2, 13)];
  let clockUs = Date.UTC(2026, 10, 2, 8, 0, 0) * 1000;
  let serial = 0;
  const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
  const token = (): string => hex(random() * 0xffffffff) + hex(serial++);
  const phoneAddr = (n: number): readonly [number, number] => [ip(10, 1 + (n >> 8), n & 255, 10), 5060];
  const compactFor = (): boolean => random() < 0.1;

  const packets: GeneratedPacket[] = [];
  const emit = (at: number, leg: Leg, fromA: boolean, text: string, retransmission = false): void => {
    const src = fromA ? leg.a : leg.b;
    const dst = fromA ? leg.b : leg.a;
    packets.push({ timeUs: at, src, dst, text, fromProxy: src[0] === PROXY_IP, retransmission });
  };

  function sdp(addr: number, codecs: readonly (readonly [number, string])[], session: string): string {
    const host = formatIp(addr);
    const lines = [
      'v=0',
      `o=- ${session} ${session} IN IP4 ${host}`,
      's=call',
      `c=IN IP4 ${host}`,
      't=0 0',
      `m=audio ${10000 + (serial % 20000) * 2} RTP/AVP ${codecs.map((c) => c[0]).join(' ')} 101`,
      ...codecs.map(([pt, name]) => `a=rtpmap:${pt} ${name}/8000`),
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-16',
      'a=ptime:20',
      'a=sendrecv',
    ];
    return `${lines.join('\r\n')}\r\n`;
  }

  interface Msg {
    startLine: string;
    vias: readonly string[];
    from: string;
    to: string;
    callId: string;
    cseq: string;
    extra?: readonly string[];
    body?: string;
    compact: boolean;
  }
  function render(m: Msg): string {
    const h = m.compact
      ? { via: 'v', from: 'f', to: 't', callId: 'i', contentType: 'c', contentLength: 'l' }
      : { via: 'Via', from: 'From', to: 'To', callId: 'Call-ID', contentType: 'Content-Type', contentLength: 'Content-Length' };
    const body = m.body ?? '';
    const lines = [m.startLine, ...m.vias.map((v) => `${h.via}: ${v}`), `${h.from}: ${m.from}`, `${h.to}: ${m.to}`];
    lines.push(`${h.callId}: ${m.callId}`, `CSeq: ${m.cseq}`, ...(m.extra ?? []));
    if (body !== '') lines.push(`${h.contentType}: application/sdp`);
    lines.push(`${h.contentLength}: ${Buffer.byteLength(body)}`, '', body);
    return lines.join('\r\n');
  }
  const via = (addr: readonly [number, number], branch: string): string =>
    `SIP/2.0/UDP ${formatIp(addr[0])}:${addr[1]};branch=z9hG4bK${branch};rport`;

  function registration(at: number): void {
    const n = Math.floor(random() * phones);
    const phone = phoneAddr(n);
    const user = `${1000 + n}`;
    const leg: Leg = { a: phone, b: PROXY };
    const callId = `${token()}@${formatIp(phone[0])}`;
    const fromTag = token();
    const aor = `<sip:${user}@${DOMAIN}>`;
    const contact = `<sip:${user}@${formatIp(phone[0])}:5060;transport=udp>`;
    const compact = compactFor();
    const nonce = token() + token();
    const base = (cseq: number, branch: string) => ({
      vias: [via(phone, branch)],
      from: `${aor};tag=${fromTag}`,
      to: aor,
      callId,
      compact,
      cseq: `${cseq} REGISTER`,
    });
    const b1 = token();
    const ua = ['User-Agent: Clear-Com LQ-R4WBG/4.1.0', `Contact: ${contact}`, 'Max-Forwards: 70', 'Expires: 3600'];
    emit(at, leg, true, render({ ...base(1, b1), startLine: `REGISTER sip:${DOMAIN} SIP/2.0`, extra: ua }));
    emit(at + 800, leg, false, render({ ...base(1, b1), to: `${aor};tag=${token()}`, startLine: 'SIP/2.0 401 Unauthorized', extra: [`WWW-Authenticate: Digest realm="${DOMAIN}", nonce="${nonce}", qop="auth", algorithm=MD5`, 'Server: siplens-bench-proxy'] }));
    const b2 = token();
    const auth = `Authorization: Digest username="${user}", realm="${DOMAIN}", nonce="${nonce}", uri="sip:${DOMAIN}", response="${token()}${token()}${token()}${token()}", qop=auth, nc=00000001, cnonce="${token()}", algorithm=MD5`;
    emit(at + 2500, leg, true, render({ ...base(2, b2), startLine: `REGISTER sip:${DOMAIN} SIP/2.0`, extra: [...ua, auth] }));
    const ok = random() < 0.93;
    const status = ok ? 200 : 403;
    const extra = ok ? [`Contact: ${contact};expires=3600`, 'Server: siplens-bench-proxy'] : ['Server: siplens-bench-proxy', 'Warning: 399 proxy "account blocked"'];
    emit(at + 3600, leg, false, render({ ...base(2, b2), to: `${aor};tag=${token()}`, startLine: `SIP/2.0 ${status} ${REASONS[status]}`, extra }));
    counts.registrations++;
    counts.registrationsByFinalStatus[status] = (counts.registrationsByFinalStatus[status] ?? 0) + 1;
  }

  function keepalive(at: number): void {
    const gw: readonly [number, number] = [pick(gateways), 5060];
    const leg: Leg = { a: PROXY, b: gw };
    const callId = `${token()}@${formatIp(PROXY_IP)}`;
    const branch = token();
    const m = { vias: [via(PROXY, branch)], from: `<sip:proxy@${DOMAIN}>;tag=${token()}`, to: `<sip:${formatIp(gw[0])}>`, callId, cseq: '1 OPTIONS', compact: false };
    emit(at, leg, true, render({ ...m, startLine: `OPTIONS sip:${formatIp(gw[0])}:5060 SIP/2.0`, extra: ['Max-Forwards: 70'] }));
    emit(at + 1200, leg, false, render({ ...m, to: `${m.to};tag=${token()}`, startLine: 'SIP/2.0 200 OK', extra: ['Allow: INVITE, ACK, CANCEL, BYE, OPTIONS'] }));
    counts.options++;
  }

  function call(at: number): void {
    let total = 0;
    for (const [, w] of CALL_OUTCOMES) total += w;
    let r = random() * total;
    let status = 200;
    for (const [s, w] of CALL_OUTCOMES) {
      r -= w;
      if (r < 0) {
        status = s;
        break;
      }
    }
    const n = Math.floor(random() * phones);
    const phone = phoneAddr(n);
    const gw: readonly [number, number] = [pick(gateways), 5060];
    const a: Leg = { a: phone, b: PROXY };
    const b: Leg = { a: PROXY, b: gw };
    const user = `${1000 + n}`;
    const callee = `+4930${Math.floor(10_000_000 + random() * 89_999_999)}`;
    const callId = `${token()}@${formatIp(phone[0])}`;
    const fromTag = token();
    const toTag = token();
    const compact = compactFor();
    const from = `"Desk ${user}" <sip:${user}@${DOMAIN}>;tag=${fromTag}`;
    const to = `<sip:${callee}@${DOMAIN}>`;
    const ruri = `sip:${callee}@${DOMAIN}`;
    const gwUri = `sip:${callee}@${formatIp(gw[0])}:5060`;
    const branchA = token();
    const branchB = token();
    const viaA = [via(phone, branchA)];
    const viaB = [via(PROXY, branchB), ...viaA];
    const session = `${Math.floor(random() * 1e9)}`;
    const offer = status === 488 ? sdp(phone[0], [[18, 'G729']], session) : sdp(phone[0], [[0, 'PCMU'], [8, 'PCMA'], [18, 'G729']], session);
    const invite = (vias: readonly string[], uri: string, maxf: number) =>
      render({ startLine: `INVITE ${uri} SIP/2.0`, vias, from, to, callId, cseq: '1 INVITE', compact, body: offer, extra: [`Contact: <sip:${user}@${formatIp(phone[0])}:5060>`, `Max-Forwards: ${maxf}`, 'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO', 'Supported: replaces, timer', 'User-Agent: Clear-Com LQ-R4WBG/4.1.0'] });
    const resp = (vias: readonly string[], code: number, withTag: boolean, extra: readonly string[] = [], body?: string) =>
      render({ startLine: `SIP/2.0 ${code} ${REASONS[code]}`, vias, from, to: withTag ? `${to};tag=${toTag}` : to, callId, cseq: '1 INVITE', compact, extra, ...(body === undefined ? {} : { body }) });
    let t = at;
    emit(t, a, true, invite(viaA, ruri, 70));
    if (random() < 0.04) emit(t + 500_000, a, true, invite(viaA, ruri, 70), true);
    emit((t += 300), a, false, resp(viaA, 100, false));
    emit((t += 400), b, true, invite(viaB, gwUri, 69));
    counts.calls++;
    counts.callsByFinalStatus[status] = (counts.callsByFinalStatus[status] ?? 0) + 1;
    const finalBoth = (code: number, extra: readonly string[] = [], body?: string): void => {
      emit((t += 20_000), b, false, resp(viaB, code, true, extra, body));
      emit((t += 300), a, false, resp(viaA, code, true, extra, body));
    };
    const ackFailure = (): void => {
      const ack = (vias: readonly string[], uri: string) =>
        render({ startLine: `ACK ${uri} SIP/2.0`, vias, from, to: `${to};tag=${toTag}`, callId, cseq: '1 ACK', compact, extra: ['Max-Forwards: 70'] });
      emit((t += 200), b, true, ack([via(PROXY, branchB)], gwUri));
      emit((t += 300), a, true, ack(viaA, ruri));
    };
    if (status === 408) {
      // RFC 3261 §17.1.1.2: Timer A doubles from T1 until Timer B (64*T1) fires; the proxy answers 408 upstream.
      let interval = 500_000;
      let sent = 0;
      while (sent + interval < 32_000_000) {
        sent += interval;
        emit(t + sent, b, true, invite(viaB, gwUri, 69), true);
        interval *= 2;
      }
      t += 32_000_000;
      emit(t, a, false, resp(viaA, 408, true));
      emit((t += 300), a, true, render({ startLine: `ACK ${ruri} SIP/2.0`, vias: viaA, from, to: `${to};tag=${toTag}`, callId, cseq: '1 ACK', compact, extra: ['Max-Forwards: 70'] }));
      return;
    }
    emit((t += 5000), b, false, resp(viaB, 100, false));
    if (status === 403 || status === 404 || status === 503) {
      finalBoth(status, status === 503 ? ['Retry-After: 120', 'Reason: Q.850;cause=42;text="switching equipment congestion"'] : []);
      ackFailure();
      return;
    }
    if (status === 488) {
      finalBoth(488, ['Warning: 305 gw "Incompatible media format"']);
      ackFailure();
      return;
    }
    emit((t += 150_000), b, false, resp(viaB, 180, true));
    emit((t += 300), a, false, resp(viaA, 180, true));
    if (status === 486 || status === 603) {
      t += 2_000_000;
      finalBoth(status);
      ackFailure();
      return;
    }
    if (status === 487) {
      t += 4_000_000;
      const cancel = (vias: readonly string[], uri: string) => render({ startLine: `CANCEL ${uri} SIP/2.0`, vias, from, to, callId, cseq: '1 CANCEL', compact, extra: ['Max-Forwards: 70'] });
      const cancelOk = (vias: readonly string[]) => render({ startLine: 'SIP/2.0 200 OK', vias, from, to: `${to};tag=${toTag}`, callId, cseq: '1 CANCEL', compact });
      emit(t, a, true, cancel(viaA, ruri));
      emit((t += 300), a, false, cancelOk(viaA));
      emit((t += 300), b, true, cancel([via(PROXY, branchB)], gwUri));
      emit((t += 8000), b, false, cancelOk([via(PROXY, branchB)]));
      finalBoth(487);
      ackFailure();
      return;
    }
    // 200: answer, ACK, talk, BYE from either side.
    t += 3_000_000;
    const answer = sdp(gw[0], [[8, 'PCMA']], session);
    finalBoth(200, [`Contact: <sip:${callee}@${formatIp(gw[0])}:5060>`, 'Session-Expires: 1800;refresher=uac'], answer);
    const inDialog = (method: string, seq: number, vias: readonly string[], uri: string) =>
      render({ startLine: `${method} ${uri} SIP/2.0`, vias, from, to: `${to};tag=${toTag}`, callId, cseq: `${seq} ${method}`, compact, extra: ['Max-Forwards: 70'] });
    const ackBranchA = token();
    const ackBranchB = token();
    emit((t += 200), a, true, inDialog('ACK', 1, [via(phone, ackBranchA)], gwUri));
    emit((t += 300), b, true, inDialog('ACK', 1, [via(PROXY, ackBranchB), via(phone, ackBranchA)], gwUri));
    t += Math.floor(2_000_000 + random() * 20_000_000);
    const byeBranchA = token();
    const byeBranchB = token();
    const byeA = [via(phone, byeBranchA)];
    const byeB = [via(PROXY, byeBranchB), ...byeA];
    emit(t, a, true, inDialog('BYE', 2, byeA, gwUri));
    emit((t += 300), b, true, inDialog('BYE', 2, byeB, gwUri));
    const okBye = (vias: readonly string[]) => render({ startLine: 'SIP/2.0 200 OK', vias, from, to: `${to};tag=${toTag}`, callId, cseq: '2 BYE', compact });
    emit((t += 15_000), b, false, okBye(byeB));
    emit((t += 300), a, false, okBye(byeA));
  }

  // Scenarios start at a steady rate; their messages interleave, so packets are released in time order through a
  // look-ahead window longer than the longest scenario (~35 s of traffic time). Generation stops at a scenario
  // boundary once the target is reached, and everything left is flushed, so the counts match the data exactly.
  const windowUs = 40_000_000;
  let planned = 0;
  // Sorting only when the window has doubled keeps the release amortised O(n log n).
  let nextRelease = 8192;
  const release = (all: boolean): GeneratedPacket[] => {
    packets.sort((x, y) => x.timeUs - y.timeUs);
    let cut = 0;
    while (cut < packets.length && (all || (packets[cut] as GeneratedPacket).timeUs < clockUs - windowUs)) cut++;
    return packets.splice(0, cut);
  };
  while (planned < targetSipBytes) {
    const before = packets.length;
    const kind = random();
    if (kind < 0.45) call(clockUs);
    else if (kind < 0.85) registration(clockUs);
    else keepalive(clockUs);
    for (let i = before; i < packets.length; i++) planned += (packets[i] as GeneratedPacket).text.length;
    clockUs += Math.floor(2_000 + random() * 6_000);
    if (packets.length >= nextRelease) {
      yield* count(release(false));
      nextRelease = packets.length * 2 + 8192;
    }
  }
  yield* count(release(true));

  function* count(batch: readonly GeneratedPacket[]): Generator<GeneratedPacket> {
    for (const p of batch) {
      counts.messages++;
      counts.bytes += p.text.length;
      if (p.retransmission) counts.retransmissions++;
      yield p;
    }
  }
}

export function emptyCounts(seed: number): TrafficCounts {
  return {
    seed,
    messages: 0,
    retransmissions: 0,
    bytes: 0,
    calls: 0,
    callsByFinalStatus: {},
    registrations: 0,
    registrationsByFinalStatus: {},
    options: 0,
  };
}
