// Shared jest settings: swc transpiles TypeScript (with decorator metadata for NestJS), and one
// global setup makes a migrated template database that each test file clones (see libs/testing).
const path = require('node:path');

module.exports = (projectDir, overrides = {}) => ({
  displayName: path.relative(__dirname, projectDir),
  rootDir: projectDir,
  testEnvironment: 'node',
  // Integration tests start real services, processes and key generation on 2-core machines
  // shared with other work: 5 s (jest's default) is too tight a guard, not a measure of speed.
  testTimeout: 30_000,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  globalSetup: path.join(__dirname, 'libs/testing/src/global-setup.js'),
  globalTeardown: path.join(__dirname, 'libs/testing/src/global-teardown.js'),
  ...overrides,
});
