// @tus/server and srvx ship ES modules only: swc turns them (.js and .mjs) into CommonJS too.
const preset = require('../../jest.preset')(__dirname);
const [swc] = Object.values(preset.transform);
module.exports = {
  ...preset,
  transform: { '^.+\\.(ts|m?js)$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@tus|srvx)/)'],
};
