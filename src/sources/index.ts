// Public names of sources/, re-exported by src/index.ts. Shared file: add export lines, never rewrite it whole.
export {};
export { CaptureReader, detectCapture } from './pcap/capture-reader.js';
export type { CapturedFrame, CaptureFormat, CaptureReaderOptions } from './pcap/capture-reader.js';
export { PacketDecoder, LinkType, describeLinkType } from './pcap/packet-decoder.js';
export type { DecodedPacket } from './pcap/packet-decoder.js';
export type { FragmentLimits } from './pcap/fragments.js';
export { decodeHep, looksLikeHep, hepPacketLength } from './hep.js';
export type { HepPacket, HepFailure, HepResult } from './hep.js';
