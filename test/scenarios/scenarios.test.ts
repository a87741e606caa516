// The diagnosis against real software: kamailio as registrar and proxy with digest authentication, sipp as the
// phones, tshark recording (test/harness). Each scenario must raise its finding with the final code and the key value,
// and the sipp -trace_msg logs and kamailio's own message log must give the same findings as the capture.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/diagnose/analyze.js';
import type { AnalysisResult, Finding, Generator } from '../../src/model/index.js';
import { runScenario, scenarioNames } from '../harness/index.js';
import type { RunScenarioOptions, ScenarioExpected, ScenarioName } from '../harness/index.js';
import { hasTool } from '../helpers/tools.js';
import { compileSchema } from '../report/schema-validator.js';

const missing = ['tshark', 'sipp', 'kamailio'].filter((t) => !hasTool(t));

/** The rule each scenario is built to trigger (rule ids are siplens's; the harness describes outcomes only). */
const keyRule: Readonly<Record<ScenarioName, string | null>> = {
  'register-ok': null,
  'register-wrong-password': 'auth.wrong-credentials',
  'register-interval-too-brief': 'register.interval-too-brief',
  'register-unknown-user': 'register.not-found',
  'register-blocked-account': 'auth.forbidden-after-credentials',
  'register-no-response': 'reach.no-response',
  'call-ok': null,
  'call-busy': 'call.busy',
  'call-declined': 'call.declined',
  'call-cancelled': 'call.cancelled',
  'call-no-answer': 'call.no-answer',
  'call-codec-mismatch': 'media.not-acceptable',
  'call-service-unavailable': 'reach.service-unavailable',
  'call-unregistered-callee': 'call.unavailable',
  'call-dead-contact': 'reach.request-timeout',
};

function generatorOf(g: ScenarioExpected['generatedBy']): Generator {
  return g === 'none' ? 'network' : g === 'caller' ? 'local' : g;
}

function baseCodec(name: string): string {
  return name.split('/')[0] ?? name;
}

/** What must agree between the capture and a log: the rule, the code and the values that matter. */
function signature(f: Finding): string {
  const d = f.details;
  const keys = ['minExpires', 'retryAfter', 'warnCode', 'expiresRequested'].map((k) => `${k}=${JSON.stringify(d[k] ?? null)}`);
  return `${f.rule}|${f.status}|${f.severity}|${f.generatedBy}|${keys.join(',')}`;
}

function signatures(r: AnalysisResult): string[] {
  return [...new Set(r.findings.map(signature))].sort();
}

function checkExpected(name: ScenarioName, expected: ScenarioExpected, result: AnalysisResult, rules: Readonly<Record<ScenarioName, string | null>> = keyRule): Finding | undefined {
  const errors = result.findings.filter((f) => f.severity === 'error');
  if (expected.fault) expect(errors.length, `${name}: an error finding is due`).toBeGreaterThan(0);
  else expect(errors.map((f) => f.rule), `${name}: no error finding`).toEqual([]);
  const rule = rules[name];
  if (rule === null) return undefined;
  const finding = result.findings.find((f) => f.rule === rule);
  expect(finding, `${name}: ${rule} in ${result.findings.map((f) => f.rule).join(', ')}`).toBeDefined();
  if (finding === undefined) return undefined;
  expect(finding.status).toBe(expected.noResponse === true ? null : (expected.finalStatus ?? null));
  expect(finding.generatedBy).toBe(generatorOf(expected.generatedBy));
  expect(finding.evidence.length).toBeGreaterThan(0);
  expect(finding.explanation.length).toBeGreaterThan(40);
  if (expected.minExpires !== undefined) expect(finding.details['minExpires']).toBe(expected.minExpires);
  if (expected.requestedExpires !== undefined && expected.minExpires !== undefined) expect(finding.details['expiresRequested']).toBe(expected.requestedExpires);
  if (expected.retryAfter !== undefined) expect(finding.details['retryAfter']).toBe(expected.retryAfter);
  if (expected.warnCode !== undefined) {
    const warnings = finding.details['warnings'] as readonly { code: number; text: string }[] | undefined;
    expect(warnings?.map((w) => w.code)).toContain(expected.warnCode);
    expect(warnings?.map((w) => w.text)).toContain(expected.warnText);
  }
  if (expected.offeredCodecs !== undefined && finding.details['offeredCodecs'] !== undefined) {
    expect((finding.details['offeredCodecs'] as string[]).map(baseCodec)).toEqual(expect.arrayContaining([...expected.offeredCodecs]));
    expect(((finding.details['acceptedCodecs'] as string[] | null) ?? []).map(baseCodec)).toEqual(expect.arrayContaining([...(expected.acceptedCodecs ?? [])]));
  }
  return finding;
}

