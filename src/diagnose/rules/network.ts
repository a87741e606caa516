// NAT and transport: what the addresses inside the messages say against the addresses on the wire.
import { classifyAddress, hostOfAddress, isPrivateScope } from '../../correlate/address.js';
import type { AddressScope } from '../../correlate/address.js';
import type { MessageFacts } from '../../correlate/facts.js';
import type { Transaction } from '../../correlate/types.js';
import { collectEvidence } from './rule.js';
import type { FindingDraft, Rule } from './rule.js';

interface Sighting {
  readonly src: string;
  readonly contact: string | undefined;
  readonly via: string | undefined;
  readonly messages: number[];
  readonly callIds: Set<string>;
  received: string | undefined;
  rport: number | null | undefined;
  /** The earliest answer whose top Via carries a received or an rport value: both values are its. */
  noted: number | undefined;
}

/** Addresses as the rules read them, each read once per run: the same few are on every message. */
interface AddressReader {
  scopeOf(host: string): AddressScope;
  /** The host of a source address (`ip:port`) when it is public. */
  publicHostOf(addr: string | undefined): string | undefined;
}

function readAddresses(): AddressReader {
  const scopes = new Map<string, AddressScope>();
  const publicHosts = new Map<string, string | undefined>();
  const scopeOf = (host: string): AddressScope => {
    let scope = scopes.get(host);
    if (scope === undefined) scopes.set(host, (scope = classifyAddress(host)));
    return scope;
  };
  return {
    scopeOf,
    publicHostOf(addr) {
      if (addr === undefined) return undefined;
      if (publicHosts.has(addr)) return publicHosts.get(addr);
      const host = hostOfAddress(addr);
      const known = host !== undefined && scopeOf(host) === 'public' ? host : undefined;
      publicHosts.set(addr, known);
      return known;
    },
  };
}

/** RFC 3261 §18.2.1 (received), RFC 3581 (rport): the server notes where a request really came from. */
function notePrivateFromPublic(tx: Transaction, addresses: AddressReader, seen: Map<string, Sighting>): void {
  const req = tx.request;
  // Only the first hop tells about the sender's own addresses.
  if (req === undefined || req.viaCount !== 1) return;
  const srcHost = addresses.publicHostOf(req.src);
  if (srcHost === undefined) return;
  const contactHost = req.contacts.find((x) => !x.star)?.host;
  const viaHost = req.via[0]?.host;
  const badContact = contactHost !== undefined && isPrivateScope(addresses.scopeOf(contactHost)) ? contactHost : undefined;
  const badVia = viaHost !== undefined && isPrivateScope(addresses.scopeOf(viaHost)) ? viaHost : undefined;
  if (badContact === undefined && badVia === undefined) return;
  const key = `${srcHost}|${badContact ?? ''}|${badVia ?? ''}`;
  let s = seen.get(key);
  if (s === undefined) {
    s = { src: srcHost, contact: badContact, via: badVia, messages: [], callIds: new Set(), received: undefined, rport: undefined, noted: undefined };
    seen.set(key, s);
  }
  s.messages.push(req.index);
  s.callIds.add(req.callId);
  const answer = tx.responses[0];
  const v = answer?.via[0];
  // The earliest by message number, not the first met: shares and eviction batches meet them in another order. A bare
  // `;rport` is the client's request echoed back (RFC 3581 §3), not something the server noted.
  const noted = v !== undefined && (v.received !== undefined || typeof v.rport === 'number');
  if (answer !== undefined && noted && (s.noted === undefined || answer.index < s.noted)) {
    s.received = v.received;
    s.rport = v.rport;
    s.noted = answer.index;
  }
}

function insideOf(contact: string | undefined, via: string | undefined): string {
  return [contact === undefined ? '' : `Contact ${contact}`, via === undefined ? '' : `Via ${via}`].filter(Boolean).join(' and ');
}

/** The explanation of net.private-address; combine says it again when shares or eviction batches merge a finding. */
export function explainPrivateAddress(src: string, contact: string | undefined, via: string | undefined, received: string | undefined, rport: number | null | undefined): string {
  return (
    `Messages arrived from the public address ${src} but name the private ${insideOf(contact, via)} inside. The sender is behind ` +
    `NAT and does not know its public address; answers and new requests sent to the address inside the message ` +
    `cannot reach it unless the server fixes this (received/rport, RFC 3261 §18.2.1, RFC 3581) or the device uses ` +
    `STUN or an outbound proxy. ` +
    (received !== undefined
      ? `The server did note the real source (received=${received}${rport === undefined || rport === null ? '' : `, rport=${rport}`}), so responses can get back; incoming calls and in-dialog requests still go to the Contact.`
      : 'The server\'s answers do not show received/rport, so it may send its answers to the private address.')
  );
}

