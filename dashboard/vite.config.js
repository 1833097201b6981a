import { defineConfig } from 'vite';

// The dashboard is served by `datafactory serve` at `/` with its assets under `/assets/`,
// on the same origin as the JSON API. `npm run dev` proxies the API paths to a running
// `datafactory serve` (DATAFACTORY_API, default http://127.0.0.1:24610).
const api = process.env.DATAFACTORY_API || 'http://127.0.0.1:24610';
const apiPaths = ['/jobs', '/estimate', '/templates', '/formats'];

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    sourcemap: false,
    reportCompressedSize: false,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: Object.fromEntries(apiPaths.map((p) => [p, { target: api, changeOrigin: true }])),
  },
});
