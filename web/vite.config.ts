/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The Maven build asks for the console to land in the jar's classes (CONSOLE_OUT_DIR); a plain
// `npm run build` writes dist/. During `npm run dev`, the API is the service on :8080.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: process.env.CONSOLE_OUT_DIR ?? 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The budget is 250 KB of gzipped JavaScript on first load; xterm.js comes later, in its own chunk.
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    setupFiles: ['src/testSetup.ts'],
  },
});
