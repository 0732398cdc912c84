// The whole suite: every project under libs/, services/ and e2e/ that has a jest.config.js.
const fs = require('node:fs');
const path = require('node:path');

const projects = ['libs', 'services']
  .flatMap((dir) => fs.readdirSync(path.join(__dirname, dir)).map((name) => path.join(dir, name)))
  .concat(['e2e'])
  .filter((dir) => fs.existsSync(path.join(__dirname, dir, 'jest.config.js')))
  .map((dir) => `<rootDir>/${dir}`);

// testTimeout is a global option: projects' own settings are ignored when run together.
module.exports = { projects, testTimeout: 30_000 };