function reportPrivateFromPublic(seen: ReadonlyMap<string, Sighting>): FindingDraft[] {
  const out: FindingDraft[] = [];
  for (const s of seen.values()) {
    const inside = insideOf(s.contact, s.via);
    out.push({
      rule: 'net.private-address',
      severity: 'warning',
      title: `Private address (${inside}) in messages sent from public address ${s.src}: NAT`,
      explanation: explainPrivateAddress(s.src, s.contact, s.via, s.received, s.rport),
      status: null,
      callIds: [...s.callIds].sort().slice(0, 20),
      evidence: collectEvidence(s.messages),
      causes: [
        'The device is behind NAT without STUN, ICE or a configured public address.',
        'A SIP ALG in the router rewrites some addresses but not others.',
      ],
      nextSteps: [
        'Enable NAT handling on the server (force rport, fix Contact) or on the device (STUN, rport, keepalives).',
        'Turn off the router\'s SIP ALG if it is rewriting messages inconsistently.',
      ],
      willNotHelp: ['Changing credentials.'],
      generatedBy: 'network',
      details: { sourceAddress: s.src, privateContact: s.contact ?? null, privateVia: s.via ?? null, received: s.received ?? null, rport: s.rport ?? null, receivedIn: s.noted ?? null },
    });
  }
  return out;
}

interface MarkedVia {
  readonly f: MessageFacts;
  readonly messages: number[];
  readonly callIds: Set<string>;
}

/** A response whose top Via carries received/rport different from the sent-by: the path changed the address. */
function noteReceivedDiffers(tx: Transaction, { scopeOf }: AddressReader, seen: Map<string, MarkedVia>): void {
  const r = tx.responses[0];
  const v = r?.via[0];
  // Most Vias carry neither mark.
  if (r === undefined || v === undefined || (v.received === undefined && typeof v.rport !== 'number')) return;
  // Over TCP/TLS the connection's source port is ephemeral and differs from the Via port by design (RFC 3261 §18.2.2).
  const streamed = v.transport !== 'UDP' || (r.transport !== undefined && r.transport !== 'UDP');
  const portDiff = !streamed && typeof v.rport === 'number' && v.port !== undefined && v.rport !== v.port;
  // RFC 3261 §18.2.1: received is added whenever sent-by is a host name; only an address that differs tells.
  const hostDiff = v.received !== undefined && v.received !== v.host && scopeOf(v.host) !== 'name';
  if (!portDiff && !hostDiff) return;
  // Private-inside-public is reported by the rule above with more to say.
  if (isPrivateScope(scopeOf(v.host)) && v.received !== undefined && scopeOf(v.received) === 'public') return;
  const key = `${v.host}:${v.port ?? ''}|${v.received ?? ''}:${v.rport ?? ''}`;
  let s = seen.get(key);
  if (s === undefined) seen.set(key, (s = { f: r, messages: [], callIds: new Set() }));
  s.messages.push(r.index);
  s.callIds.add(r.callId);
}

function reportReceivedDiffers(seen: ReadonlyMap<string, MarkedVia>): FindingDraft[] {
  const out: FindingDraft[] = [];
  for (const { f, messages, callIds } of seen.values()) {
    const v = f.via[0];
    if (v === undefined) continue;
    out.push({
      rule: 'net.received-differs',
      severity: 'info',
      title: `The sender wrote ${v.host}:${v.port ?? 5060} in its Via, the server saw ${v.received ?? v.host}:${typeof v.rport === 'number' ? v.rport : (v.port ?? 5060)}`,
      explanation:
        `The server marked the top Via with received/rport (RFC 3261 §18.2.1, RFC 3581 §4): the request arrived from ` +
        `another address or port than the sender wrote. Some NAT or address translation is on the path; the server ` +
        `answers to the address it saw.`,
      status: null,
      callIds: [...callIds].sort().slice(0, 20),
      evidence: collectEvidence(messages),
      causes: ['NAT or a port-translating firewall between the sender and the server.', 'The device writes a configured address it does not really use.'],
      nextSteps: ['Make sure keepalives keep the NAT binding open for incoming calls.'],
      willNotHelp: [],
      generatedBy: 'network',
      details: { via: `${v.host}:${v.port ?? ''}`, received: v.received ?? null, rport: v.rport ?? null },
    });
  }
  return out;
}

