import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The production build is served by the gateway (gateway/RadAI.Gateway/GatewayDashboard.cs) from its output folder
// dashboard/; `npm run dev` proxies /api to a running node (RADAI_API, default the standalone's http://127.0.0.1:8080).
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, assetsInlineLimit: 0 },
  server: { proxy: { '/api': process.env.RADAI_API ?? 'http://127.0.0.1:8080' } },
  test: { include: ['src/**/*.test.{ts,tsx}'], environment: 'node' },
});
