#!/usr/bin/env node
// Runs the CLI from its TypeScript sources (swc transpiles on load; there is no build step).
const path = require('node:path');

require('ts-node').register({
  project: path.join(__dirname, '../../../tsconfig.json'),
  swc: true,
});
require('../src/main.ts')
  .run(process.argv)
  .then((code) => process.exit(code));
