// Which harness scenarios the example snapshot holds: read by make-snapshot.ts, which records them, and by the test
// that checks the committed snapshot's report names each failure.
import type { ScenarioName } from '../test/harness/index.js';

/**
 * The main line (var/log/sip), in the order the device met them: it registers at boot, calls (answered, busy, a codec
 * mismatch, a service down), and after its registration interval is changed to 60 s the registrar refuses the refresh
 * with 423 Interval Too Brief: the state it is left in now.
 */
export const mainLine: readonly ScenarioName[] = ['register-ok', 'call-ok', 'call-busy', 'call-codec-mismatch', 'call-service-unavailable', 'register-interval-too-brief'];
/** The second line (tmp/sitara1.zip!var/log/sip), the older log: a wrong password and a blocked account. */
export const secondLine: readonly ScenarioName[] = ['register-wrong-password', 'register-blocked-account'];

/**
 * When each scenario starts on the device's clock (UTC), as a morning of use: the scenarios run back to back in a few
 * seconds, and each is moved here whole, its own timing kept to the microsecond. Gaps stay under the 3600 s a
 * registration is granted, so no refresh is late.
 */
export const schedule: Readonly<Partial<Record<ScenarioName, string>>> = {
  'register-wrong-password': '2026-11-24T07:58:12.204Z',
  'register-blocked-account': '2026-11-24T07:59:41.630Z',
  'register-ok': '2026-11-24T08:00:05.118Z',
  'call-ok': '2026-11-24T08:22:08.517Z',
  'call-busy': '2026-11-24T08:47:53.090Z',
  'call-codec-mismatch': '2026-11-24T09:03:26.744Z',
  'call-service-unavailable': '2026-11-24T09:31:44.263Z',
  'register-interval-too-brief': '2026-11-24T09:52:17.381Z',
};
