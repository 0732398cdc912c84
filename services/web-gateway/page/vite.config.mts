// The web door's page: React built to static files that the gateway serves (no CDN at run time).
// `npm run build` (deploy/build.js) runs this after the TypeScript build.
import path from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

export default defineConfig({
  root,
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: path.resolve(root, '../../../dist/services/web-gateway/page'),
    emptyOutDir: true,
    // No inline scripts or data: modules: the CSP allows our own files only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
