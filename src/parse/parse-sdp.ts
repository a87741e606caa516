import type { Issue } from '../model/issue.js';
import type { MediaDirection, Sdp, SdpCodec, SdpMedia } from '../model/sdp.js';
import { decodeText } from './decode.js';
import type { Mutable } from './parse-uri.js';

/** RFC 3551 §6 static payload types (audio and video) a diagnosis names without an rtpmap. */
const STATIC_PAYLOADS: Record<number, [string, number, number?]> = {
  0: ['PCMU', 8000, 1],
  3: ['GSM', 8000, 1],
  4: ['G723', 8000, 1],
  5: ['DVI4', 8000, 1],
  6: ['DVI4', 16000, 1],
  7: ['LPC', 8000, 1],
  8: ['PCMA', 8000, 1],
  9: ['G722', 8000, 1],
  10: ['L16', 44100, 2],
  11: ['L16', 44100, 1],
  12: ['QCELP', 8000, 1],
  13: ['CN', 8000, 1],
  14: ['MPA', 90000],
  15: ['G728', 8000, 1],
  16: ['DVI4', 11025, 1],
  17: ['DVI4', 22050, 1],
  18: ['G729', 8000, 1],
  25: ['CelB', 90000],
  26: ['JPEG', 90000],
  28: ['nv', 90000],
  31: ['H261', 90000],
  32: ['MPV', 90000],
  33: ['MP2T', 90000],
  34: ['H263', 90000],
};

