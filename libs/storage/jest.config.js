// The shared preset, minus its database global setup: storage tests use a temp folder, never
// Postgres, so they run (and stay fast) on a machine without a database.
module.exports = require('../../jest.preset')(__dirname, {
  globalSetup: undefined,
  globalTeardown: undefined,
});
