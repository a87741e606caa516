// SIP message flows written after RFC 3665 (SIP Basic Call Flow Examples): the message texts of §2 (registration)
// and §3 (session establishment), with the hosts and users of that RFC, turned into MessageRecords by the real parser.
import { parseMessage } from '../../src/parse/index.js';
import type { MessageRecord } from '../../src/model/index.js';

export interface Wire {
  /** Seconds from the start of the flow. */
  readonly t: number;
  readonly src: string;
  readonly dst: string;
  readonly text: string;
  readonly transport?: 'UDP' | 'TCP';
}

const BASE = Date.UTC(2026, 0, 5, 9, 0, 0);

/** Parses each message text (LF line ends become CRLF) into a record with a capture-like meta. */
export function toRecords(flow: readonly Wire[], path = 'rfc3665.pcap'): MessageRecord[] {
  return flow.map((w, index) => {
    const text = w.text.replace(/^\n/, '').replace(/\r?\n/g, '\r\n');
    const bytes = new TextEncoder().encode(text);
    return {
      index,
      message: parseMessage(bytes),
      meta: { time: BASE + w.t * 1000, src: w.src, dst: w.dst, transport: w.transport ?? 'UDP', origin: { path, offset: index * 100, packet: index + 1 }, format: 'pcap' },
    };
  });
}

/** A body's Content-Length header line and the body, with CRLF line ends counted. */
function withBody(headers: string, body: string | undefined): string {
  if (body === undefined) return `${headers}Content-Length: 0\n\n`;
  const crlf = body.replace(/^\n/, '').replace(/\r?\n/g, '\r\n');
  return `${headers}Content-Type: application/sdp\nContent-Length: ${new TextEncoder().encode(crlf).length}\n\n${crlf}`;
}

export interface RegisterSpec {
  readonly cseq: number;
  readonly branch: string;
  readonly expires?: number;
  readonly auth?: { readonly user: string; readonly realm: string; readonly nonce: string };
  readonly viaHost?: string;
  readonly contactHost?: string;
}

const BOB = '192.0.2.4';
const REGISTRAR = '192.0.2.2';

/** RFC 3665 §2.1 F1/F3: Bob's REGISTER, optionally with credentials. */
export function register(spec: RegisterSpec): string {
  const via = spec.viaHost ?? 'bobspc.biloxi.com:5060';
  const contact = spec.contactHost ?? `${BOB}`;
  const auth = spec.auth === undefined
    ? ''
    : `Authorization: Digest username="${spec.auth.user}", realm="${spec.auth.realm}", nonce="${spec.auth.nonce}", opaque="", uri="sip:${REGISTRAR}", response="dfe56131d1958046689d83306477ecc"\n`;
  return withBody(
    `REGISTER sips:ss2.biloxi.example.com SIP/2.0
Via: SIP/2.0/TLS ${via};branch=${spec.branch}
Max-Forwards: 70
From: Bob <sips:bob@biloxi.example.com>;tag=a73kszlfl
To: Bob <sips:bob@biloxi.example.com>
Call-ID: 1j9FpLxk3uxtm8tn@biloxi.example.com
CSeq: ${spec.cseq} REGISTER
Contact: <sips:bob@${contact}>
${auth}Expires: ${spec.expires ?? 7200}
`,
    undefined,
  );
}

export interface ResponseSpec {
  readonly status: number;
  readonly reason: string;
  readonly cseq: number;
  readonly branch: string;
  readonly method: string;
  readonly extra?: string;
  readonly toTag?: string;
  readonly viaHost?: string;
  readonly sdp?: string;
}

/** RFC 3665 §2.1 F2/F4: the registrar's answer. */
export function registerResponse(spec: ResponseSpec): string {
  const via = spec.viaHost ?? 'bobspc.biloxi.com:5060';
  return withBody(
    `SIP/2.0 ${spec.status} ${spec.reason}
Via: SIP/2.0/TLS ${via};branch=${spec.branch};received=${BOB}
From: Bob <sips:bob@biloxi.example.com>;tag=a73kszlfl
To: Bob <sips:bob@biloxi.example.com>;tag=${spec.toTag ?? '1410948204'}
Call-ID: 1j9FpLxk3uxtm8tn@biloxi.example.com
CSeq: ${spec.cseq} ${spec.method}
${spec.extra ?? ''}`,
    undefined,
  );
}

