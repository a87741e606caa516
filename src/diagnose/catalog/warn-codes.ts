// Warn-codes of the Warning header: RFC 3261 §20.43 and later additions in the IANA "Warning Codes (warn-codes)"
// registry. RFC 3261 §20.43 splits 3xx: 300-329 session description keywords, 330-339 basic network services,
// 370-379 QoS, 390-399 miscellaneous. Explanations are written for siplens.
import type { WarnCodeEntry } from './types.js';
import { CatalogError } from './types.js';

const SDP_CHECK = 'Compare the SDP offer (m=, c=, a= lines) with what the warning host supports.';

export const warnCodes: readonly WarnCodeEntry[] = [
  {
    code: 300,
    text: 'Incompatible network protocol',
    rfc: 'RFC 3261',
    section: '§20.43',
    summary: 'The network type in the SDP (the "IN" of c= and o= lines) is one the warning host cannot use.',
    checks: [SDP_CHECK],
    seenWith: [488, 606],
  },
  {
    code: 301,
    text: 'Incompatible network address formats',
    rfc: 'RFC 3261',
    section: '§20.43',
    summary: 'The address type in the SDP (IP4 or IP6) is not available at the warning host, for example an IPv6-only offer to an IPv4-only gateway.',
    checks: [SDP_CHECK, 'Check IPv4/IPv6 settings of both ends.'],
    seenWith: [488, 606],
  },
  {
    code: 302,
    text: 'Incompatible transport protocol',
    rfc: 'RFC 3261',
    section: '§20.43',
    summary: 'The media transport in the m= line (RTP/AVP, RTP/SAVP, UDP/TLS/RTP/SAVPF...) is not available; often plain RTP against a peer that insists on SRTP, or the reverse.',
    checks: [SDP_CHECK, 'Align SRTP/encryption settings on both sides.'],
    seenWith: [488, 606],
  },
  {
    code: 303,
    text: 'Incompatible bandwidth units',
    rfc: 'RFC 3261',
    section: '§20.43',
    summary: 'A bandwidth modifier (b= line) uses units the warning host does not understand.',
    checks: [SDP_CHECK],
    seenWith: [488, 606],
  },
  {
    code: 304,
    text: 'Media type not available',
    rfc: 'RFC 3261',
    section: '§20.43',
    summary: 'A media type in the offer (audio, video, image for T.38 fax, text) is not available at the warning host.',
    checks: [SDP_CHECK, 'Remove video or fax streams the peer cannot take.'],
    seenWith: [488, 606],
  },
  {
    code: 305,
    text: 'Incompatible media format',
    rfc: 'RFC 3261',
    section: '§20.43',
    summary: 'None of the media formats (codecs) offered is available at the warning host: there is no codec in common.',
    checks: ['List the codecs in the offer (a=rtpmap) and enable at least one the peer supports, commonly G.711 (PCMU/PCMA).'],
    seenWith: [488, 606],
  },
  {
    code: 306,
    text: 'Attribute not understood',
    rfc: 'RFC 3261',
    section: '§20.43',
    summary: 'An a= attribute in the SDP is not supported by the warning host.',
    checks: [SDP_CHECK],
    seenWith: [488, 606],
  },
  {
    code: 307,
    text: 'Session description parameter not understood',
    rfc: 'RFC 3261',
    section: '§20.43',
    summary: 'Some SDP parameter other than those above could not be understood.',
    checks: [SDP_CHECK, 'Look for malformed SDP lines.'],
    seenWith: [488, 606, 400],
  },
  {
    code: 308,
    text: 'Incompatible language specification',
    rfc: 'RFC 8373',
    // RFC 8373 §5.2 says when 308 is sent (no language in common); §6.2 registers it. IANA cites the RFC as a whole.
    section: '§5.2',
    summary: 'The languages asked for in the SDP (hlang-send / hlang-recv, for relay services and interpreters) cannot be supported.',
    checks: ['Check the hlang attributes of the offer.'],
    seenWith: [488],
  },
  {
    code: 330,
    text: 'Multicast not available',
    rfc: 'RFC 3261',
    section: '§20.43',
    summary: 'The warning host\'s site has no multicast access for the session asked.',
    checks: ['Use unicast media.'],
    seenWith: [488, 606],
  },
  {
    code: 331,
    text: 'Unicast not available',
    rfc: 'RFC 3261',
    section: '§20.43',
    summary: 'The warning host\'s site has no unicast access for the session (a firewall or similar is in the way).',
    checks: ['Check firewalls and media relays at the warning host\'s site.'],
    seenWith: [488, 606],
  },
  {
    code: 370,
    text: 'Insufficient bandwidth',
    rfc: 'RFC 3261',
    section: '§20.43',
    summary: 'The bandwidth the session needs (from the SDP or the media) is more than the warning host knows to be available.',
    checks: ['Offer lower-bandwidth codecs, drop video, or raise the bandwidth limits (call admission control).'],
    seenWith: [488, 606, 503],
  },
  {
    code: 380,
    text: 'SIPS Not Allowed',
    rfc: 'RFC 5630',
    section: '§5.3',
    summary: 'The warning host will not handle a SIPS (TLS all the way) request to this target, for example because it cannot reach the next hop over TLS.',
    checks: ['Use sip: instead of sips:, or enable TLS on the path.'],
    seenWith: [480, 403],
  },
  {
    code: 381,
    text: 'SIPS Required',
    rfc: 'RFC 5630',
    section: '§5.3',
    summary: 'The warning host insists on SIPS (TLS end to end) for this target and the request used plain sip:.',
    checks: ['Use a sips: URI and TLS transport.'],
    seenWith: [480, 403],
  },
  {
    code: 399,
    text: 'Miscellaneous warning',
    rfc: 'RFC 3261',
    section: '§20.43',
    summary: 'Free-form: the warn-text says what the problem is. Servers often put their most useful explanation here.',
    checks: ['Read the warn-text; it is meant for a person (RFC 3261 §20.43).'],
    seenWith: [400, 403, 404, 480, 488, 500, 503],
  },
];

