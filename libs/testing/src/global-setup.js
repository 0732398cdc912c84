// Jest global setup: one migrated template database per test run, which each test file clones
// (CREATE DATABASE ... TEMPLATE is far faster than migrating every file's database).
// Runs once per project; the first one creates the template and later ones reuse it.
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const path = require('node:path');
const { Client } = require('pg');

const adminUrl = () =>
  process.env.TESSERA_TEST_ADMIN_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';

module.exports = async () => {
  if (process.env.TESSERA_TEST_TEMPLATE_DB) return;
  const name = `tessera_tpl_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  execFileSync(process.execPath, [require.resolve('prisma/build/index.js'), 'migrate', 'deploy'], {
    cwd: path.resolve(__dirname, '../../..'),
    env: {
      ...process.env,
      DATABASE_URL: url.toString(),
      PRISMA_SCHEMA_ENGINE_BINARY: '/dev/null',
      PRISMA_QUERY_ENGINE_LIBRARY: '/dev/null',
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  process.env.TESSERA_TEST_TEMPLATE_DB = name;
};
