// Provisional (1xx), success (2xx) and redirection (3xx) codes. Explanations are written for siplens; each fact
// carries the RFC section it comes from.
import { defineStatus } from './define-status.js';
import type { StatusEntry } from './types.js';

const PROVISIONAL_ON_REGISTER =
  'A registrar answers at once with a final response, so a provisional code on a REGISTER is rare and harmless; wait for the final one.';

export const provisionalCodes: readonly StatusEntry[] = [
  // RFC 3261 §21.1.1: the next hop got the request and is working on it; hop-by-hop, never forwarded (§16.7).
  defineStatus(100, 'Trying', {
    section: '§21.1.1',
    summary:
      'The next hop has received the request and is working on it. It only stops the sender from retransmitting; it says nothing about the far end.',
    onRegister: 'The registrar or an outbound proxy got the REGISTER and is processing it. A final answer should follow within seconds.',
    onInvite:
      'The first proxy (or the called device) has the INVITE. Retransmissions over UDP stop. It does not mean the called party has been found or is ringing.',
    onOther: 'The request reached the next hop. For requests other than INVITE it is optional and uncommon; a final answer usually comes directly.',
    causes: ['Normal progress: the next hop took over the transaction.'],
    checks: [
      'If nothing follows the 100 for 32 seconds, the transaction times out (Timer B/F, RFC 3261 §17.1): look at what the server does upstream.',
    ],
    willNotHelp: ['Treating it as an answer from the called party: a 100 is local to one hop.'],
    senders: ['proxy', 'uas', 'registrar', 'any'],
    detailHeaders: [],
    retry: 'not-applicable',
    fault: 'normal',
    faultNote: 'Never a fault by itself.',
    keywords: ['trying', 'progress', 'provisional'],
  }),
  // RFC 3261 §21.1.2: the UAS is alerting the user.
  defineStatus(180, 'Ringing', {
    section: '§21.1.2',
    summary: 'The called device has the invitation and is alerting its user.',
    onRegister: PROVISIONAL_ON_REGISTER,
    onInvite:
      'The called phone is ringing. Local ringback is played by the caller unless early media (a 183 with SDP) takes over. A 180 may carry SDP too.',
    onOther: 'Only INVITE is answered with 180.',
    causes: ['Normal progress of a call.'],
    checks: [
      'Caller hears silence although a 180 arrived: check whether the 180 carried SDP (the caller then waits for media instead of playing ringback).',
      'Several 180s with different To tags mean the call forked to several devices.',
    ],
    willNotHelp: [],
    senders: ['uas'],
    detailHeaders: ['Contact', 'Require', 'RSeq', 'Alert-Info'],
    retry: 'not-applicable',
    fault: 'normal',
    keywords: ['ringing', 'alerting', 'ringback'],
  }),
  // RFC 3261 §21.1.3: a proxy or UAS tells the caller the call is being forwarded elsewhere.
  defineStatus(181, 'Call Is Being Forwarded', {
    section: '§21.1.3',
    summary: 'A server or the called device tells the caller that the call is being sent on to another target (call forwarding).',
    onRegister: PROVISIONAL_ON_REGISTER,
    onInvite: 'The call is being diverted, for example to voicemail or to a forwarding number. The final answer will come from the new target.',
    onOther: 'Only INVITE is answered with 181.',
    causes: ['Call forwarding (unconditional, busy or no-answer) is set up for the called user.'],
    checks: ['If the call should not be forwarded, look at the forwarding settings of the called user on the PBX.'],
    willNotHelp: [],
    senders: ['proxy', 'uas'],
    detailHeaders: ['History-Info', 'Diversion'],
    retry: 'not-applicable',
    fault: 'normal',
    keywords: ['forward', 'forwarded', 'diversion', 'divert'],
  }),
  // RFC 3261 §21.1.4: the call is queued until the callee is free; the reason phrase may say how long.
  defineStatus(182, 'Queued', {
    section: '§21.1.4',
    summary: 'The called side has put the call in a queue because it cannot take it right now; it will be offered when it can.',
    onRegister: PROVISIONAL_ON_REGISTER,
    onInvite: 'The call waits in a queue (an ACD, a hunt group, a busy line with call waiting). Repeated 182s may update the position.',
    onOther: 'Only INVITE is answered with 182.',
    causes: ['A queue or call-waiting feature on the called side.'],
    checks: ['Read the reason phrase: servers may put the queue position or expected wait there.'],
    willNotHelp: [],
    senders: ['uas', 'proxy'],
    detailHeaders: [],
    retry: 'not-applicable',
    fault: 'normal',
    keywords: ['queue', 'queued', 'waiting'],
  }),
  // RFC 3261 §21.1.5: anything else a UAS wants to say about call progress; carries early media SDP in practice.
  defineStatus(183, 'Session Progress', {
    section: '§21.1.5',
    summary:
      'A progress report for a call still being set up, most often carrying SDP so the caller can hear early media (ringback, announcements) from the far side.',
    onRegister: PROVISIONAL_ON_REGISTER,
    onInvite:
      'The far side (often a gateway to the phone network) opens early media. Tones or announcements come from the far side, not from the caller\'s phone.',
    onOther: 'Only INVITE is answered with 183.',
    causes: ['Early media from a gateway or PBX.', 'Preconditions being negotiated (RFC 3312).'],
    checks: [
      'No audio during the 183: check the SDP address and port, NAT, and that RTP flows in both directions.',
      'A 183 that carries Require: 100rel must be acknowledged with PRACK (RFC 3262).',
    ],
    willNotHelp: [],
    senders: ['uas', 'gateway'],
    detailHeaders: ['Require', 'RSeq', 'Reason'],
    retry: 'not-applicable',
    fault: 'normal',
    keywords: ['early media', 'progress', 'announcement'],
  }),
  // RFC 6228 §4 (UAC offers Supported: 199), §5-§6 (UAS and proxy send it): one early dialog of a forked call ended.
  defineStatus(199, 'Early Dialog Terminated', {
    rfc: 'RFC 6228',
    section: '§4-§6',
    summary:
      'One early dialog of a call that forked to several devices has ended; other branches may still answer. It is sent only to UACs that announced support with the 199 option tag (RFC 6228 §4).',
    onRegister: PROVISIONAL_ON_REGISTER,
    onInvite:
      'One of the forked branches (one ringing device) gave up or was rejected. Release any media for that early dialog; the call itself goes on.',
    onOther: 'Only INVITE is answered with 199.',
    causes: ['A forked call where one target rejected or stopped ringing.'],
    checks: ['Look for the Reason header in the 199: it names the final response of that branch.'],
    willNotHelp: ['Ending the call: other branches may still answer.'],
    senders: ['uas', 'proxy'],
    detailHeaders: ['Reason', 'Require'],
    retry: 'not-applicable',
    fault: 'normal',
    keywords: ['fork', 'early dialog'],
  }),
];

