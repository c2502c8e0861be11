/** Two projects: `unit` needs nothing running; `stack` gets real Temporal servers and FerretDB
 * from the global setup in test/harness (started on free ports, stopped afterwards). */
const transform = {
  '^.+\\.ts$': ['ts-jest', { diagnostics: false, tsconfig: { isolatedModules: true } }],
  // ESM-only dependencies (cookie 2, pulled in by fastify's inject) compiled to CommonJS for jest
  '^.+/node_modules/(cookie)/.+\\.js$': ['ts-jest', { diagnostics: false, tsconfig: { isolatedModules: true, allowJs: true } }],
};
const transformIgnorePatterns = ['/node_modules/(?!(cookie)/)'];
/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/{unit,replay}/**/*.test.ts'],
    },
    {
      displayName: 'stack',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/{workflows,api,integration,console}/**/*.test.ts'],
      // the production stack needs its own build (Temporal Server, dist/): npm run test:production
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/integration/production\\.test\\.ts$'],
      globalSetup: '<rootDir>/test/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
    },
    {
      // the console in headless Chromium against the real demo command (test/e2e/harness.ts)
      displayName: 'browser',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
    },
  ],
  testTimeout: 120000,
  maxWorkers: 2,
};
