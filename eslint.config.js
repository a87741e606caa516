// @ts-check
import tseslint from 'typescript-eslint';
import regexp from 'eslint-plugin-regexp';
import redos from 'eslint-plugin-redos-detector';
import { layering } from './scripts/eslint-layering.js';

export default tseslint.config(
  { ignores: ['dist/**', '.bench-build/**', 'node_modules/**', 'coverage/**', 'bench/data/**', 'examples/**/build/**'] },
  ...tseslint.configs.recommended,
  regexp.configs['flat/recommended'],
  {
    files: ['**/*.ts'],
    plugins: { 'redos-detector': redos, siplens: { rules: { layering } } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-exports': ['error', { restrictDefaultExports: { direct: true, named: true, defaultFrom: true, namedFrom: true, namespaceFrom: true } }],
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
      'redos-detector/no-unsafe-regex': ['error', { ignoreError: true }],
      'siplens/layering': 'error',
    },
  },
  {
    // Vitest and ESLint read default exports from their config files.
    files: ['vitest.config.ts', 'eslint.config.js'],
    rules: { 'no-restricted-exports': 'off' },
  },
);
