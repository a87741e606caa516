/** One account known to (or, for `mallory`, unknown to) the harness's kamailio. */
export interface HarnessUser {
  readonly user: string;
  readonly password: string;
  /** In kamailio's user table. */
  readonly known: boolean;
  /** Refused with 403 after a correct authentication. */
  readonly blocked: boolean;
}

/** The accounts every run defines; `users` of a ScenarioRun names the ones its scenario uses. */
export const harnessUsers = {
  alice: { user: 'alice', password: 'alice-secret-1', known: true, blocked: false },
  bob: { user: 'bob', password: 'bob-secret-2', known: true, blocked: false },
  carol: { user: 'carol', password: 'carol-secret-3', known: true, blocked: false },
  dave: { user: 'dave', password: 'dave-secret-4', known: true, blocked: true },
  mallory: { user: 'mallory', password: 'mallory-secret-5', known: false, blocked: false },
} as const satisfies Record<string, HarnessUser>;

/** Who produced the final answer the scenario ends with. */
export type Generator = 'registrar' | 'proxy' | 'far-end' | 'caller' | 'none';

/** What a scenario is built to show; tests of the diagnosis compare their findings with these values. */
export interface ScenarioExpected {
  /** The final status code of the scenario's main transaction (REGISTER or INVITE); absent when nothing answered. */
  readonly finalStatus?: number;
  /** The method of that transaction. */
  readonly method: 'REGISTER' | 'INVITE';
  /** Who generated that final answer. */
  readonly generatedBy: Generator;
  /** A short note of the finding a diagnosis should raise (not a rule id: those belong to src/diagnose). */
  readonly hint: string;
  /** Whether the outcome is a fault (an error finding is due) or a normal outcome (busy, declined, cancelled, ok). */
  readonly fault: boolean;
  /** Status codes in the order they appear for that transaction chain (challenges included), per RFC 3261. */
  readonly statuses: readonly number[];
  readonly minExpires?: number;
  readonly requestedExpires?: number;
  readonly grantedExpires?: number;
  readonly retryAfter?: number;
  readonly warnCode?: number;
  readonly warnText?: string;
  readonly offeredCodecs?: readonly string[];
  readonly acceptedCodecs?: readonly string[];
  /** True when the request was never answered at all (retransmitted until the sender gave up). */
  readonly noResponse?: boolean;
}

export const scenarioNames = [
  'register-ok',
  'register-wrong-password',
  'register-interval-too-brief',
  'register-unknown-user',
  'register-blocked-account',
  'register-no-response',
  'call-ok',
  'call-busy',
  'call-declined',
  'call-cancelled',
  'call-no-answer',
  'call-codec-mismatch',
  'call-service-unavailable',
  'call-unregistered-callee',
  'call-dead-contact',
] as const;

export type ScenarioName = (typeof scenarioNames)[number];

/** The registrar's Min-Expires (kamailio registrar min_expires, with min_expires_mode 1 answering 423). */
export const minExpires = 3600;
/** kamailio tm fr_timer and fr_inv_timer (ms): how long the proxy waits before answering 408 itself. */
export const frTimerMs = 3000;
export const frInvTimerMs = 3000;

interface CallPlan {
  readonly kind: 'call';
  /** The callee's sipp UAS scenario; absent when no phone answers (not registered, or a dead contact). */
  readonly calleeScenario?: string;
  readonly callerScenario: string;
  /** Who the caller dials. */
  readonly callee: keyof typeof harnessUsers | 'helpdesk';
  /** Whether bob registers first, and where his Contact points. */
  readonly calleeRegisters: 'callee-port' | 'dead-port' | 'no';
}

interface RegisterPlan {
  readonly kind: 'register';
  readonly scenario: string;
  readonly user: keyof typeof harnessUsers;
  /** The password the phone is configured with (differs from the user's for a wrong password). */
  readonly password: string;
  readonly expires: number;
  /** The phone sends to a port where nothing listens. */
  readonly toDeadPort?: boolean;
}

export interface ScenarioDefinition {
  readonly name: ScenarioName;
  readonly description: string;
  readonly expected: ScenarioExpected;
  /** Where TCP changes the outcome (nothing listening refuses the connection at once instead of staying silent). */
  readonly overTcp?: ScenarioExpected;
  readonly plan: CallPlan | RegisterPlan;
}

/** What a scenario shows over the given transport. */
export function expectScenario(definition: ScenarioDefinition, transport: 'udp' | 'tcp'): ScenarioExpected {
  return transport === 'tcp' && definition.overTcp !== undefined ? definition.overTcp : definition.expected;
}

const g711 = ['PCMU', 'PCMA', 'telephone-event'];