export const successCodes: readonly StatusEntry[] = [
  // RFC 3261 §21.2.1: the request succeeded.
  defineStatus(200, 'OK', {
    section: '§21.2.1',
    summary: 'The request succeeded.',
    onRegister:
      'The registration (or de-registration) was accepted. Read the Contact header of the 200: its expires parameter is the interval the registrar granted, which may be shorter than asked (RFC 3261 §10.2.4).',
    onInvite: 'The call was answered. The caller must send ACK; media starts from the SDP in the 200 (or the earlier answer).',
    onOther: 'The request was carried out.',
    causes: ['Success.'],
    checks: [
      'REGISTER: renew before the granted expiry, not before the interval you asked for.',
      'INVITE: if the call then drops after about 32 seconds, the ACK did not reach the UAS (RFC 3261 §13.3.1.4).',
    ],
    willNotHelp: [],
    senders: ['uas', 'registrar', 'any'],
    detailHeaders: ['Contact', 'Expires', 'Service-Route', 'Path', 'Supported', 'Session-Expires'],
    retry: 'not-applicable',
    fault: 'normal',
    keywords: ['ok', 'success', 'answered', 'registered'],
  }),
  // RFC 3265 §3.1.4.1 defined 202 for SUBSCRIBE/REFER; RFC 6665 §8.3.1 deprecated it (notifiers now answer 200).
  defineStatus(202, 'Accepted', {
    rfc: 'RFC 6665',
    section: '§8.3.1',
    status: 'deprecated',
    statusNote:
      'Defined by RFC 3265 for SUBSCRIBE and REFER; RFC 6665 §8.3.1 deprecated it and says notifiers send 200 instead. The IANA registry lists it as "Accepted (Deprecated)". Older devices still send it, and a client must treat it like 200.',
    otherReasons: ['Accepted (Deprecated)'],
    summary: 'The request was taken in and will be acted on later; how it turns out is reported separately (for example by NOTIFY).',
    onRegister: 'Not a valid answer to REGISTER; a registrar that sends it is non-standard. Treat the registration as unconfirmed.',
    onInvite: 'Not a valid answer to INVITE.',
    onOther: 'On SUBSCRIBE or REFER from an older implementation: accepted; watch for the NOTIFY that reports the state.',
    onMethod: {
      REFER: 'The transfer request was accepted; the outcome arrives in NOTIFY messages with a sipfrag body (RFC 3515).',
      SUBSCRIBE: 'The subscription was accepted (older RFC 3265 behaviour); a NOTIFY should follow at once.',
    },
    causes: ['An implementation written to RFC 3265 or RFC 3515 before RFC 6665.'],
    checks: ['Treat as 200 for the transaction; look at the NOTIFY for the real state.'],
    willNotHelp: [],
    senders: ['uas'],
    detailHeaders: ['Expires', 'Contact'],
    retry: 'not-applicable',
    fault: 'normal',
    keywords: ['accepted', 'refer', 'transfer', 'subscribe'],
  }),
  // RFC 5839 §7.1 (204 definition; §7.3 is the grammar, §8.1 the registration): the subscription was refreshed and
  // the state has not changed since the etag.
  defineStatus(204, 'No Notification', {
    rfc: 'RFC 5839',
    section: '§7.1',
    summary:
      'A subscription was accepted or refreshed, and the notifier will not send the usual NOTIFY because the state has not changed since the version (entity-tag) the subscriber already holds.',
    onRegister: 'Not an answer to REGISTER.',
    onInvite: 'Not an answer to INVITE.',
    onOther: 'Only a SUBSCRIBE sent inside an existing subscription dialog (a refresh) is answered with 204, when the subscriber sent a Suppress-If-Match header naming the state it already has.',
    causes: ['Conditional event notification: the subscriber sent the entity-tag of the state it has.'],
    checks: ['Nothing to fix. If the subscriber never gets state, check that it stores the SIP-ETag it received.'],
    willNotHelp: [],
    senders: ['uas'],
    detailHeaders: ['SIP-ETag', 'Expires'],
    retry: 'not-applicable',
    fault: 'normal',
    keywords: ['notification', 'etag', 'subscribe'],
  }),
];

