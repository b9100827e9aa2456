import { defineConfig } from 'vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { writeFileSync } from 'node:fs'

// The same build is embedded in the Go binary and served both inside the Wails window and
// by `aisync serve`; relative asset paths keep it working under either origin.
export default defineConfig({
  plugins: [
    svelte(),
    // dist/.gitkeep is tracked so `go build` can embed dist/ before the UI is built.
    { name: 'keep-dist', closeBundle: () => writeFileSync('dist/.gitkeep', '') },
  ],
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 800 },
  server: { proxy: { '/api': 'http://127.0.0.1:8765', '/healthz': 'http://127.0.0.1:8765' } },
  test: { environment: 'jsdom', include: ['src/**/*.test.ts'], setupFiles: ['./src/test-setup.ts'] },
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
})