export const scenarioDefinitions: Readonly<Record<ScenarioName, ScenarioDefinition>> = {
  'register-ok': {
    name: 'register-ok',
    description: 'alice registers: REGISTER, 401 with a digest challenge, REGISTER with credentials, 200 OK (expires 3600).',
    plan: { kind: 'register', scenario: 'register.xml', user: 'alice', password: harnessUsers.alice.password, expires: 3600 },
    expected: { method: 'REGISTER', finalStatus: 200, generatedBy: 'registrar', fault: false, statuses: [401, 200], hint: 'registered after the normal digest challenge; no error', requestedExpires: 3600, grantedExpires: 3600 },
  },
  'register-wrong-password': {
    name: 'register-wrong-password',
    description: 'alice registers with a wrong password: 401, REGISTER with credentials, 401 again; the phone gives up.',
    plan: { kind: 'register', scenario: 'register-wrong-password.xml', user: 'alice', password: 'not-the-password', expires: 3600 },
    expected: { method: 'REGISTER', finalStatus: 401, generatedBy: 'registrar', fault: true, statuses: [401, 401], hint: 'a second challenge to an authenticated REGISTER: wrong password (or user name)' },
  },
  'register-interval-too-brief': {
    name: 'register-interval-too-brief',
    description: 'alice asks for 60 s; the registrar wants at least 3600: 401, REGISTER with credentials, 423 with Min-Expires: 3600.',
    plan: { kind: 'register', scenario: 'register-interval-too-brief.xml', user: 'alice', password: harnessUsers.alice.password, expires: 60 },
    expected: { method: 'REGISTER', finalStatus: 423, generatedBy: 'registrar', fault: true, statuses: [401, 423], hint: '423 Interval Too Brief: the registrar wants Min-Expires 3600, the phone asked 60', minExpires, requestedExpires: 60 },
  },
  'register-unknown-user': {
    name: 'register-unknown-user',
    description: 'mallory, whom the registrar does not know, registers: 401, REGISTER with credentials, 404 Not Found (RFC 3261 §10.3 step 5).',
    plan: { kind: 'register', scenario: 'register-refused.xml', user: 'mallory', password: harnessUsers.mallory.password, expires: 3600 },
    expected: { method: 'REGISTER', finalStatus: 404, generatedBy: 'registrar', fault: true, statuses: [401, 404], hint: '404 on REGISTER: the account (address of record) does not exist on this registrar' },
  },
  'register-blocked-account': {
    name: 'register-blocked-account',
    description: 'dave, whose account is blocked, registers with the right password: 401, REGISTER with credentials, 403 with a Warning.',
    plan: { kind: 'register', scenario: 'register-refused.xml', user: 'dave', password: harnessUsers.dave.password, expires: 3600 },
    expected: { method: 'REGISTER', finalStatus: 403, generatedBy: 'registrar', fault: true, statuses: [401, 403], hint: '403 after valid credentials: the account is barred (Warning 399 "Account blocked by the administrator")', warnCode: 399, warnText: 'Account blocked by the administrator' },
  },
  'register-no-response': {
    name: 'register-no-response',
    description: 'alice registers to a port where nothing listens: REGISTER retransmitted (UDP: 0, 0.5, 1.5, 3.5 s), no response at all; the phone gives up after 4 s.',
    plan: { kind: 'register', scenario: 'register.xml', user: 'alice', password: harnessUsers.alice.password, expires: 3600, toDeadPort: true },
    expected: { method: 'REGISTER', generatedBy: 'none', fault: true, statuses: [], noResponse: true, hint: 'no response at all, retransmitted until the phone gave up: wrong address, port or transport, or a firewall' },
    overTcp: { method: 'REGISTER', generatedBy: 'none', fault: true, statuses: [], noResponse: true, hint: 'the TCP connection was refused (RST): no SIP message was ever sent; wrong address, port or transport' },
  },
  'call-ok': {
    name: 'call-ok',
    description: 'alice calls bob: INVITE, 407, ACK, INVITE with credentials, 100, 180, 200, ACK, BYE, 200.',
    plan: { kind: 'call', callerScenario: 'uac-call.xml', calleeScenario: 'uas-answer.xml', callee: 'bob', calleeRegisters: 'callee-port' },
    expected: { method: 'INVITE', finalStatus: 200, generatedBy: 'far-end', fault: false, statuses: [407, 100, 180, 200], hint: 'answered and ended normally by the caller (BYE, 200); no error', offeredCodecs: g711, acceptedCodecs: ['PCMU', 'telephone-event'] },
  },
  'call-busy': {
    name: 'call-busy',
    description: 'alice calls bob, who is busy: INVITE, 407, ACK, INVITE with credentials, 100, 486 Busy Here, ACK.',
    plan: { kind: 'call', callerScenario: 'uac-call.xml', calleeScenario: 'uas-busy.xml', callee: 'bob', calleeRegisters: 'callee-port' },
    expected: { method: 'INVITE', finalStatus: 486, generatedBy: 'far-end', fault: false, statuses: [407, 100, 486], hint: '486 Busy Here from the called phone: the person is busy, not a fault' },
  },
  'call-declined': {
    name: 'call-declined',
    description: 'alice calls bob, who declines: INVITE, 407, ACK, INVITE with credentials, 100, 180, 603 Decline, ACK.',
    plan: { kind: 'call', callerScenario: 'uac-call.xml', calleeScenario: 'uas-decline.xml', callee: 'bob', calleeRegisters: 'callee-port' },
    expected: { method: 'INVITE', finalStatus: 603, generatedBy: 'far-end', fault: false, statuses: [407, 100, 180, 603], hint: '603 Decline from the called person: a choice, not a fault' },
  },
  'call-cancelled': {
    name: 'call-cancelled',
    description: 'alice calls bob and hangs up while it rings: INVITE (authenticated), 100, 180, CANCEL, 200 (CANCEL), 487 Request Terminated, ACK.',
    plan: { kind: 'call', callerScenario: 'uac-call-cancel.xml', calleeScenario: 'uas-ring-cancel.xml', callee: 'bob', calleeRegisters: 'callee-port' },
    expected: { method: 'INVITE', finalStatus: 487, generatedBy: 'far-end', fault: false, statuses: [407, 100, 180, 487], hint: 'the caller cancelled while it rang (CANCEL, 487): not a fault' },
  },
  'call-no-answer': {
    name: 'call-no-answer',
    description: `alice calls bob, whose phone rings and is never answered: 100, 180, then after the proxy's fr_inv_timer (${frInvTimerMs / 1000} s) the proxy cancels the callee and answers 408 Request Timeout itself.`,
    plan: { kind: 'call', callerScenario: 'uac-call.xml', calleeScenario: 'uas-ring-cancel.xml', callee: 'bob', calleeRegisters: 'callee-port' },
    expected: { method: 'INVITE', finalStatus: 408, generatedBy: 'proxy', fault: false, statuses: [407, 100, 180, 408], hint: '408 made by the proxy after ringing with no answer: nobody picked up (not a network fault)' },
  },
  'call-codec-mismatch': {
    name: 'call-codec-mismatch',
    description: 'alice offers only G.729 (PT 18); bob speaks only G.711: 488 Not Acceptable Here with Warning: 305 "Incompatible media format" and an SDP listing PCMU and PCMA.',
    plan: { kind: 'call', callerScenario: 'uac-call-g729.xml', calleeScenario: 'uas-codec-reject.xml', callee: 'bob', calleeRegisters: 'callee-port' },
    expected: { method: 'INVITE', finalStatus: 488, generatedBy: 'far-end', fault: true, statuses: [407, 100, 488], hint: '488 with warn-code 305: no common codec (offered G729, the far end takes PCMU/PCMA)', warnCode: 305, warnText: 'Incompatible media format', offeredCodecs: ['G729'], acceptedCodecs: ['PCMU', 'PCMA'] },
  },
  'call-service-unavailable': {
    name: 'call-service-unavailable',
    description: 'alice calls "helpdesk", a service in maintenance: the proxy answers 503 Service Unavailable with Retry-After: 120.',
    plan: { kind: 'call', callerScenario: 'uac-call.xml', callee: 'helpdesk', calleeRegisters: 'no' },
    expected: { method: 'INVITE', finalStatus: 503, generatedBy: 'proxy', fault: true, statuses: [407, 503], hint: '503 from the proxy with Retry-After 120: the service is down for maintenance, try again later', retryAfter: 120 },
  },
  'call-unregistered-callee': {
    name: 'call-unregistered-callee',
    description: 'alice calls carol, a known user who never registered: the proxy lookup finds no contact and answers 480 Temporarily Unavailable (RFC 3261 §21.4.18).',
    plan: { kind: 'call', callerScenario: 'uac-call.xml', callee: 'carol', calleeRegisters: 'no' },
    expected: { method: 'INVITE', finalStatus: 480, generatedBy: 'proxy', fault: true, statuses: [407, 480], hint: '480 from the proxy: the callee has no registered device (not registered, or the registration expired)' },
  },
  'call-dead-contact': {
    name: 'call-dead-contact',
    description: `bob registered a Contact where nothing listens; alice calls him: 100 from the proxy, the INVITE to the contact is retransmitted and never answered, the proxy answers 408 after fr_timer (${frTimerMs / 1000} s).`,
    plan: { kind: 'call', callerScenario: 'uac-call.xml', callee: 'bob', calleeRegisters: 'dead-port' },
    expected: { method: 'INVITE', finalStatus: 408, generatedBy: 'proxy', fault: true, statuses: [407, 100, 408], hint: "the proxy's INVITE to the callee's registered contact got no response at all (retransmitted until its timer): the contact is dead (device gone, NAT binding lost); the 408 was made by the proxy" },
    overTcp: { method: 'INVITE', finalStatus: 477, generatedBy: 'proxy', fault: true, statuses: [407, 100, 477], hint: "the proxy could not open a TCP connection to the callee's registered contact (refused): kamailio answers 477 (its own code: error sending to the next hop)" },
  },
};