export const redirectionCodes: readonly StatusEntry[] = [
  // RFC 3261 §21.3.1: several possible locations, listed in Contact (or the body).
  defineStatus(300, 'Multiple Choices', {
    section: '§21.3.1',
    summary: 'The target can be reached at several addresses, listed in the Contact headers (or the body); the caller may try them.',
    onRegister: 'A registrar should not answer REGISTER this way; check the registrar address.',
    onInvite: 'A redirect server offers several addresses for the called user. The caller (or its proxy) can try them in order of q-value.',
    onOther: 'Same as for INVITE: try the listed Contacts.',
    causes: ['A redirect server or a UA that knows several locations for the user.'],
    checks: ['Read the Contact list. If the phone does not follow redirects, configure the server to proxy instead of redirect.'],
    willNotHelp: ['Resending to the same Request-URI.'],
    senders: ['redirect', 'uas'],
    detailHeaders: ['Contact'],
    retry: 'elsewhere',
    fault: 'normal',
    faultNote: 'A redirect is normal routing; it is a problem only when the client cannot follow it.',
    keywords: ['redirect', 'choices'],
    seeAlso: [301, 302],
  }),
  // RFC 3261 §21.3.2: the user moved for good; the caller should update its address book.
  defineStatus(301, 'Moved Permanently', {
    section: '§21.3.2',
    summary: 'The user is no longer at the address asked for; the Contact header gives the new one, and the caller should remember it.',
    onRegister: 'A registrar should not redirect a REGISTER; the registrar address may be out of date.',
    onInvite: 'The called address has moved. The Contact header carries the new address; retry there and update the directory.',
    onOther: 'Retry at the address in Contact.',
    causes: ['The user or domain moved to a new address.', 'A number change (Q.850 cause 22 with a diagnostic, RFC 3398 §7.2.4.1).'],
    checks: ['Read the Contact header and update speed dials, directories or trunk settings.'],
    willNotHelp: ['Retrying the old address.'],
    senders: ['redirect', 'uas', 'gateway'],
    detailHeaders: ['Contact'],
    retry: 'elsewhere',
    fault: 'normal',
    faultNote: 'A redirect, not a failure, if the client follows it.',
    keywords: ['moved', 'redirect', 'number changed'],
    seeAlso: [302, 410],
  }),
  // RFC 3261 §21.3.3: try the Contact for now; Expires says how long the redirect may be cached.
  defineStatus(302, 'Moved Temporarily', {
    section: '§21.3.3',
    summary:
      'The user can be reached at the address in the Contact header for now. The redirect may be cached for the time in Expires; the original address stays valid.',
    onRegister: 'A REGISTER redirected this way usually means the domain is served by another registrar; register there.',
    onInvite: 'The call is redirected (call forwarding done by redirection). The caller should send a new INVITE to the Contact.',
    onOther: 'Retry at the address in Contact.',
    causes: ['Call forwarding implemented by a redirect server.', 'Load balancing: a front server sends clients to a real server.'],
    checks: [
      'Does the client follow redirects? Many phones and trunks need it switched on.',
      'Is the Contact reachable from the client (no private address)?',
    ],
    willNotHelp: ['Retrying the original Request-URI unchanged.'],
    senders: ['redirect', 'uas', 'proxy'],
    detailHeaders: ['Contact', 'Expires'],
    retry: 'elsewhere',
    fault: 'normal',
    faultNote: 'Redirection is normal; a fault only when it loops or is not followed.',
    keywords: ['redirect', 'forward', 'moved'],
    seeAlso: [301, 305],
  }),
  // RFC 3261 §21.3.4: retry through the proxy named in Contact; only UASs may send it (security).
  defineStatus(305, 'Use Proxy', {
    section: '§21.3.4',
    summary:
      'The target must be reached through the proxy named in the Contact header. RFC 3261 §21.3.4 lets only user agent servers send it, because a proxy could use it to hijack traffic.',
    onRegister: 'The registrar side wants REGISTERs sent through a particular proxy: set that proxy as the outbound proxy.',
    onInvite: 'Resend the INVITE through the proxy in Contact.',
    onOther: 'Resend through the proxy in Contact.',
    causes: ['A server that only accepts traffic routed through its own proxy.', 'A missing outbound-proxy setting on the client.'],
    checks: ['Configure the outbound proxy the Contact names.', 'Be wary if the 305 came from a proxy: RFC 3261 §21.3.4 says only UASs send it.'],
    willNotHelp: ['Retrying directly without the proxy.'],
    senders: ['uas'],
    detailHeaders: ['Contact'],
    retry: 'elsewhere',
    fault: 'normal',
    keywords: ['proxy', 'outbound proxy'],
  }),
  // RFC 3261 §21.3.5: the call failed but alternative services are possible (body describes them).
  defineStatus(380, 'Alternative Service', {
    section: '§21.3.5',
    summary:
      'The call could not go through as asked, and the body describes other ways to reach the service. In emergency calling (3GPP IMS) it tells a phone to place the call as an emergency call.',
    onRegister: 'Rare on REGISTER; read the body for what the network wants instead.',
    onInvite: 'The call was refused in this form; the body (often XML) describes an alternative, such as retrying as an emergency call.',
    onOther: 'Read the body for the alternative offered.',
    causes: ['An IMS network asking for an emergency call set-up.', 'A service that can only be reached another way.'],
    checks: ['Read the message body and its Content-Type.'],
    willNotHelp: ['Retrying the same request unchanged.'],
    senders: ['uas', 'proxy'],
    detailHeaders: ['Content-Type', 'Contact'],
    retry: 'after-change',
    fault: 'normal',
    keywords: ['alternative', 'emergency'],
  }),
];
