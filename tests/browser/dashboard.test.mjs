// Drives the Breakwater dashboard in headless Chromium against a running gateway and saves a screenshot of each
// state. The xunit test Breakwater.Dashboard.Tests starts the gateway and runs this script; it can also run by hand:
//
//   node dashboard.test.mjs --url http://127.0.0.1:5080 --token <bearer token> [--artifacts <dir>]
//     [--outage-hold-ms <milliseconds the broker stays down before the outage screenshot, default 2500>]
//
// Exit code 0 when every check passed, 1 when one failed (the failing check is printed last), 2 on bad arguments.

import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// How long the page may take to show a status change: the gateway's probe interval plus the page's poll interval,
// with room for a loaded CI machine.
const STATUS_TIMEOUT_MS = 20000;

const { values: options } = parseArgs({
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    artifacts: { type: 'string' },
    chromium: { type: 'string', default: process.env.BREAKWATER_CHROMIUM || '/usr/bin/chromium' },
    // How long the outage lasts before its screenshot; a longer one makes the strip chart easier to read.
    'outage-hold-ms': { type: 'string', default: '2500' },
  },
});

if (!options.url || !options.token) {
  console.error('Usage: node dashboard.test.mjs --url <gateway base URL> --token <bearer token> [--artifacts <dir>]');
  process.exit(2);
}

const baseUrl = options.url.replace(/\/+$/, '');
const artifactsRoot = options.artifacts || process.env.BREAKWATER_TEST_ARTIFACTS
  || path.resolve(import.meta.dirname, '../../artifacts');
const screenshotDir = path.join(artifactsRoot, 'dashboard');

function step(message) {
  console.log(`[dashboard] ${message}`);
}

function check(condition, message) {
  if (!condition) {
    throw new Error(`Check failed: ${message}`);
  }

  step(`ok: ${message}`);
}

async function api(method, route, { body, token = options.token } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) {
    headers.Authorization = `Bearer ${token}`;
  }

  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }

  const response = await fetch(baseUrl + route, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }

  return { status: response.status, json, text };
}

async function expectApi(method, route, expectedStatus, body) {
  const response = await api(method, route, { body });
  if (!expectedStatus.includes(response.status)) {
    throw new Error(`${method} ${route} returned ${response.status}, expected ${expectedStatus.join(' or ')}: `
      + response.text.slice(0, 500));
  }

  return response;
}

async function setFault(target, mode) {
  await expectApi('POST', '/api/paper/faults', [200], { target, mode });
  step(`fault set: ${target} ${mode}`);
}

async function placeRestingOrders(count) {
  const ids = [];
  const runId = Date.now().toString(36);
  for (let index = 0; index < count; index += 1) {
    const response = await expectApi('POST', '/api/orders', [200, 201, 202], {
      clientOrderId: `dash-${runId}-${index}`,
      symbol: 'AAPL',
      side: 'buy',
      quantity: 10 + index,
      type: 'limit',
      limitPrice: 100 + index,
      timeInForce: 'day',
    });
    ids.push(String(response.json.id));
  }

  step(`placed resting orders ${ids.join(', ')}`);
  return ids;
}

async function readOrder(id) {
  const response = await expectApi('GET', `/api/orders/${encodeURIComponent(id)}`, [200]);
  return response.json.order ?? response.json;
}

async function waitFor(description, probe, timeoutMs = STATUS_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) {
      return last;
    }

    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}.`);
}

async function screenshot(page, name) {
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  step(`screenshot ${file}`);
}

async function overallStatus(page) {
  return page.locator('#overall').getAttribute('data-status');
}

async function waitForOverall(page, status) {
  await page.locator(`#overall[data-status="${status}"]`).waitFor({ timeout: STATUS_TIMEOUT_MS });
}

