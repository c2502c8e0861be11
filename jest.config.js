/** Two projects: `unit` needs nothing running; `stack` gets real Temporal servers and FerretDB
 * from the global setup in test/harness (started on free ports, stopped afterwards). */
// ESM-only dependencies compiled to CommonJS for jest: cookie 2 (pulled in by fastify's inject)
// the chart stack of console/charts.ts (vega and the d3 modules under it), and openid-client with
// what it imports (oauth4webapi, and jose 6 nested under it: the project's own jose 5 ships CommonJS)
const esmPackages = 'cookie|vega[^/]*|d3-[^/]+|internmap|delaunator|robust-predicates|openid-client|oauth4webapi|jose/dist/webapi';
const transform = {
  '^.+\\.ts$': ['ts-jest', { diagnostics: false, tsconfig: { isolatedModules: true } }],
  [`^.+/node_modules/(${esmPackages})/.+\\.m?js$`]: ['ts-jest', { diagnostics: false, tsconfig: { isolatedModules: true, allowJs: true } }],
};
const transformIgnorePatterns = [`/node_modules/(?!(${esmPackages})/)`];
// vega-canvas's Node build probes for the optional `canvas` package with a top-level await, which
// CommonJS cannot hold; its browser build finds no canvas either, as production does without it
// each jest worker takes ports from its own block (infra/embedded.ts, freePort)
const setupFiles = ['<rootDir>/test/harness/ports.ts'];
const moduleNameMapper = { '^vega-canvas$': '<rootDir>/node_modules/vega-canvas/build/vega-canvas.browser.js' };
/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      setupFiles,
      testMatch: ['<rootDir>/test/{unit,replay}/**/*.test.ts'],
    },
    {
      displayName: 'stack',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      setupFiles,
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
      moduleNameMapper,
      setupFiles,
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
    },
  ],
  testTimeout: 120000,
  maxWorkers: 2,
};
