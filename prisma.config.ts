// Prisma CLI configuration: the JS engine through the pg driver adapter, so `generate` and
// `migrate deploy` run with no engine download (these machines reach only the npm registry).
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  async adapter() {
    // allowExitOnIdle: without it the idle pool holds every CLI call open for ten more seconds.
    return new PrismaPg({ connectionString: process.env.DATABASE_URL, allowExitOnIdle: true });
  },
});
