// Messages for the web tests, after RFC 3665 (SIP basic call flow examples): §2.1 a registration with a digest
// challenge, and §3.3 an unsuccessful call answered 486 Busy Here. Addresses from the documentation ranges.
import { encodeHep3 } from '../../index.js';

export interface FlowMessage {
  readonly src: string;
  readonly dst: string;
  readonly text: string;
}

const PHONE = '192.0.2.4:5060';
const PROXY = '198.51.100.1:5060';
const CALLEE = '198.51.100.7:5060';

function lines(...l: string[]): string {
  return `${l.join('\r\n')}\r\n\r\n`;
}

/** §2.1: REGISTER, 401 with a challenge, REGISTER with credentials, 200. */
export function registration(user = 'bob', callId = '1j9FpLxk3uxtm8tn@biloxi.example.com', finalStatus = '200 OK'): FlowMessage[] {
  const aor = `sip:${user}@biloxi.example.com`;
  const base = (branch: string): string[] => [
    `Via: SIP/2.0/UDP 192.0.2.4:5060;branch=${branch}`,
    `From: Bob <${aor}>;tag=a73kszlfl`,
    `To: Bob <${aor}>`,
    `Call-ID: ${callId}`,
  ];
  const register = (cseq: number, branch: string, auth: string[]): string =>
    lines(`REGISTER sip:biloxi.example.com SIP/2.0`, ...base(branch), 'Max-Forwards: 70', `CSeq: ${cseq} REGISTER`, `Contact: <sip:${user}@192.0.2.4>`, 'Expires: 3600', ...auth, 'Content-Length: 0');
  const answer = (status: string, cseq: number, branch: string, extra: string[]): string =>
    lines(`SIP/2.0 ${status}`, ...base(branch).map((h) => (h.startsWith('To:') ? `${h};tag=37GkEhwl6` : h)), `CSeq: ${cseq} REGISTER`, ...extra, 'Content-Length: 0');
  const auth = `Authorization: Digest username="${user}", realm="biloxi.example.com", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", opaque="", uri="sip:biloxi.example.com", response="dfe56131d1958046689d83306477ecc"`;
  return [
    { src: PHONE, dst: PROXY, text: register(1, 'z9hG4bKnashds7', []) },
    { src: PROXY, dst: PHONE, text: answer('401 Unauthorized', 1, 'z9hG4bKnashds7', ['WWW-Authenticate: Digest realm="biloxi.example.com", qop="auth", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", opaque="", stale=FALSE, algorithm=MD5']) },
    { src: PHONE, dst: PROXY, text: register(2, 'z9hG4bKnashd92', [auth]) },
    {
      src: PROXY,
      dst: PHONE,
      text: answer(finalStatus, 2, 'z9hG4bKnashd92', finalStatus.startsWith('200') ? [`Contact: <sip:${user}@192.0.2.4>;expires=3600`] : ['Warning: 399 biloxi.example.com "Account blocked"']),
    },
  ];
}

/** §3.3 shape: INVITE, 100, 486 Busy Here, ACK; `display` is the caller's display name as sent. */
export function busyCall(callId = '12345601@atlanta.example.com', display = 'Alice'): FlowMessage[] {
  const head = (first: string, cseq: string, toTag: string): string[] => [
    first,
    // One branch per call, so that two calls are two transactions (RFC 3261 §17.2.3).
    `Via: SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bK${[...callId].filter((c) => /[a-z0-9]/i.test(c)).join('')}`,
    'Max-Forwards: 70',
    `From: "${display}" <sip:alice@atlanta.example.com>;tag=9fxced76sl`,
    `To: Bob <sip:bob@biloxi.example.com>${toTag}`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq}`,
  ];
  const sdp = 'v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.4\r\ns=-\r\nc=IN IP4 192.0.2.4\r\nt=0 0\r\nm=audio 49172 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
  const invite = `${[...head('INVITE sip:bob@biloxi.example.com SIP/2.0', '1 INVITE', ''), 'Contact: <sip:alice@192.0.2.4>', 'Content-Type: application/sdp', `Content-Length: ${sdp.length}`].join('\r\n')}\r\n\r\n${sdp}`;
  return [
    { src: PHONE, dst: PROXY, text: invite },
    { src: PROXY, dst: PHONE, text: lines(...head('SIP/2.0 100 Trying', '1 INVITE', ''), 'Content-Length: 0') },
    { src: CALLEE, dst: PROXY, text: lines(...head('SIP/2.0 486 Busy Here', '1 INVITE', ';tag=8321234356'), 'Content-Length: 0') },
    { src: PROXY, dst: PHONE, text: lines(...head('SIP/2.0 486 Busy Here', '1 INVITE', ';tag=8321234356'), 'Content-Length: 0') },
    { src: PHONE, dst: PROXY, text: lines(...head('ACK sip:bob@biloxi.example.com SIP/2.0', '1 ACK', ';tag=8321234356'), 'Content-Length: 0') },
  ];
}

function endpoint(text: string): { ip: Uint8Array; port: number } {
  const [host = '', port = '0'] = text.split(':');
  return { ip: Uint8Array.from(host.split('.').map(Number)), port: Number(port) };
}

/** The flow as HEP3 packets (the library's encoder), `stepMs` apart from `startMs`. */
export function asHep(flow: readonly FlowMessage[], startMs: number, stepMs = 20): Uint8Array[] {
  return flow.map((m, i) => {
    const packet = encodeHep3({ timeMs: startMs + i * stepMs, src: endpoint(m.src), dst: endpoint(m.dst), transport: 'UDP', payload: new TextEncoder().encode(m.text) });
    if (packet === undefined) throw new Error('message too large for one HEP packet');
    return packet;
  });
}
