// One lint config for the whole repo: typescript-eslint's recommended rules plus the few that keep
// boundaries honest. Not type-aware: that would double the check time on 2-core machines.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { readdirSync } from 'node:fs';
import path from 'node:path';

// ---- Boundaries (docs/architecture.md, "Boundaries"): one no-restricted-imports list per project
// folder (a later block replaces an earlier one's list, so each list is whole). Services talk over
// NATS, never by import; a test that needs another service starts it with startServices() from
// @tessera/testing, as a process.
const folders = (dir) => readdirSync(path.join(import.meta.dirname, dir));
const doors = ['sftp', 'ftp-ftps', 'web-gateway'];
const services = [...new Set([...folders('services'), ...doors, 'notices'])];
const libs = folders('libs');
/** Who may use the database client: its owners, the test helpers and the tools. */
const databaseUsers = [
  'libs/db',
  'libs/testing',
  'services/user-auth',
  'services/pki',
  'services/notices',
  'tools',
];

const noDatabase = {
  group: [
    '@tessera/db',
    '@tessera/db/*',
    '@prisma/client',
    '@prisma/client/*',
    '@prisma/adapter-pg',
  ],
  message:
    'only user-auth and pki (and libs/testing, deploy/, bench/) use the database; ask them over NATS',
};
/** A relative path into another project (`../../user-auth/src/start`, `../services/pki/src/x`). */
const pathInto = (names) => ({
  regex: `^(\\.\\./)+((libs|services)/|(\\.\\./)+(${names.join('|')})/(src|test|bin)(/|$))`,
  message: 'import another project by its package name (@tessera/...), never by a path into it',
});

/** The whole restriction list for the files of one folder (`services/sftp`, `libs/bus`, `e2e`). */
function restrictionsFor(folder) {
  const [dir, name] = folder.split('/');
  const patterns = [pathInto([...libs, ...services].filter((n) => n !== name))];
  if (!databaseUsers.includes(folder)) patterns.push(noDatabase);
  for (const other of services.filter((s) => folder !== `services/${s}`)) {
    const message =
      dir === 'libs'
        ? 'libs never import services'
        : doors.includes(name) && doors.includes(other)
          ? 'doors never import each other: code two doors share belongs in a lib'
          : 'services never import each other (they talk over NATS); a test starts them with startServices() from @tessera/testing';
    patterns.push({ group: [`@tessera/${other}`, `@tessera/${other}/*`], message });
  }
  if (folder === 'libs/contracts')
    patterns.push({ group: ['@tessera/*'], message: 'libs/contracts imports nothing of ours' });
  return patterns;
}

const boundaries = [
  { files: ['**/*'], ignores: ['prisma.config.ts'], folder: 'root' },
  ...libs.map((lib) => ({ files: [`libs/${lib}/**`], folder: `libs/${lib}` })),
  ...services.map((s) => ({ files: [`services/${s}/**`], folder: `services/${s}` })),
  { files: ['e2e/**'], folder: 'e2e' },
  { files: ['bench/**', 'deploy/**'], folder: 'tools' },
].map(({ folder, ...block }) => ({
  ...block,
  rules: { 'no-restricted-imports': ['error', { patterns: restrictionsFor(folder) }] },
}));

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'libs/db/src/generated/**', '.nx/**', 'data/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['services/cli/**', 'bench/**', 'deploy/**', '**/*.js', '**/*.mjs'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['**/*.js'], languageOptions: { globals: globals.node } },
  ...boundaries,
);
