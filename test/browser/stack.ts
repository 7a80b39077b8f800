// What the browser tests run against, all real processes on 127.0.0.1 (the end-to-end suite's
// helpers, test/e2e/harness.ts): the test origin (fails on demand, so dead letters can be made),
// the gateway under `wrangler dev` with the console, status links and a short retry schedule,
// and the demo origin (examples/node-origin/server.mjs, as `npm start` runs it) serving the
// "thank you" page with the status widget.
import { fileURLToPath } from 'node:url';
import { TEST_APP_ID, TEST_ONLY_FORWARD_SECRETS } from '../fixtures/gateway-test-keys';
import { freePort, gatewaySettings, startGateway, startProcess, startStackBase, withTimeout } from '../e2e/harness';

const DEMO_SERVER = fileURLToPath(new URL('../../examples/node-origin/server.mjs', import.meta.url));
const LISTENING = /^origin example listening on (http:\/\/127\.0\.0\.1:\d+\/)/;

/** TEST-ONLY: signs the status links of the browser tests' gateway. */
export const TEST_ONLY_STATUS_SECRET = 'test-only-status-secret-for-browser-tests-0123';

/** Plain data, so the global setup can provide() it to the test files. */
export interface BrowserStackInfo {
  gatewayUrl: string;
  notifyUrl: string;
  originControlUrl: string;
  /** The demo origin's root, e.g. http://127.0.0.1:40123/ */
  demoOriginUrl: string;
  /**
   * A port for a merchant page a test serves itself (a page with a forged link), allowed to read
   * the status like the demo origin. Served from 127.0.0.1, not by the browser's request
   * interception: Chromium refuses a page of unknown address the loopback gateway's script.
   */
  merchantPagePort: number;
  adminToken: string;
  statusSecret: string;
  appId: string;
}

/** How often the proxy is nudged (see nudgeProxy). */
const PROXY_NUDGE_MS = 1_000;

/**
 * wrangler dev's proxy (its ProxyWorker) parks a GET whose connection to the Worker failed in a
 * retry queue that only the proxy's next request empties (it compares the failed URL, path and
 * all, with the Worker's root URL, so every such GET counts as "the Worker restarted"). A browser
 * waiting on that page sends no next request: a CI run lost the language switch to it, 30 s
 * waiting for a page that was never asked for. One small request a second empties the queue, as
 * an operator's next click would; the deployed gateway has no such proxy.
 */
function nudgeProxy(gatewayUrl: string): NodeJS.Timeout {
  const timer = setInterval(() => {
    fetch(`${gatewayUrl}/health`, { signal: AbortSignal.timeout(5_000) })
      .then((response) => response.body?.cancel())
      .catch(() => {}); // the stack stopping, or a busy moment: the next nudge comes in a second
  }, PROXY_NUDGE_MS);
  timer.unref();
  return timer;
}

export async function startBrowserStack(): Promise<{ info: BrowserStackInfo; stop(): Promise<void> }> {
  const { dir, origin, onStop, stop } = await startStackBase('browser');
  try {
    const demoPort = await freePort();
    const demoOrigin = `http://127.0.0.1:${demoPort}`;
    const merchantPagePort = await freePort();
    const settings = gatewaySettings(origin.deliveryUrl, {
      // Three attempts a second apart: a dead letter within seconds.
      RETRY_SCHEDULE: '1s,1s',
      STATUS_SECRET: TEST_ONLY_STATUS_SECRET,
      STATUS_ALLOWED_ORIGINS: `${demoOrigin}, http://127.0.0.1:${merchantPagePort}`,
    });
    const gateway = await startGateway({ dir, settings, logLevel: 'warn' });
    await onStop(() => gateway.process.stop());
    const nudging = nudgeProxy(gateway.url);
    await onStop(async () => clearInterval(nudging));

    let announce: (url: string) => void = () => {};
    const announced = new Promise<string>((resolve) => (announce = resolve));
    const demo = startProcess('demo origin', [DEMO_SERVER], {
      env: {
        FORWARD_SECRET: TEST_ONLY_FORWARD_SECRETS.join(' '),
        STATUS_SECRET: TEST_ONLY_STATUS_SECRET,
        ALIPAY_APP_ID: TEST_APP_ID,
        GATEWAY_URL: gateway.url,
        PORT: String(demoPort),
        HOST: '127.0.0.1',
      },
      onLine: (line) => {
        const match = LISTENING.exec(line);
        if (match) announce(match[1]!);
      },
    });
    await onStop(() => demo.stop());
    const demoOriginUrl = await withTimeout(
      Promise.race([announced, demo.exited.then((code) => Promise.reject(new Error(`demo origin exited (${code}):\n${demo.tail()}`)))]),
      15_000,
      () => `demo origin did not start:\n${demo.tail()}`,
    );
    return {
      stop,
      info: {
        gatewayUrl: gateway.url,
        notifyUrl: gateway.notifyUrl,
        originControlUrl: origin.controlUrl,
        demoOriginUrl,
        merchantPagePort,
        adminToken: settings['ADMIN_TOKEN'] ?? '',
        statusSecret: TEST_ONLY_STATUS_SECRET,
        appId: TEST_APP_ID,
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
