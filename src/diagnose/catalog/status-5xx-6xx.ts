// Server failure (5xx) and global failure (6xx) codes (RFC 3261 §21.5, §21.6). Explanations are written for
// siplens; facts cite their section.
import { defineStatus } from './define-status.js';
import type { StatusEntry } from './types.js';

export const serverFailureCodes: readonly StatusEntry[] = [
  // RFC 3261 §21.5.1: unexpected condition at the server; Retry-After if temporary.
  defineStatus(500, 'Server Internal Error', {
    section: '§21.5.1',
    otherReasons: ['Internal Server Error'],
    summary:
      'Something went wrong inside the server while it handled the request: a bug, a failed database or back-end, or a crash in a script. The client may try again later, and Retry-After may say when.',
    onRegister: 'The registrar failed internally (for example its database or authentication back-end is down). Nothing on the device can fix it.',
    onInvite: 'A server on the call path failed while routing the call; often a routing script error or a back-end outage on the PBX or provider.',
    onOther: 'The server failed internally.',
    causes: [
      'A back-end the server depends on (database, LDAP, billing, RADIUS) is down.',
      'A bug or script error triggered by something in this request.',
      'A gateway mapping Q.850 cause 111 or 127 (RFC 3398 §7.2.4.1).',
    ],
    checks: [
      'Read the reason phrase and Warning header; some servers name the failing part.',
      'Check the server\'s own logs at the time of the request.',
      'If only one kind of request fails, look for an unusual header or value in it.',
    ],
    willNotHelp: ['Changing the device\'s credentials or codecs.', 'Retrying at a high rate.'],
    senders: ['any'],
    detailHeaders: ['Retry-After', 'Warning', 'Reason'],
    retry: 'after-delay',
    fault: 'fault',
    keywords: ['internal error', 'server error', 'crash'],
    seeAlso: [503],
  }),
  // RFC 3261 §21.5.2: the server does not support the method at all (compare 405).
  defineStatus(501, 'Not Implemented', {
    section: '§21.5.2',
    summary:
      'The server does not support what the request asks for at all, typically a method it does not know. Unlike 405, this is not a per-address policy: the software lacks the feature.',
    onRegister: 'The element does not implement REGISTER: the request reached a proxy, gateway or device that is not a registrar.',
    onInvite: 'Rare; the receiver cannot handle INVITE. From a gateway it may map Q.850 cause 29 or 79 (RFC 3398 §7.2.4.1).',
    onOther: 'The method (UPDATE, PRACK, MESSAGE, PUBLISH, REFER...) is not implemented by the receiver.',
    causes: ['A method the receiver never implemented.', 'The request reached the wrong kind of element.'],
    checks: ['Check the Allow header of an OPTIONS answer from the same element.', 'Check the server address and port on the device.'],
    willNotHelp: ['Retrying the same method.'],
    senders: ['uas', 'proxy', 'gateway'],
    detailHeaders: ['Allow'],
    retry: 'after-change',
    fault: 'fault',
    keywords: ['not implemented', 'method', 'unsupported'],
    seeAlso: [405],
  }),
  // RFC 3261 §21.5.3: a gateway or proxy got an invalid answer from the next server.
  defineStatus(502, 'Bad Gateway', {
    section: '§21.5.3',
    summary:
      'A server acting as a gateway or proxy got an invalid answer from the next server it contacted, or could not use it. The failure is further along the path than the server that answered. Devices also use it for their own failure to reach the next hop.',
    onRegister:
      'The REGISTER could not be passed on: the proxy or the device itself could not reach or use the next server. On devices, a registrar host name that does not resolve in DNS is a common cause.',
    onInvite: 'The call failed beyond the first server: the trunk, gateway or next provider answered badly or not at all. From a gateway it can map Q.850 cause 27 (destination out of order).',
    onOther: 'The next server gave an invalid answer.',
    causes: [
      'The next server (trunk, carrier, PSTN gateway) is down or answered with garbage.',
      'DNS cannot resolve the next hop\'s host name.',
      'The far destination is out of order (Q.850 cause 27, RFC 3398 §7.2.4.1).',
    ],
    checks: [
      'Find which element sent the 502 (Via/Server/User-Agent headers) and look at its upstream.',
      'Check DNS resolution of the registrar/proxy/trunk host names from the element that failed.',
      'Read the Reason header for a Q.850 cause.',
    ],
    willNotHelp: ['Changing the password.', 'Changing codecs.'],
    senders: ['proxy', 'gateway'],
    detailHeaders: ['Reason', 'Warning', 'Retry-After'],
    retry: 'after-delay',
    fault: 'fault',
    keywords: ['gateway', 'dns', 'upstream', 'trunk', 'bad gateway'],
    seeAlso: [503, 504],
  }),
  // RFC 3261 §21.5.4: overload or maintenance; Retry-After; a client (proxy or UAC) SHOULD try another server (this
  // section says so; RFC 3263 §4.3 counts a 503 as a failure that moves on to the next server).
  defineStatus(503, 'Service Unavailable', {
    section: '§21.5.4',
    summary:
      'The server cannot take the request right now: it is overloaded, in maintenance, or has no route or resource available. Retry-After may say when to return; a client that knows other servers for the domain should try them (RFC 3263).',
    onRegister:
      'The registrar is unavailable or refuses new registrations for now (overload, maintenance, licence limit). Wait for Retry-After or use a backup registrar.',
    onInvite:
      'No capacity or route for the call right now: all trunks busy, a licence or channel limit reached, the outbound route down, or the provider overloaded. Gateways map many Q.850 causes (34, 38, 41, 42, 47, 58, 88) to 503 (RFC 3398 §7.2.4.1).',
    onOther: 'The server is temporarily unavailable for this request.',
    causes: [
      'No trunk, channel or route available (all channels busy, route down).',
      'Server overload or maintenance.',
      'Licence or concurrent-call limit reached.',
      'Some devices report their own failure to send (no network, DNS failure, TLS failure) as 503.',
    ],
    checks: [
      'Read Retry-After and the reason phrase.',
      'Check trunk and channel status and concurrent-call limits on the PBX or gateway.',
      'If the device produced it itself (no response seen on the wire), check its network, DNS and TLS settings.',
    ],
    willNotHelp: ['Retrying before Retry-After.', 'Changing the password.'],
    senders: ['any'],
    detailHeaders: ['Retry-After', 'Reason', 'Warning'],
    retry: 'after-delay',
    fault: 'fault',
    keywords: ['unavailable', 'overload', 'maintenance', 'congestion', 'no channels', 'trunk busy'],
    seeAlso: [480, 500, 502, 504],
  }),
  // RFC 3261 §21.5.5: the server timed out waiting for another server it needed.
  defineStatus(504, 'Server Time-out', {
    section: '§21.5.5',
    otherReasons: ['Gateway Time-out', 'Server Timeout'],
    summary:
      'A server needed an answer from another server (the next proxy, a DNS or location server) and did not get one in time. The silence is further along the path.',
    onRegister: 'The proxy in front of the registrar could not get an answer from the registrar (or from an authentication back-end) in time.',
    onInvite: 'The call was sent on by a proxy or SBC and the next hop did not answer in time. Gateways also map Q.850 cause 102 (timer expiry) to 504.',
    onOther: 'A server upstream did not answer in time.',
    causes: ['The next hop is down or unreachable from the proxy.', 'A firewall between servers.', 'Slow DNS or back-end lookups.'],
    checks: ['Find which server sent the 504 and test its path to the next hop.', 'Check DNS and firewall rules between servers.'],
    willNotHelp: ['Changing the device\'s credentials.'],
    senders: ['proxy', 'gateway'],
    detailHeaders: ['Retry-After', 'Reason', 'Warning'],
    retry: 'after-delay',
    fault: 'fault',
    keywords: ['timeout', 'time-out', 'upstream', 'no response'],
    seeAlso: [408, 502],
  }),
  // RFC 3261 §21.5.6: SIP version not supported.
  defineStatus(505, 'Version Not Supported', {
    section: '§21.5.6',
    summary: 'The receiver does not support the SIP protocol version in the request line; everything today speaks SIP/2.0.',
    onRegister: 'The REGISTER claimed a version other than SIP/2.0, or was mangled so the version could not be read.',
    onInvite: 'The INVITE claimed a version other than SIP/2.0, or was mangled.',
    onOther: 'Version other than SIP/2.0.',
    causes: ['A mangled request line (NAT/ALG rewriting, a broken client).', 'A non-SIP client hitting the SIP port.'],
    checks: ['Look at the request line as received.'],
    willNotHelp: ['Changing credentials or codecs.'],
    senders: ['any'],
    detailHeaders: [],
    retry: 'after-change',
    fault: 'fault',
    keywords: ['version'],
  }),
  // RFC 3261 §21.5.7: the message is too long for the server.
  defineStatus(513, 'Message Too Large', {
    section: '§21.5.7',
    summary:
      'The whole message is bigger than the server can take. Over UDP, messages above the path MTU should go over TCP instead (RFC 3261 §18.1.1).',
    onRegister: 'The REGISTER is too large, usually from many or very long headers.',
    onInvite: 'The INVITE is too large: a long SDP, many headers, or large identity or location headers.',
    onOther: 'The message is too large.',
    causes: ['Large SDP or many headers sent over UDP.', 'A server with a small buffer.'],
    checks: ['Switch the transport to TCP.', 'Trim codecs and unneeded headers.'],
    willNotHelp: ['Changing credentials.'],
    senders: ['any'],
    detailHeaders: [],
    retry: 'after-change',
    fault: 'fault',
    keywords: ['too large', 'size', 'mtu', 'fragmentation'],
    seeAlso: [413],
  }),
  // RFC 8599 §8.1 (555 definition; §14.2.1 is the registration): the push notification service named in pn-provider
  // is not supported.
  defineStatus(555, 'Push Notification Service Not Supported', {
    rfc: 'RFC 8599',
    section: '§8.1',
    summary:
      'A mobile client registered with push-notification parameters in its Contact URI (pn-provider and friends, RFC 8599), and the server does not support the push service it named.',
    onRegister:
      'The registrar side cannot wake this device through the push service it named (for example apns or fcm). Register without push, or choose a service the server supports.',
    onInvite: 'Not an answer to INVITE.',
    onOther: 'Only REGISTER is answered with 555.',
    causes: ['A softphone app configured for a push service the provider does not offer.'],
    checks: ['Check the pn-provider value in the Contact URI of the REGISTER and what the provider supports.'],
    willNotHelp: ['Retrying with the same pn-provider.'],
    senders: ['proxy', 'registrar'],
    detailHeaders: ['Contact'],
    retry: 'after-change',
    fault: 'fault',
    keywords: ['push', 'notification', 'mobile', 'pn-provider'],
  }),
  // RFC 3312 §8 (580 definition): preconditions (QoS, security) in the offer cannot be met.
  defineStatus(580, 'Precondition Failure', {
    rfc: 'RFC 3312',
    section: '§8',
    summary:
      'The offer carried preconditions (for example reserved network resources for quality of service) that the answerer cannot or will not meet, so the session cannot start.',
    onRegister: 'Not an answer to REGISTER.',
    onInvite: 'The call asked for resource reservation (precondition) that cannot be satisfied on the callee\'s side.',
    onOther: 'Seen on UPDATE during precondition negotiation.',
    causes: ['QoS or resource reservation failing in an IMS/VoLTE network.', 'Mandatory preconditions towards a peer that cannot meet them.'],
    checks: ['Check the a=curr/a=des lines in the SDP and whether preconditions should be mandatory.'],
    willNotHelp: ['Retrying with the same mandatory preconditions.'],
    senders: ['uas'],
    detailHeaders: ['Require', 'Warning'],
    retry: 'after-change',
    fault: 'fault',
    keywords: ['precondition', 'qos', 'reservation'],
  }),
];