export const challenge = (nonce: string, stale = false): string =>
  `WWW-Authenticate: Digest realm="atlanta.example.com", qop="auth", nonce="${nonce}", opaque=""${stale ? ', stale=TRUE' : ''}, algorithm=MD5\n`;

export const bobAddr = `${BOB}:5061`;
export const registrarAddr = `${REGISTRAR}:5061`;

// RFC 3665 §3.2-style session: Alice calls Bob through proxy ss1.atlanta.example.com.
const ALICE = '192.0.2.101:5060';
const PROXY = '192.0.2.111:5060';
const BOB_UA = '192.0.2.4:5060';
export const addresses = { alice: ALICE, proxy: PROXY, bob: BOB_UA };

export const aliceOffer = `
v=0
o=alice 2890844526 2890844526 IN IP4 client.atlanta.example.com
s=-
c=IN IP4 192.0.2.101
t=0 0
m=audio 49172 RTP/AVP 18 101
a=rtpmap:18 G729/8000
a=rtpmap:101 telephone-event/8000
`;

export const bobAnswer = `
v=0
o=bob 2890844527 2890844527 IN IP4 client.biloxi.example.com
s=-
c=IN IP4 192.0.2.4
t=0 0
m=audio 3456 RTP/AVP 0
a=rtpmap:0 PCMU/8000
`;

export interface InviteSpec {
  readonly cseq: number;
  readonly branch: string;
  /** The proxy's own branch when this is the forwarded copy (two Via headers). */
  readonly proxyBranch?: string;
  readonly sdp?: string;
  readonly method?: string;
  readonly toTag?: string;
  readonly extra?: string;
  readonly callId?: string;
}

/** RFC 3665 §3.2 F1 (from Alice) or F4 (the proxy's copy to Bob). */
export function invite(spec: InviteSpec): string {
  const method = spec.method ?? 'INVITE';
  const vias = spec.proxyBranch === undefined
    ? `Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=${spec.branch}\n`
    : `Via: SIP/2.0/UDP ss1.atlanta.example.com:5060;branch=${spec.proxyBranch}\nVia: SIP/2.0/UDP client.atlanta.example.com:5060;branch=${spec.branch};received=192.0.2.101\n`;
  return withBody(
    `${method} sip:bob@biloxi.example.com SIP/2.0
${vias}Max-Forwards: ${spec.proxyBranch === undefined ? 70 : 69}
From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl
To: Bob <sip:bob@biloxi.example.com>${spec.toTag === undefined ? '' : `;tag=${spec.toTag}`}
Call-ID: ${spec.callId ?? '2xTb9vxSit55XU7p8@atlanta.example.com'}
CSeq: ${spec.cseq} ${method}
Contact: <sip:alice@client.atlanta.example.com>
${spec.extra ?? ''}`,
    spec.sdp,
  );
}

/** A response to an INVITE-leg request: on Alice's side (one Via) or on Bob's side (two). */
export function answer(spec: ResponseSpec & { readonly proxyBranch?: string; readonly callId?: string }): string {
  const vias = spec.proxyBranch === undefined
    ? `Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=${spec.branch};received=192.0.2.101\n`
    : `Via: SIP/2.0/UDP ss1.atlanta.example.com:5060;branch=${spec.proxyBranch}\nVia: SIP/2.0/UDP client.atlanta.example.com:5060;branch=${spec.branch};received=192.0.2.101\n`;
  return withBody(
    `SIP/2.0 ${spec.status} ${spec.reason}
${vias}From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl
To: Bob <sip:bob@biloxi.example.com>${spec.toTag === undefined ? '' : `;tag=${spec.toTag}`}
Call-ID: ${spec.callId ?? '2xTb9vxSit55XU7p8@atlanta.example.com'}
CSeq: ${spec.cseq} ${spec.method}
${spec.extra ?? ''}`,
    spec.sdp,
  );
}
