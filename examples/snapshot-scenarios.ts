// Which harness scenarios the example snapshot holds: read by make-snapshot.ts, which records them, and by the test
// that checks the committed snapshot's report names each failure.
import type { ScenarioName } from '../test/harness/index.js';

/** The main line (var/log/sip): registers, is told its interval is too brief, calls (answered, busy, codec mismatch, service down). */
export const mainLine: readonly ScenarioName[] = ['register-ok', 'register-interval-too-brief', 'call-ok', 'call-busy', 'call-codec-mismatch', 'call-service-unavailable'];
/** The second line (tmp/sitara1.zip!var/log/sip): a wrong password and a blocked account. */
export const secondLine: readonly ScenarioName[] = ['register-wrong-password', 'register-blocked-account'];