interface TransportSightings {
  /** `src|via transport|wire transport` → requests. */
  readonly mismatch: Map<string, number[]>;
  /** Keys of mismatches whose requests the device's own log shows it sending. */
  readonly sentHere: Set<string>;
  /** The Via stack's transports, first hop first (`UDP>TCP`) → requests. */
  readonly changes: Map<string, number[]>;
}

/** The transport named in the top Via against the transport the capture saw, and across the Via stack. */
function noteTransportChanges(tx: Transaction, { mismatch, sentHere, changes }: TransportSightings): void {
  const req = tx.request;
  const top = req?.via[0];
  if (req === undefined || top === undefined) return;
  if (req.transport !== undefined && req.transport !== top.transport && !(req.transport === 'TLS' && top.transport === 'TCP')) {
    const key = `${req.src ?? ''}|${top.transport}|${req.transport}`;
    if (req.direction === 'out') sentHere.add(key);
    const list = mismatch.get(key);
    if (list === undefined) mismatch.set(key, [req.index]);
    else list.push(req.index);
  }
  if (req.via.some((v) => v.transport !== top.transport)) {
    const key = req.via.map((v) => v.transport).reverse().join('>');
    const list = changes.get(key);
    if (list === undefined) changes.set(key, [req.index]);
    else list.push(req.index);
  }
}

function reportTransportChanges({ mismatch, sentHere, changes }: TransportSightings): FindingDraft[] {
  const out: FindingDraft[] = [];
  for (const [key, messages] of mismatch) {
    const [src, via, wire] = key.split('|');
    out.push({
      rule: 'net.via-transport-mismatch',
      severity: 'warning',
      title: `Via says ${via ?? '?'} but the request travelled over ${wire ?? '?'}`,
      explanation:
        `Requests from ${src || 'a sender'} name ${via ?? '?'} in their top Via but were carried over ${wire ?? '?'}. ` +
        `Responses are sent according to the Via (RFC 3261 §18.2.2), so they may go over a transport the sender does not listen on.`,
      status: null,
      callIds: [],
      evidence: collectEvidence(messages),
      causes: ['A misconfigured transport on the device, or an ALG/SBC rewriting the Via.'],
      nextSteps: ['Configure one transport consistently on the device.'],
      willNotHelp: [],
      // The sender's stack wrote the Via: "local" only when that is the device whose log this is.
      generatedBy: sentHere.has(key) ? 'local' : 'unknown',
      details: { viaTransport: via ?? null, wireTransport: wire ?? null },
    });
  }
  for (const [path, messages] of changes) {
    out.push({
      rule: 'net.transport-change',
      severity: 'info',
      title: `The transport changes between hops: ${path.split('>').join(' → ')}`,
      explanation:
        `The Via stack shows the request crossing hops over different transports (${path.split('>').join(' then ')}). ` +
        `That is allowed, but a message larger than about 1300 bytes must not go over UDP (RFC 3261 §18.1.1) and each hop ` +
        `must listen on the transport the next one uses.`,
      status: null,
      callIds: [],
      evidence: collectEvidence(messages),
      causes: ['Proxies or SBCs configured with different transports on each side.'],
      nextSteps: ['If requests get lost after a hop, check that hop\'s transport and message size (fragmentation over UDP).'],
      willNotHelp: [],
      generatedBy: 'proxy',
      details: { transports: path.split('>') },
    });
  }
  return out;
}

export const networkRules: Rule = {
  family: 'net',
  run(c) {
    const addresses = readAddresses();
    const nat = new Map<string, Sighting>();
    const marked = new Map<string, MarkedVia>();
    const transports: TransportSightings = { mismatch: new Map(), sentHere: new Set(), changes: new Map() };
    // The three checks in one pass: reading each transaction's messages costs more than the checks do.
    for (const tx of c.transactions) {
      notePrivateFromPublic(tx, addresses, nat);
      noteReceivedDiffers(tx, addresses, marked);
      noteTransportChanges(tx, transports);
    }
    return [...reportPrivateFromPublic(nat), ...reportReceivedDiffers(marked), ...reportTransportChanges(transports)];
  },
};
