/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

// The built app runs under the strict CSP in index.html (styles come from files).
// Vite's dev server injects component styles as <style> elements, so only `vite dev`
// gets 'unsafe-inline' for styles; the build output never does.
function relaxStyleCspInDev(): Plugin {
  return {
    name: 'kinvault-dev-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");
    },
  };
}

export default defineConfig({
  base: './',
  // Tauri's dev server expectations: fixed port, fail instead of picking another.
  server: { port: 5173, strictPort: true },
  clearScreen: false,
  envPrefix: ['VITE_', 'TAURI_ENV_'],
  plugins: [svelte(), relaxStyleCspInDev(), svelteTesting()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // WebKitGTK (Linux), WKWebView (macOS) and WebView2 (Windows) are all recent.
    target: ['es2022', 'safari16', 'chrome110'],
    // Inline data: URLs would need a CSP exception; keep every asset a file.
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
    reportCompressedSize: false,
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['src/test/setup.ts'],
    include: ['src/**/*.test.ts'],
    restoreMocks: true,
  },
});
