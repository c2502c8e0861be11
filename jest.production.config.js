/** npm run test:production: the production stack (scripts/start-production.ts, compiled) from a
 * clean DATA_DIR. Kept out of jest.config.js's projects so `npm test` does not need the Temporal
 * Server build; it starts its own servers, so it has no global setup. */
const base = require('./jest.config.js');
const stack = base.projects.find((p) => p.displayName === 'stack');
/** @type {import('jest').Config} */
module.exports = {
  displayName: 'production',
  testEnvironment: 'node',
  transform: stack.transform,
  transformIgnorePatterns: stack.transformIgnorePatterns,
  testMatch: ['<rootDir>/test/integration/production.test.ts'],
  testTimeout: 900_000,
  maxWorkers: 1,
};
