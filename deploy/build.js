#!/usr/bin/env node
// `npm run build`: compiles every service, lib and the CLI to JavaScript under dist/, so they run
// with plain `node` (no TypeScript compiler at run time: less memory, faster start, smaller image).
//
// dist/ mirrors the repository (dist/services/sftp/src/main.js, dist/libs/bus/src/index.js), and
// dist/node_modules/@tessera/<lib> links each lib's compiled folder, so `require('@tessera/bus')`
// from compiled code finds compiled code, while tests and tools keep resolving the TypeScript
// sources through the workspace links in node_modules/.
//
// `--if-stale` builds only when a source or build setting is newer than the last build: `npm start`
// uses it so an unchanged tree starts at once.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.tsbuildinfo');
const inputs = [
  'libs',
  'services',
  'deploy/local',
  'deploy/healthcheck.ts',
  'tsconfig.base.json',
  'tsconfig.build.json',
];

function newestInput(file) {
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(file)) {
    if (entry === 'node_modules' || entry === 'test' || entry.endsWith('.spec.ts')) continue;
    newest = Math.max(newest, newestInput(path.join(file, entry)));
  }
  return newest;
}

function isStale() {
  if (!fs.existsSync(stamp)) return true;
  const built = fs.statSync(stamp).mtimeMs;
  return inputs.some((input) => newestInput(path.join(root, input)) > built);
}

function compile() {
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], {
    cwd: root,
    stdio: 'inherit',
  });
  // tsc leaves the build info untouched when nothing changed; touch it so --if-stale sees the check.
  const now = new Date();
  fs.utimesSync(stamp, now, now);
}

/**
 * The web door's page: React built by Vite to static files in dist/services/web-gateway/page,
 * which the gateway serves (offline: everything comes from node_modules, no CDN).
 */
function buildPage() {
  const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin/vite.js');
  const config = path.join(root, 'services/web-gateway/page/vite.config.mts');
  execFileSync(process.execPath, [vite, 'build', '--config', config], {
    cwd: root,
    stdio: 'inherit',
  });
}

/** dist/node_modules/@tessera/<name> -> dist/libs/<dir>/src, for every lib that was compiled. */
function linkLibs() {
  const scope = path.join(dist, 'node_modules/@tessera');
  fs.rmSync(scope, { recursive: true, force: true });
  fs.mkdirSync(scope, { recursive: true });
  for (const dir of fs.readdirSync(path.join(root, 'libs'))) {
    const compiled = path.join(dist, 'libs', dir, 'src');
    if (!fs.existsSync(path.join(compiled, 'index.js'))) continue;
    const { name } = JSON.parse(fs.readFileSync(path.join(root, 'libs', dir, 'package.json')));
    fs.symlinkSync(path.relative(scope, compiled), path.join(dist, 'node_modules', name));
  }
}

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);
try {
  compile();
} catch {
  process.stderr.write('build failed: the TypeScript compiler reported the errors above\n');
  process.exit(1);
}
linkLibs();
try {
  buildPage();
} catch {
  process.stderr.write('build failed: Vite could not build the web page (errors above)\n');
  process.exit(1);
}
