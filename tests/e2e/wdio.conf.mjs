// WebdriverIO config for driving the real Kinvault binary through tauri-driver.
// Run via scripts/e2e.sh, which starts Xvfb and tauri-driver and sets the env below.
import fs from 'node:fs';
import path from 'node:path';
import { saveScreenshot } from './lib/screenshot.mjs';

const application = process.env.KINVAULT_APP;
if (!application) {
  throw new Error('KINVAULT_APP is not set: run scripts/e2e.sh (it points this at the built binary)');
}
const screenshotDir = process.env.E2E_SCREENSHOT_DIR ?? path.resolve('artifacts');
fs.mkdirSync(screenshotDir, { recursive: true });

export const config = {
  runner: 'local',
  // tauri-driver, started by e2e.sh. It forwards to WebKitWebDriver, which launches the app.
  hostname: '127.0.0.1',
  port: Number(process.env.TAURI_DRIVER_PORT ?? 4444),
  specs: ['./specs/**/*.e2e.mjs'],
  maxInstances: 1,
  capabilities: [
    {
      // Only tauri:options, no browserName (known pitfall): with one, WebdriverIO tries to
      // set up a browser driver itself and the native driver refuses the session.
      'tauri:options': { application },
      // tauri-driver proxies classic (HTTP) WebDriver; WebdriverIO 9 would otherwise
      // try to open a WebDriver BiDi (websocket) session.
      'wdio:enforceWebDriverClassic': true,
    },
  ],
  // e2e.sh owns the X display (Xvfb); the app is launched by the driver, not a wdio worker.
  autoXvfb: false,
  logLevel: 'warn',
  outputDir: process.env.E2E_LOG_DIR,
  bail: 0,
  waitforTimeout: 20_000,
  // Session creation includes launching the app.
  connectionRetryTimeout: 120_000,
  connectionRetryCount: 1,
  framework: 'mocha',
  reporters: ['spec'],
  mochaOpts: {
    ui: 'bdd',
    timeout: 120_000,
    // Steps build on each other (create vault → add person → lock); after the
    // first failure the rest would only report noise.
    bail: true,
  },

  // Keep a picture of the window when a test fails: the quickest clue in CI.
  afterTest: async (test, _context, { passed }) => {
    if (passed) return;
    const name = `${test.parent} ${test.title}`.replace(/[^a-z0-9]+/gi, '-').slice(0, 100);
    try {
      await saveScreenshot(path.join(screenshotDir, `FAILED-${name}.png`));
    } catch (err) {
      console.warn(`could not save failure screenshot: ${err.message}`);
    }
  },
};
