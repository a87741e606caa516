// ITU-T Q.850 cause values, as a SIP element meets them in `Reason: Q.850;cause=N;text="..."` (RFC 3326 §2, and
// RFC 6432 for responses), with the RFC 3398 mapping both ways. Summaries are written for siplens.
import type { Q850Class, Q850Entry, Q850ToSip, SipToQ850 } from './types.js';
import { CatalogError } from './types.js';

/** The class of a cause value: its top three bits (Q.850 groups causes by value ranges of 16). */
export function classifyQ850(cause: number): Q850Class {
  if (cause < 32) return 'normal event';
  if (cause < 48) return 'resource unavailable';
  if (cause < 64) return 'service or option not available';
  if (cause < 80) return 'service or option not implemented';
  if (cause < 96) return 'invalid message';
  if (cause < 112) return 'protocol error';
  return 'interworking';
}

// [cause, name, summary, SIP status per RFC 3398 §7.2.4.1 (0 = none listed), note]
type Row = readonly [number, string, string, number, string?];

const ROWS: readonly Row[] = [
  [1, 'Unallocated (unassigned) number', 'The number dialled is not assigned to anyone.', 404],
  [2, 'No route to specified transit network', 'The network cannot reach the transit network the call asked for (national use).', 404],
  [3, 'No route to destination', 'The network has no route towards the called number.', 404],
  [4, 'Send special information tone', 'The called party cannot be reached for a long-term reason; an information tone is played.', 0],
  [5, 'Misdialled trunk prefix', 'A trunk prefix was dialled where it should not be (national use).', 0],
  [6, 'Channel unacceptable', 'The channel proposed for the call cannot be used by the other side.', 0],
  [7, 'Call awarded and being delivered in an established channel', 'The call is delivered on a channel already set up for similar calls.', 0],
  [8, 'Preemption', 'The call was cleared to free resources for a higher-priority call.', 0],
  [9, 'Preemption - circuit reserved for reuse', 'The call was pre-empted and the circuit kept for the pre-empting call.', 0],
  [14, 'QoR: ported number', 'The number has been ported away (query-on-release, national use).', 0],
  [16, 'Normal call clearing', 'One of the parties hung up; an ordinary end of a call.', 0, 'No response: a release with cause 16 becomes BYE or CANCEL, not an error response (RFC 3398 §7.2.4.1).'],
  [17, 'User busy', 'The called party is busy.', 486],
  [18, 'No user responding', 'The called party\'s equipment did not respond within the allowed time.', 408],
  [19, 'No answer from user (user alerted)', 'The called party was alerted (rang) but did not answer in time.', 480],
  [20, 'Subscriber absent', 'The called party is not reachable: a mobile switched off or not attached, or a device not registered.', 480],
  [21, 'Call rejected', 'The called party (or the network on its behalf) refused the call.', 403, 'RFC 3398 §7.2.4.1: when the cause location is the user, a 6xx (603) may be sent instead of 403.'],
  [22, 'Number changed', 'The called number is no longer in use; it has changed.', 410, 'RFC 3398 §7.2.4.1: 301 Moved Permanently when the diagnostic field carries the new number.'],
  [23, 'Redirection to new destination', 'The call has been redirected to another destination.', 410],
  [24, 'Call rejected due to feature at the destination', 'A feature at the destination (such as anonymous call rejection) refused the call.', 0],
  [25, 'Exchange routing error', 'A routing error at an exchange, often a loop or too many hops.', 0],
  [26, 'Non-selected user clearing', 'Another device answered the call, so this one was released.', 404, 'RFC 3398 §7.2.4.1 marks this mapping as ANSI usage.'],
  [27, 'Destination out of order', 'The called party\'s line or equipment is not working.', 502],
  [28, 'Invalid number format (address incomplete)', 'The number is malformed or incomplete.', 484],
  [29, 'Facility rejected', 'A supplementary service asked for was refused.', 501],
  [30, 'Response to STATUS ENQUIRY', 'A reply to a status enquiry, not a failure.', 0],
  [31, 'Normal, unspecified', 'A normal event with no more specific cause.', 480],
  [34, 'No circuit/channel available', 'No circuit or channel is free to carry the call.', 503],
  [38, 'Network out of order', 'The network is not working and will not be for some time.', 503],
  [39, 'Permanent frame mode connection out of service', 'A permanent frame-mode connection is out of service.', 0],
  [40, 'Permanent frame mode connection operational', 'A permanent frame-mode connection is working again.', 0],
  [41, 'Temporary failure', 'The network is not working right now; trying again soon may succeed.', 503],
  [42, 'Switching equipment congestion', 'The exchange is overloaded.', 503],
  [43, 'Access information discarded', 'Some information the caller sent could not be delivered to the far end.', 0],
  [44, 'Requested circuit/channel not available', 'The specific channel asked for is not available.', 0],
  [46, 'Precedence call blocked', 'No pre-emptable circuit was available or the called party is busy with an equal or higher priority call.', 0],
  [47, 'Resource unavailable, unspecified', 'Some resource needed for the call is not available.', 503],
  [49, 'Quality of service not available', 'The quality of service asked for cannot be provided.', 0],
  [50, 'Requested facility not subscribed', 'The caller is not subscribed to the service asked for.', 0],
  [53, 'Outgoing calls barred within CUG', 'Outgoing calls are barred for this member of a closed user group.', 0],
  [55, 'Incoming calls barred within CUG', 'Incoming calls are barred for the called member of a closed user group.', 403],
  [57, 'Bearer capability not authorized', 'The caller is not allowed to use the bearer capability asked for.', 403],
  [58, 'Bearer capability not presently available', 'The bearer capability asked for is not available right now.', 503],
  [62, 'Inconsistency in designated outgoing access information and subscriber class', 'The outgoing access requested is inconsistent with the subscriber class.', 0],
  [63, 'Service or option not available, unspecified', 'A service or option is not available.', 0],
  [65, 'Bearer capability not implemented', 'The bearer capability asked for is not supported.', 488],
  [66, 'Channel type not implemented', 'The channel type asked for is not supported.', 0],
  [69, 'Requested facility not implemented', 'The supplementary service asked for is not supported.', 0],
  [70, 'Only restricted digital information bearer capability is available', 'Only a restricted digital bearer is available, not the one asked for.', 488],
  [79, 'Service or option not implemented, unspecified', 'A service or option is not implemented.', 501],
  [81, 'Invalid call reference value', 'A message referred to a call that is not in use on this interface.', 0],
  [82, 'Identified channel does not exist', 'A message named a channel that does not exist.', 0],
  [83, 'A suspended call exists, but this call identity does not', 'A resume attempt used an unknown call identity.', 0],
  [84, 'Call identity in use', 'A suspend attempt used a call identity already in use.', 0],
  [85, 'No call suspended', 'A resume attempt found no suspended call.', 0],
  [86, 'Call having the requested call identity has been cleared', 'The suspended call was cleared while suspended.', 0],
  [87, 'User not member of CUG', 'The called user is not a member of the caller\'s closed user group.', 403],
  [88, 'Incompatible destination', 'The destination cannot handle this kind of call (for example a data call to a voice line).', 503],
  [90, 'Non-existent CUG', 'The closed user group named does not exist.', 0],
  [91, 'Invalid transit network selection', 'The transit network identification is malformed.', 0],
  [95, 'Invalid message, unspecified', 'An invalid message was received.', 0],
  [96, 'Mandatory information element is missing', 'A message lacked a required element.', 0],
  [97, 'Message type non-existent or not implemented', 'A message type is unknown or not supported.', 0],
  [98, 'Message not compatible with call state or message type non-existent or not implemented', 'A message came at a point in the call where it is not allowed, or is unknown.', 0],
  [99, 'Information element / parameter non-existent or not implemented', 'An element or parameter in a message is unknown or not supported.', 0],
  [100, 'Invalid information element contents', 'An element in a message had invalid contents.', 0],
  [101, 'Message not compatible with call state', 'A message came at a point in the call where it is not allowed.', 0],
  [102, 'Recovery on timer expiry', 'A protocol timer ran out, and the call was cleared to recover.', 504],
  [103, 'Parameter non-existent or not implemented - passed on', 'An unknown parameter was passed on unchanged.', 0],
  [110, 'Message with unrecognized parameter, discarded', 'A message was discarded because of an unrecognised parameter.', 0],
  [111, 'Protocol error, unspecified', 'A protocol error with no more specific cause.', 500],
  [127, 'Interworking, unspecified', 'The call passed through a network that does not report causes; the real reason is unknown.', 500],
];

