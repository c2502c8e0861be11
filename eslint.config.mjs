// Lint: TypeScript rules everywhere, with the type-aware rules that catch a promise nobody awaits
// (forgetting to await an activity, a workflow API or a database write is a bug, as the Temporal
// samples say), and a fence around workflows/: workflow code runs in Temporal's deterministic
// sandbox, so Node built-ins, mongoose, fastify, the models and the API stay out of it (README,
// "Layout").
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.tools/**', '.data/**', 'coverage/**', 'console/dist/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-namespace': 'off',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Node built-ins are not available in workflow code' })),
          patterns: [
            { group: ['mongoose', 'mongoose/*', 'mongodb'], message: 'Database access belongs in activities' },
            { group: ['fastify', 'fastify/*', '@fastify/*', 'fastify-*'], message: 'HTTP belongs in api/' },
            {
              group: ['**/models', '**/models/*', '**/api', '**/api/*', '**/infra/*', '**/activities', '**/activities/*'],
              message: 'Workflows reach these only through activities (import type is fine)',
              allowTypeImports: true,
            },
            {
              group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'],
              message: 'Only @temporalio/workflow and @temporalio/common in workflow code',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'No env in workflow code' },
        { name: 'setTimeout', message: 'Use sleep() or condition() with a timeout' },
        { name: 'setInterval', message: 'Use sleep() in a loop' },
        { name: 'fetch', message: 'Network calls belong in activities' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use an activity or sideEffect-free seeded draw' },
        { object: 'Date', property: 'now', message: 'Workflow time is Date.now() inside the sandbox, but say so with workflowNow()' },
      ],
    },
  },
);