export const globalFailureCodes: readonly StatusEntry[] = [
  // RFC 3261 §21.6.1: busy, and no other location will take the call.
  defineStatus(600, 'Busy Everywhere', {
    section: '§21.6.1',
    summary:
      'The called user is busy and says so for every place they could be reached; unlike 486 there is no point trying other locations or devices. Retry-After may suggest a later time.',
    onRegister: 'Not an answer to REGISTER.',
    onInvite: 'Every device of the called user is busy, and no alternative (such as voicemail) will take the call.',
    onOther: 'Busy everywhere.',
    causes: ['The called user is engaged and has no voicemail or forwarding.', 'A gateway mapping busy for the whole destination.'],
    checks: ['Read Retry-After if present; try later.'],
    willNotHelp: ['Calling other devices of the same user: 600 says they are busy too.', 'Changing any technical setting.'],
    senders: ['uas', 'gateway'],
    detailHeaders: ['Retry-After', 'Reason'],
    retry: 'after-delay',
    fault: 'answer',
    faultNote: 'The called party\'s answer, not a failure of the system.',
    keywords: ['busy', 'busy everywhere'],
    seeAlso: [486, 603],
  }),
  // RFC 3261 §21.6.2: the user declined; Retry-After may suggest a better time.
  defineStatus(603, 'Decline', {
    section: '§21.6.2',
    summary:
      'The called user (or their device on their behalf) refused the call and wants no other location tried. Retry-After may hint at a better time to call.',
    onRegister: 'Not an answer to REGISTER; some servers misuse it for a refused registration.',
    onInvite: 'The callee pressed decline, or a rule on their side (call screening, DND) refused the call outright.',
    onOther: 'The request was declined by the user.',
    causes: ['The callee rejected the call.', 'Call screening or DND configured to decline.', 'A gateway mapping Q.850 cause 21 call rejected with a user location.'],
    checks: ['If no person declined, check call-screening and DND rules on the callee.'],
    willNotHelp: ['Technical changes on the caller\'s side.'],
    senders: ['uas', 'gateway'],
    detailHeaders: ['Retry-After', 'Reason'],
    retry: 'after-delay',
    fault: 'answer',
    faultNote: 'A person\'s decision (or their rule), not a failure of the system.',
    keywords: ['decline', 'declined', 'rejected', 'refused'],
    seeAlso: [486, 600, 607],
  }),
  // RFC 3261 §21.6.3: the user does not exist anywhere (authoritative).
  defineStatus(604, 'Does Not Exist Anywhere', {
    section: '§21.6.3',
    summary: 'The server knows with authority that the called user does not exist anywhere, not only on this server.',
    onRegister: 'Not usual on REGISTER; some servers use it for an unknown account.',
    onInvite: 'The number or address called does not exist at all.',
    onOther: 'The target does not exist anywhere.',
    causes: ['Wrong or unassigned number.', 'A number removed from service.'],
    checks: ['Check the dialled number and the number format (country code, prefixes).'],
    willNotHelp: ['Retrying later or elsewhere.'],
    senders: ['proxy', 'uas', 'redirect'],
    detailHeaders: ['Reason'],
    retry: 'no',
    fault: 'fault',
    keywords: ['does not exist', 'unassigned', 'wrong number', 'unknown number'],
    seeAlso: [404, 410],
  }),
  // RFC 3261 §21.6.4: the session description is unacceptable to the user everywhere; Warning says why.
  defineStatus(606, 'Not Acceptable', {
    section: '§21.6.4',
    summary:
      'The called user\'s side was reached, but some part of the session (media type, codec, bandwidth, addressing) is unacceptable to it everywhere. A Warning header may say which part.',
    onRegister: 'Not an answer to REGISTER.',
    onInvite: 'The callee cannot accept the media as offered on any of its devices (for example video to an audio-only user).',
    onOther: 'The session description is unacceptable everywhere.',
    causes: ['Media types or codecs the callee never supports.', 'Bandwidth demands too high.'],
    checks: ['Read the Warning header (RFC 3261 §20.43 codes 300-399).', 'Offer the codecs/media the callee supports.'],
    willNotHelp: ['Retrying with the same SDP.'],
    senders: ['uas'],
    detailHeaders: ['Warning', 'Accept'],
    retry: 'after-change',
    fault: 'fault',
    keywords: ['codec', 'media', 'sdp', 'not acceptable'],
    seeAlso: [488],
  }),
  // RFC 8197 §4 (607 definition; §3 is the motivation, §5.1 the registration): the called party did not want this
  // call (spam/robocall marking).
  defineStatus(607, 'Unwanted', {
    rfc: 'RFC 8197',
    section: '§4',
    summary:
      'The called person marked this call as unwanted (for example spam or a robocall). Networks may use it to learn which callers are unwanted, and later calls from the same caller may be refused too.',
    onRegister: 'Not an answer to REGISTER.',
    onInvite: 'The callee rejected the call and flagged the caller as unwanted.',
    onOther: 'The recipient does not want requests from this sender.',
    causes: ['A person pressing a "block/report as spam" button.'],
    checks: ['If the call was legitimate, ask the callee to unblock the caller; check how the caller ID is presented.'],
    willNotHelp: ['Calling again from the same number.'],
    senders: ['uas'],
    detailHeaders: ['Reason'],
    retry: 'no',
    fault: 'answer',
    faultNote: 'A person\'s answer (unwanted call), not a system fault.',
    keywords: ['unwanted', 'spam', 'robocall', 'blocked'],
    seeAlso: [603, 608],
  }),
  // RFC 8688 §3.1 "Intermediary Operation" (when an intermediary may send 608; §3 is the whole protocol section): an
  // intermediary (analytics engine), not the callee, rejected the call.
  defineStatus(608, 'Rejected', {
    rfc: 'RFC 8688',
    section: '§3.1',
    summary:
      'A machine on the path (a network call-analytics or anti-spam function), not the called person, refused the call. The intermediary should add a Call-Info header with purpose "jwscard" pointing to a signed contact card the caller can use to dispute it.',
    onRegister: 'Not an answer to REGISTER.',
    onInvite: 'A call-blocking service in the network refused the call before it reached the callee.',
    onOther: 'An intermediary refused the request.',
    causes: ['Network call analytics classified the caller as likely spam or fraud.', 'Caller ID reputation or a missing STIR/SHAKEN attestation.'],
    checks: ['Read the Call-Info header (purpose=jwscard) for the operator\'s contact to dispute the block.', 'Check how the caller ID is signed and presented.'],
    willNotHelp: ['Retrying unchanged.', 'Changing anything on the called device.'],
    senders: ['proxy'],
    detailHeaders: ['Call-Info', 'Reason'],
    retry: 'after-change',
    fault: 'fault',
    faultNote: 'A policy decision by the network; a fault for the caller only if the call was legitimate.',
    keywords: ['rejected', 'spam', 'analytics', 'blocked', 'jwscard'],
    seeAlso: [603, 607],
  }),
];
