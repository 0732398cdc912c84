#!/usr/bin/env node
// Runs the compiled CLI (npm run build puts it in dist/; the image ships it built).
const path = require('node:path');

const main = path.join(__dirname, '../../../dist/services/cli/src/main.js');
let cli;
try {
  cli = require(main);
} catch (err) {
  if (err.code !== 'MODULE_NOT_FOUND' || !String(err.message).includes(main)) throw err;
  process.stderr.write('tessera is not built yet: run `npm run build` in the repository first\n');
  process.exit(1);
}
cli.run(process.argv).then((code) => process.exit(code));