const byCode = new Map<number, WarnCodeEntry>(warnCodes.map((entry) => [entry.code, entry]));

/** The warn-code entry, or undefined when it is unregistered. */
export function lookupWarning(code: number): WarnCodeEntry | undefined {
  return byCode.get(code);
}

/**
 * Explains a warn-code. Unregistered codes in 300-399 get the meaning of their RFC 3261 §20.43 sub-range; anything
 * outside 300-399 (1xx/2xx warn-codes belong to HTTP) throws CatalogError('unknown-warn-code').
 */
export function describeWarning(code: number): WarnCodeEntry & { readonly registered: boolean } {
  const entry = byCode.get(code);
  if (entry !== undefined) return { ...entry, registered: true };
  if (!Number.isInteger(code) || code < 300 || code > 399) {
    throw new CatalogError('unknown-warn-code', `expected a SIP warn-code from 300 to 399 (RFC 3261 §20.43); got ${String(code)}`);
  }
  return {
    code,
    text: 'Unregistered warn-code',
    rfc: 'RFC 3261',
    section: '§20.43',
    summary: `${code} is not registered; by its range it concerns ${rangeOfWarning(code)}. Read the warn-text.`,
    checks: ['Read the warn-text and the warn-agent (the host that added the warning).'],
    seenWith: [],
    registered: false,
  };
}

/** What a 3xx warn-code is about by its sub-range (RFC 3261 §20.43). */
function rangeOfWarning(code: number): string {
  if (code < 330) return 'keywords of the session description';
  if (code < 340) return 'basic network services asked for in the session description';
  if (code >= 370 && code < 380) return 'quantitative QoS parameters of the session description';
  if (code >= 390) return 'miscellaneous matters';
  return 'a range RFC 3261 left unassigned';
}
