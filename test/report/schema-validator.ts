// The shipped JSON Schemas, compiled with real format checks (ajv-formats): a `time` that is not an RFC 3339
// date-time fails validation instead of being waved through.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';

const schemaDir = resolve(import.meta.dirname, '..', '..', 'schema');

/** Compiles `schema/<name>.schema.json`; `errorsText` renders a failed validation for an assertion message. */
export function compileSchema(name: 'analysis' | 'messages'): { validate: ValidateFunction; errorsText: (v: ValidateFunction) => string } {
  // strict: the schemas must not use keywords or formats Ajv does not know (a typo would silently check nothing);
  // `required` inside `not` names properties on purpose (a request has no status), so that one check is off.
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  // ajv-formats is CommonJS: its plugin is the module's default export, also reachable as `.default` on it.
  ajvFormats.default(ajv, ['date-time']);
  const schema = JSON.parse(readFileSync(resolve(schemaDir, `${name}.schema.json`), 'utf8')) as object;
  return { validate: ajv.compile(schema), errorsText: (v) => ajv.errorsText(v.errors) };
}