async function run() {
  await mkdir(screenshotDir, { recursive: true });
  const profile = await mkdtemp(path.join(tmpdir(), 'breakwater-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: options.chromium,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
    colorScheme: 'dark',
  });
  const problems = [];
  let recordProblems = true;
  const watch = (page) => {
    page.on('console', (message) => {
      if (recordProblems && (message.type() === 'error' || message.type() === 'warning')) {
        problems.push(`console ${message.type()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  };

  try {
    await setFault('broker', 'none');
    await setFault('marketData', 'none');
    const orderIds = await placeRestingOrders(3);

    const page = context.pages()[0] ?? await context.newPage();
    watch(page);

    // Without a token: public readiness only, a prompt for the token, and the API refuses actions.
    const response = await page.goto(`${baseUrl}/`, { waitUntil: 'load' });
    const headers = response.headers();
    check(response.status() === 200, 'GET / returns 200');
    check((headers['content-security-policy'] || '').includes("default-src 'self'"),
      "the page is served with Content-Security-Policy default-src 'self'");
    await page.locator('#token-panel').waitFor({ state: 'visible' });
    check(await page.locator('#operator').isHidden(), 'without a token the operator view is hidden');
    await waitForOverall(page, 'healthy');
    check(true, 'without a token the page shows the public readiness as healthy');
    const anonymousCancel = await api('POST', '/api/orders/cancel-all', { token: null });
    check(anonymousCancel.status === 401, `cancel-all without a token is refused by the gateway (${anonymousCancel.status})`);

    // A wrong token is rejected, removed from session storage and reported. Chromium logs each 401 response as a
    // console error, which is expected here only.
    recordProblems = false;
    await page.fill('#token-input', 'not-the-token');
    await page.click('#token-form button[type="submit"]');
    await page.locator('#notice[data-kind="error"]').waitFor({ state: 'visible', timeout: STATUS_TIMEOUT_MS });
    const noticeText = await page.locator('#notice-text').textContent();
    check(noticeText.includes('401'), 'a rejected token is reported with 401');
    check(await page.evaluate(() => sessionStorage.length) === 0, 'a rejected token is removed from session storage');
    recordProblems = true;

    // With the token: the operator view, healthy, with the resting orders listed.
    await page.fill('#token-input', options.token);
    await page.click('#token-form button[type="submit"]');
    await page.locator('#operator').waitFor({ state: 'visible' });
    await waitForOverall(page, 'healthy');
    check(true, 'with the token the overall status is healthy');
    check((await page.locator('#overall-text').textContent()).trim() === 'Healthy', 'the status is shown in words');
    for (const id of orderIds) {
      await page.locator(`#orders tr[data-order-id="${id}"]`).waitFor({ timeout: STATUS_TIMEOUT_MS });
    }

    check(true, 'the open orders table lists the resting orders');
    const brokerRow = page.locator('#dependencies tr[data-dependency="broker"]');
    await brokerRow.waitFor();
    check(await brokerRow.getAttribute('data-status') === 'healthy', 'the broker row is healthy');
    await page.locator('#timeline .timeline-row').first().waitFor();
    await screenshot(page, 'dashboard-healthy');

    // The token is required for actions: with the token gone the page prompts instead of calling the gateway.
    await page.evaluate(() => sessionStorage.clear());
    await page.click('#cancel-all');
    await page.locator('#token-panel').waitFor({ state: 'visible' });
    check(await page.locator('#confirm-dialog').isHidden(), 'without a token no confirmation dialog opens');
    check((await page.locator('#notice-text').textContent()).includes('Enter the operator token'),
      'without a token the action prompts for the token');
    check((await readOrder(orderIds[0])).status !== 'cancelled', 'without a token no order was cancelled');
    await page.fill('#token-input', options.token);
    await page.click('#token-form button[type="submit"]');
    await page.locator('#operator').waitFor({ state: 'visible' });

    // A short window makes an outage of a few seconds visible in the strip chart.
    await page.click('[data-window-minutes="5"]');
    check(await page.locator('[data-window-minutes="5"]').getAttribute('aria-pressed') === 'true',
      'the timeline window can be narrowed to 5 minutes');

    // Broker outage: the row turns unhealthy and so does the gateway.
    await setFault('broker', 'down');
    await page.locator('#dependencies tr[data-dependency="broker"][data-status="unhealthy"]')
      .waitFor({ timeout: STATUS_TIMEOUT_MS });
    check(true, 'the broker row turns unhealthy during the outage');
    await waitForOverall(page, 'unhealthy');
    check(true, 'the overall status turns unhealthy during the outage');
    const outageWords = (await page.locator('#overall-detail').textContent()).toLowerCase();
    check(outageWords.includes('broker'), `the overall status names the failing dependency ("${outageWords}")`);
    const brokerBackground = await brokerRow.evaluate((row) => getComputedStyle(row).boxShadow);
    check(brokerBackground.includes('229, 72, 77'), 'the broker row is marked red');
    const lastError = (await brokerRow.locator('td[data-label="Last error"]').textContent()).trim();
    check(lastError !== '' && lastError !== 'none', `the broker row shows the last error ("${lastError}")`);
    // Let the breaker open and the timeline record the outage for the screenshot.
    await page.waitForTimeout(Number(options['outage-hold-ms']));
    await screenshot(page, 'dashboard-outage');

    // Recovery.
    await setFault('broker', 'none');
    await waitForOverall(page, 'healthy');
    check(true, 'the overall status returns to healthy after the fault is removed');
    check(await brokerRow.getAttribute('data-status') === 'healthy', 'the broker row returns to healthy');
    const outageSegments = await page.locator('#timeline .timeline-row').first().locator('rect.segment-unhealthy')
      .count();
    check(outageSegments > 0, 'the timeline shows the outage as an unhealthy segment');
    await screenshot(page, 'dashboard-recovered');

    // Cancel all from the page, through the confirmation dialog.
    await page.click('#cancel-all');
    const dialog = page.locator('#confirm-dialog');
    await dialog.waitFor({ state: 'visible' });
    check(await page.evaluate(() => document.activeElement?.id) === 'confirm-dismiss',
      'the dialog focuses the safe choice');
    await page.click('#confirm-accept');
    await dialog.waitFor({ state: 'hidden' });
    for (const id of orderIds) {
      const order = await waitFor(`order ${id} to be cancelled`, async () => {
        const current = await readOrder(id);
        return current.status === 'cancelled' ? current : null;
      });
      check(order.status === 'cancelled', `order ${id} is cancelled according to the API`);
    }

    await page.locator('#orders-empty').waitFor({ state: 'visible', timeout: STATUS_TIMEOUT_MS });
    check(true, 'the open orders table is empty after cancel-all');
    await screenshot(page, 'dashboard-cancel-all');

    // Isolate and reset a breaker from the page, when the gateway maps the breaker endpoints.
    const breakers = await api('GET', '/api/breakers');
    if (breakers.status === 200) {
      const marketRow = page.locator('#dependencies tr[data-dependency="marketData"]');
      await marketRow.locator('button[data-action="isolate"]').click();
      await dialog.waitFor({ state: 'visible' });
      await page.click('#confirm-accept');
      await marketRow.locator('.breaker[data-state="isolated"]').waitFor({ timeout: STATUS_TIMEOUT_MS });
      check(true, 'isolating the market data breaker from the page shows it isolated');
      await marketRow.locator('button[data-action="reset"]').click();
      await dialog.waitFor({ state: 'visible' });
      await page.click('#confirm-accept');
      await marketRow.locator('.breaker[data-state="closed"]').waitFor({ timeout: STATUS_TIMEOUT_MS });
      check(true, 'resetting the market data breaker from the page closes it');
    } else {
      step(`skipped: isolate and reset, because GET /api/breakers returned ${breakers.status}`);
    }

    // Lost connection: the page shows a banner and recovers by itself.
    recordProblems = false;
    await page.route('**/api/**', (route) => route.abort('connectionrefused'));
    await page.locator('#connection-banner').waitFor({ state: 'visible', timeout: STATUS_TIMEOUT_MS });
    check(true, 'a lost connection shows the banner');
    check(await overallStatus(page) === 'unknown', 'a lost connection does not keep showing a stale status');
    await page.unroute('**/api/**');
    await page.locator('#connection-banner').waitFor({ state: 'hidden', timeout: STATUS_TIMEOUT_MS });
    await waitForOverall(page, 'healthy');
    check(true, 'the page recovers by itself when the gateway responds again');
    recordProblems = true;

    // Phone width.
    await page.setViewportSize({ width: 375, height: 812 });
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, `the page fits a 375 px screen without horizontal scrolling (overflow ${overflow} px)`);
    await screenshot(page, 'dashboard-phone');

    check(problems.length === 0, `the page logged no console errors or warnings${problems.length ? `: ${problems.join(' | ')}` : ''}`);
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
    await setFault('broker', 'none').catch(() => {});
  }
}

try {
  await run();
  step('all checks passed');
} catch (error) {
  console.error(`[dashboard] FAILED: ${error.stack || error.message}`);
  process.exit(1);
}
