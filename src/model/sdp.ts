/** RFC 8866 session description, the parts a diagnosis needs. */
export interface SdpCodec {
  readonly payloadType: number;
  /** From a=rtpmap, or the static payload type's name (RFC 3551): `PCMU`, `G729`, `telephone-event`. */
  readonly name?: string;
  readonly clockRate?: number;
  readonly channels?: number;
  readonly fmtp?: string;
}

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface SdpMedia {
  readonly type: string; // audio, video, image, application
  readonly port: number;
  readonly portCount?: number;
  readonly protocol: string; // RTP/AVP, RTP/SAVP, UDP/TLS/RTP/SAVPF, udptl
  readonly formats: readonly string[];
  readonly codecs: readonly SdpCodec[];
  /** c= of the media section, else of the session. */
  readonly connection?: string;
  readonly direction?: MediaDirection;
  readonly ice: boolean;
  readonly crypto: boolean;
  readonly dtls: boolean;
  readonly attributes: readonly { readonly name: string; readonly value?: string }[];
}

export interface Sdp {
  readonly version?: number;
  readonly origin?: {
    readonly username: string;
    readonly sessionId: string;
    readonly sessionVersion: string;
    readonly netType: string;
    readonly addrType: string;
    readonly address: string;
  };
  readonly sessionName?: string;
  readonly connection?: string;
  readonly direction?: MediaDirection;
  readonly media: readonly SdpMedia[];
  readonly raw: string;
}

export interface BodyPart {
  readonly contentType?: string;
  readonly headers: readonly { readonly name: string; readonly value: string }[];
  readonly body: Uint8Array;
}