const DIRECTIONS = new Set<string>(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

interface MediaDraft {
  type: string;
  port: number;
  portCount?: number;
  protocol: string;
  formats: string[];
  connection?: string;
  direction?: MediaDirection;
  ice: boolean;
  crypto: boolean;
  dtls: boolean;
  attributes: { name: string; value?: string }[];
  rtpmap: Map<string, string>;
  fmtp: Map<string, string>;
}

/**
 * Parses an SDP body (RFC 8866 §5) line by line, keeping what a diagnosis needs. Lines it does not understand are
 * skipped; lines that break the `x=value` form are reported with their byte span (relative to `offset` in the
 * message, so spans point into the message's raw bytes).
 */
export function parseSdp(bytes: Uint8Array, issues: Issue[], offset = 0): Sdp {
  const raw = decodeText(bytes, 0, bytes.length);
  const session: {
    version?: number;
    origin?: Sdp['origin'];
    sessionName?: string;
    connection?: string;
    direction?: MediaDirection;
    ice: boolean;
    dtls: boolean;
  } = { ice: false, dtls: false };
  const media: MediaDraft[] = [];
  let cur: MediaDraft | undefined;
  let pos = 0;
  while (pos < bytes.length) {
    let lf = pos;
    while (lf < bytes.length && bytes[lf] !== 0x0a) lf++;
    let e = lf;
    if (e > pos && bytes[e - 1] === 0x0d) e--;
    const s = pos;
    pos = lf + 1;
    if (e === s) continue;
    if (e - s < 2 || bytes[s + 1] !== 0x3d /* = */) {
      issues.push({
        code: 'bad-sdp-line',
        severity: 'warning',
        message: `expected an SDP line "x=value" (RFC 8866 §5), found "${decodeText(bytes, s, Math.min(e, s + 40))}"`,
        span: { start: offset + s, end: offset + e },
      });
      continue;
    }
    const type = String.fromCharCode(bytes[s]!);
    const value = decodeText(bytes, s + 2, e);
    switch (type) {
      case 'v':
        session.version = Number(value);
        break;
      case 'o': {
        const f = value.split(' ');
        if (f.length >= 6) {
          session.origin = {
            username: f[0]!,
            sessionId: f[1]!,
            sessionVersion: f[2]!,
            netType: f[3]!,
            addrType: f[4]!,
            address: f[5]!,
          };
        }
        break;
      }
      case 's':
        session.sessionName = value;
        break;
      case 'c': {
        // c=<nettype> <addrtype> <connection-address>: keep the address (RFC 8866 §5.7).
        const f = value.split(' ');
        const addr = f[2] ?? value;
        if (cur) cur.connection = addr;
        else session.connection = addr;
        break;
      }
      case 'm': {
        // m=<media> <port>[/<number of ports>] <proto> <fmt> … (RFC 8866 §5.14)
        const f = value.split(' ').filter((x) => x.length > 0);
        const portText = f[1] ?? '';
        const slash = portText.indexOf('/');
        const port = Number(slash < 0 ? portText : portText.slice(0, slash));
        if (f.length < 3 || !Number.isInteger(port)) {
          issues.push({
            code: 'bad-sdp-media',
            severity: 'warning',
            message: `expected "m=<media> <port> <proto> <fmt>…", found "m=${value.slice(0, 60)}"`,
            span: { start: offset + s, end: offset + e },
          });
        }
        cur = {
          type: f[0] ?? '',
          port: Number.isInteger(port) ? port : 0,
          ...(slash >= 0 && { portCount: Number(portText.slice(slash + 1)) }),
          protocol: f[2] ?? '',
          formats: f.slice(3),
          ice: false,
          crypto: false,
          dtls: false,
          attributes: [],
          rtpmap: new Map(),
          fmtp: new Map(),
        };
        media.push(cur);
        break;
      }
      case 'a': {
        const colon = value.indexOf(':');
        const name = colon < 0 ? value : value.slice(0, colon);
        const attrValue = colon < 0 ? undefined : value.slice(colon + 1);
        if (DIRECTIONS.has(name)) {
          if (cur) cur.direction = name as MediaDirection;
          else session.direction = name as MediaDirection;
        }
        // RFC 8839 (ICE), RFC 4568 (SDES crypto), RFC 8122 (DTLS fingerprint).
        const ice = name === 'ice-ufrag' || name === 'ice-pwd' || name === 'candidate';
        const dtls = name === 'fingerprint';
        if (cur) {
          cur.attributes.push(attrValue === undefined ? { name } : { name, value: attrValue });
          if (ice) cur.ice = true;
          if (dtls) cur.dtls = true;
          if (name === 'crypto') cur.crypto = true;
          if ((name === 'rtpmap' || name === 'fmtp') && attrValue !== undefined) {
            const sp = attrValue.indexOf(' ');
            if (sp > 0) (name === 'rtpmap' ? cur.rtpmap : cur.fmtp).set(attrValue.slice(0, sp), attrValue.slice(sp + 1).trim());
          }
        } else {
          if (ice) session.ice = true;
          if (dtls) session.dtls = true;
        }
        break;
      }
      default:
        break;
    }
  }
  const out: SdpMedia[] = media.map((m) => finishMedia(m, session));
  const sdp: Mutable<Sdp> = { media: out, raw };
  if (session.version !== undefined) sdp.version = session.version;
  if (session.origin !== undefined) sdp.origin = session.origin;
  if (session.sessionName !== undefined) sdp.sessionName = session.sessionName;
  if (session.connection !== undefined) sdp.connection = session.connection;
  if (session.direction !== undefined) sdp.direction = session.direction;
  return sdp;
}

function finishMedia(m: MediaDraft, session: { connection?: string; direction?: MediaDirection; ice: boolean; dtls: boolean }): SdpMedia {
  const codecs: SdpCodec[] = [];
  const rtp = m.protocol.toUpperCase().includes('RTP');
  if (rtp) {
    for (const f of m.formats) {
      const pt = Number(f);
      if (!Number.isInteger(pt)) continue;
      const map = m.rtpmap.get(f);
      const fmtp = m.fmtp.get(f);
      let name: string | undefined;
      let clockRate: number | undefined;
      let channels: number | undefined;
      if (map !== undefined) {
        // a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>] (RFC 8866 §6.6)
        const [n, rate, ch] = map.split('/');
        name = n;
        if (rate !== undefined && /^\d+$/u.test(rate)) clockRate = Number(rate);
        if (ch !== undefined && /^\d+$/u.test(ch)) channels = Number(ch);
      } else {
        const st = STATIC_PAYLOADS[pt];
        if (st) [name, clockRate, channels] = st;
      }
      const codec: Mutable<SdpCodec> = { payloadType: pt };
      if (name !== undefined) codec.name = name;
      if (clockRate !== undefined) codec.clockRate = clockRate;
      if (channels !== undefined) codec.channels = channels;
      if (fmtp !== undefined) codec.fmtp = fmtp;
      codecs.push(codec);
    }
  }
  const connection = m.connection ?? session.connection;
  const direction = m.direction ?? session.direction;
  const out: Mutable<SdpMedia> = {
    type: m.type,
    port: m.port,
    protocol: m.protocol,
    formats: m.formats,
    codecs,
    ice: m.ice || session.ice,
    crypto: m.crypto,
    dtls: m.dtls || session.dtls,
    attributes: m.attributes,
  };
  if (m.portCount !== undefined && Number.isInteger(m.portCount)) out.portCount = m.portCount;
  if (connection !== undefined) out.connection = connection;
  if (direction !== undefined) out.direction = direction;
  return out;
}
