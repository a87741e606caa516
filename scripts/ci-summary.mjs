// Reads Vitest's JSON report and prints the closing line CI reads: `N passed, N failed` (`, N skipped` when any).
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.vitest-report.json';
if (!existsSync(file)) {
  // Typecheck, lint or the install or lint failed before Vitest ran: count the run as one failure.
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const passed = report.numPassedTests ?? 0;
const failed = report.numFailedTests ?? 0;
const suitesFailed = (report.testResults ?? []).filter((r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0).length;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
const line = `${passed} passed, ${failed + suitesFailed} failed` + (skipped ? `, ${skipped} skipped` : '');
console.log(line);
process.exit(failed + suitesFailed > 0 ? 1 : 0);