/** The Q.850 cause values siplens explains, in numeric order. */
export const q850Causes: readonly Q850Entry[] = Object.freeze(
  ROWS.map(([cause, name, summary, sip, note]): Q850Entry => {
    const base = { cause, name, class: classifyQ850(cause), summary };
    const withStatus = sip === 0 ? base : { ...base, sipStatus: sip };
    return note === undefined ? withStatus : { ...withStatus, sipNote: note };
  }),
);

const byCause = new Map<number, Q850Entry>(q850Causes.map((entry) => [entry.cause, entry]));

/** Whether `cause` is a Q.850 cause value at all (seven bits; 0 is unused). */
function assertQ850Range(cause: number): void {
  if (!Number.isInteger(cause) || cause < 1 || cause > 127) {
    throw new CatalogError('unknown-q850-cause', `expected a Q.850 cause value from 1 to 127; got ${String(cause)}`);
  }
}

/**
 * Explains a Q.850 cause. Values in 1..127 missing from the table are explained by their class; anything else throws
 * CatalogError('unknown-q850-cause').
 */
export function describeQ850(cause: number): Q850Entry & { readonly known: boolean } {
  assertQ850Range(cause);
  const entry = byCause.get(cause);
  if (entry !== undefined) return { ...entry, known: true };
  const cls = classifyQ850(cause);
  return {
    cause,
    name: `Unassigned cause ${cause} (${cls})`,
    class: cls,
    summary: `ITU-T Q.850 assigns no meaning to cause ${cause}; its value places it in the class "${cls}".`,
    known: false,
  };
}

