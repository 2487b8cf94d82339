// The studio's web page: React + TypeScript, built by `npm run studio:build` into ./dist, which
// the studio serves. `base: './'` keeps every asset URL relative, so the built page also works
// when the studio is mounted under a path prefix on the platform's single port.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: { outDir: path.join(here, 'dist'), emptyOutDir: true, sourcemap: true, target: 'es2022', chunkSizeWarningLimit: 800 },
  server: { proxy: { '/api': process.env.STUDIO_URL ?? 'http://127.0.0.1:8080' } },
});