/** The rule a scenario triggers over TCP where the outcome differs (kamailio's 477 when it cannot connect). */
const keyRuleOverTcp: Partial<Record<ScenarioName, string>> = { 'call-dead-contact': 'reach.next-hop-unreachable' };

async function checkScenario(name: ScenarioName, options: RunScenarioOptions = {}): Promise<void> {
  const run = await runScenario(name, options);
  const rules = options.transport === 'tcp' ? { ...keyRule, ...keyRuleOverTcp } : keyRule;
  try {
    const { result } = await analyze([run.pcap]);
    expect(result.summary.messages).toBeGreaterThan(0);
    const finding = checkExpected(name, run.expected, result, rules);
    const expected = run.expected;
    if (expected.method === 'REGISTER') {
      const reg = result.registrations.find((r) => r.aor.includes(`${run.users['registrant']?.user ?? ''}@`));
      expect(reg, 'the registration').toBeDefined();
      expect(reg?.lastStatus ?? null).toBe(expected.finalStatus ?? null);
      expect(reg?.state).toBe(expected.finalStatus === 200 ? 'registered' : 'failed');
      if (expected.grantedExpires !== undefined) expect(reg?.expiresGranted).toBe(expected.grantedExpires);
      if (finding !== undefined) expect(reg?.findings).toContain(finding.id);
    } else {
      const call = result.calls.find((c) => c.callId.startsWith('call-alice-'));
      expect(call, 'the call').toBeDefined();
      expect(call?.finalStatus).toBe(expected.finalStatus);
      if (finding !== undefined) expect(call?.findings).toContain(finding.id);
      // kamailio's two sides are both on the loopback capture: a forwarded INVITE is seen on two hops.
      const forwarded = !['call-service-unavailable', 'call-unregistered-callee'].includes(name) && !(name === 'call-dead-contact' && options.transport === 'tcp');
      expect(call?.legs).toBe(forwarded ? 2 : 1);
      expect(call?.cancelled).toBe(name === 'call-cancelled');
      if (expected.finalStatus === 200) {
        expect(call?.outcome).toBe('answered');
        expect(call?.endedBy).toBe('caller');
        expect(call?.durationMs).toBeGreaterThan(0);
      }
    }

    const { validate } = compileSchema('analysis');
    validate(JSON.parse(JSON.stringify(result)));
    expect(validate.errors ?? []).toEqual([]);

    // kamailio logs every message it receives and sends: the same findings, unless it never saw anything.
    const fromKamailio = (await analyze([run.kamailioLog])).result;
    if (fromKamailio.summary.messages > 0) expect(signatures(fromKamailio)).toEqual(signatures(result));
    else expect(name).toBe('register-no-response');

    // sipp's traces hold what the phones sent and received: the same findings, less those about hops no phone saw.
    const fromSipp = (await analyze(run.sippTraces)).result;
    expect(fromSipp.summary.messages).toBeGreaterThan(0);
    checkExpected(name, run.expected, fromSipp, rules);
    for (const s of signatures(fromSipp)) expect(signatures(result)).toContain(s);
  } finally {
    await run.stop();
  }
}

describe.skipIf(missing.length > 0)('scenarios with kamailio, sipp and tshark', () => {
  for (const name of scenarioNames) it(name, () => checkScenario(name), 90_000);
});

describe.skipIf(missing.length > 0)('scenarios over TCP and over IPv6', () => {
  const overTcp: readonly ScenarioName[] = ['register-wrong-password', 'register-interval-too-brief', 'call-busy', 'call-codec-mismatch', 'call-service-unavailable', 'call-dead-contact'];
  for (const name of overTcp) it(`${name} over TCP`, () => checkScenario(name, { transport: 'tcp' }), 90_000);
  for (const name of ['register-blocked-account', 'call-declined'] as const) it(`${name} over IPv6`, () => checkScenario(name, { ipv6: true }), 90_000);
});