/** When RFC 3398 gives nothing, siplens picks by class so a caller always gets a code; the answer says so. */
const SIP_BY_CLASS: Readonly<Record<Q850Class, number>> = {
  'normal event': 480,
  'resource unavailable': 503,
  'service or option not available': 503,
  'service or option not implemented': 501,
  'invalid message': 500,
  'protocol error': 500,
  interworking: 500,
};

/**
 * The SIP response a gateway sends for a Q.850 cause received from the phone network (ISUP REL), per the table of
 * RFC 3398 §7.2.4.1; by class (`basis: 'class-default'`) when the table does not list the cause.
 */
export function sipStatusForQ850(cause: number): Q850ToSip {
  assertQ850Range(cause);
  const entry = byCause.get(cause);
  if (cause === 16) {
    return { cause, status: undefined, basis: 'rfc3398', note: entry?.sipNote ?? 'Normal clearing: BYE or CANCEL, no error response.' };
  }
  if (entry?.sipStatus !== undefined) {
    return entry.sipNote === undefined
      ? { cause, status: entry.sipStatus, basis: 'rfc3398' }
      : { cause, status: entry.sipStatus, basis: 'rfc3398', note: entry.sipNote };
  }
  const cls = classifyQ850(cause);
  return {
    cause,
    status: SIP_BY_CLASS[cls],
    basis: 'class-default',
    note: `RFC 3398 §7.2.4.1 does not list cause ${cause}; siplens answers by its class ("${cls}").`,
  };
}

// RFC 3398 §8.2.6.1: the cause value a gateway puts in the ISUP REL when it receives this SIP response.
// 0 = no cause: 487 has none (the call was cancelled), 488 and 606 take it from the Warning header.
const SIP_TO_Q850: ReadonlyMap<number, readonly [number, string?]> = new Map<number, readonly [number, string?]>([
  [400, [41]],
  [401, [21, 'RFC 3398 §8.2.6.1: only if the gateway cannot answer the challenge itself.']],
  [402, [21]],
  [403, [21]],
  [404, [1]],
  [405, [63]],
  [406, [79]],
  [407, [21, 'RFC 3398 §8.2.6.1: only if the gateway cannot answer the challenge itself.']],
  [408, [102]],
  [410, [22]],
  [413, [127]],
  [414, [127]],
  [415, [79]],
  [416, [127]],
  [420, [127]],
  [421, [127]],
  [423, [127]],
  [480, [18]],
  [481, [41]],
  [482, [25]],
  [483, [25]],
  [484, [28]],
  [485, [1]],
  [486, [17]],
  [487, [0, 'RFC 3398 §8.2.6.1: no mapping; the call was cancelled.']],
  [488, [0, 'RFC 3398 §8.2.6.1: the cause is chosen from the Warning header.']],
  [500, [41]],
  [501, [79]],
  [502, [38]],
  [503, [41]],
  [504, [102]],
  [505, [127]],
  [513, [127]],
  [600, [17]],
  [603, [21]],
  [604, [1]],
  [606, [0, 'RFC 3398 §8.2.6.1: the cause is chosen from the Warning header.']],
]);

/**
 * The Q.850 cause a gateway puts towards the phone network for a SIP failure response (RFC 3398 §8.2.6.1). A code the
 * table does not list gets the RFC's own catch-all, cause 31 "Normal, unspecified" (`basis: 'rfc3398-default'`; RFC
 * 3398 §8.2.6.1 says so for codes of later extensions or left out). Only 4xx-6xx map; others throw CatalogError.
 */
export function q850ForSipStatus(status: number): SipToQ850 {
  if (!Number.isInteger(status) || status < 400 || status > 699) {
    throw new CatalogError('out-of-range', `expected a SIP failure status from 400 to 699 to map to Q.850; got ${String(status)}`);
  }
  const row = SIP_TO_Q850.get(status);
  if (row !== undefined) {
    const [cause, note] = row;
    const value = cause === 0 ? undefined : cause;
    return note === undefined ? { status, cause: value, basis: 'rfc3398' } : { status, cause: value, basis: 'rfc3398', note };
  }
  return {
    status,
    cause: 31,
    basis: 'rfc3398-default',
    note: `RFC 3398 §8.2.6.1 does not list ${status}; for any code it leaves out it gives cause 31 (Normal, unspecified).`,
  };
}

/** RFC 6432: how Q.850 causes ride in SIP responses. Shown beside Q.850 explanations. */
export const Q850_REASON_NOTE =
  'A gateway may carry the original phone-network cause in a Reason header, e.g. Reason: Q.850;cause=17;text="User busy" (RFC 3326 §2). RFC 6432 allows it in any SIP response to an INVITE, and says the cause is informative: the SIP status code still decides what the client does.';
