// Drops the run's template database (each test file drops its own clone).
const { Client } = require('pg');

module.exports = async () => {
  const name = process.env.TESSERA_TEST_TEMPLATE_DB;
  if (!name) return;
  const admin = new Client({
    connectionString:
      process.env.TESSERA_TEST_ADMIN_DATABASE_URL ||
      'postgresql://postgres@127.0.0.1:5432/postgres',
  });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  delete process.env.TESSERA_TEST_TEMPLATE_DB;
};
