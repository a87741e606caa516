// The scenario harness: real kamailio, sipp and tshark on loopback, for the diagnosis, report and live web tests.
export { listScenarios, runScenario, tsharkDecodeAs } from './run-scenario.js';
export type { RunScenarioOptions, ScenarioPorts, ScenarioRun } from './run-scenario.js';
export { frInvTimerMs, frTimerMs, harnessUsers, minExpires, scenarioNames } from './scenarios.js';
export type { Generator, HarnessUser, ScenarioExpected, ScenarioName } from './scenarios.js';
export { findFreePort, HarnessError, releasePort } from './processes.js';
export type { Transport } from './sipp.js';
