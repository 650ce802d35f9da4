/**
 * The console's queue page ("What awaits me") as a person first meets it,
 * in Debian's Chromium (playwright-core) against the real local server
 * (`startLocal`, in-memory dynalite), with 20 escalations awaiting the board
 * (created by the CEO through the approve_strategic_initiative use case).
 *
 * Each of the measured loads is a fresh browser context (cold cache) that
 * carries only the session cookie:
 *
 * - first-load bytes: every byte the browser received for the page and
 *   what it loads (the HTML, the stylesheet, the script, the icon), as the
 *   DevTools protocol counts them (`encodedDataLength`: headers and body);
 * - time to data: from the start of navigation until the queue's data is in
 *   the document and painted (the page is rendered on the server, so the
 *   data arrives with the HTML): the later of DOMContentLoaded and the first
 *   contentful paint, by the page's own Navigation and Paint Timing.
 */
import { chromium, type Browser } from 'playwright-core';
import { createApiKey } from '../functions/core/auth/api-keys.js';
import { startLocal } from '../functions/runtime/local.js';
import { approveStrategicInitiative } from '../functions/core/finance/initiatives.js';
import { countingLog, environment, median, quantile, round, table, target, verdict } from './support.js';

const TENANT = 'bench';
const ESCALATIONS = 20;
const WARMUP = 3;
const LOADS = 20;
/** Goals from the console's issue. */
const BYTES_LIMIT = 100 * 1024;
const TIME_TO_DATA_LIMIT_MS = 500;

export async function run(): Promise<Record<string, unknown>> {
  const log = countingLog();
  const conclave = await startLocal({ port: 0, allowedOrigins: [], staleAfterMs: 300_000, log });
  let browser: Browser | undefined;
  try {
    const { key } = await createApiKey(conclave.deps, { tenantId: TENANT, roles: ['all'], human: true, label: 'bench' });
    for (let i = 0; i < ESCALATIONS; i++) {
      await approveStrategicInitiative(conclave.deps, { correlationId: `bench-${i}` }, { tenantId: TENANT, approver: 'ceo', initiative: `Initiative ${i}: open an office in city ${i}`, businessValue: 'A new market', budget: 1_500_000 + i * 10_000 });
    }
    // The sign-in form as a browser posts it: its CSRF token with the binding cookie set with the form.
    const form = await fetch(`${conclave.url}/console/sign-in`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const binding = form.headers.getSetCookie().find((c) => c.startsWith('conclave_csrf='))?.split(';')[0] ?? '';
    const signIn = await fetch(`${conclave.url}/console/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: binding },
      body: new URLSearchParams({ api_key: key, csrf }).toString(),
      redirect: 'manual',
    });
    const token = /conclave_console=([^;]+)/.exec(signIn.headers.getSetCookie().join('\n'))?.[1];
    if (!token) throw new Error(`sign-in failed: ${signIn.status}`);

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const samples: { bytes: number; timeToDataMs: number; serverMs: number; htmlMs: number; items: number }[] = [];
    for (let i = 0; i < WARMUP + LOADS; i++) {
      const context = await browser.newContext();
      await context.addCookies([{ name: 'conclave_console', value: token, url: conclave.url, httpOnly: true, sameSite: 'Strict' }]);
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      let bytes = 0;
      cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => void (bytes += e.encodedDataLength));
      await page.goto(`${conclave.url}/console`, { waitUntil: 'load' });
      await page.waitForSelector('[data-testid="awaiting-count"]');
      // Let the paint entry land.
      await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0, undefined, { timeout: 5000 });
      const timing = (await page.evaluate(`(() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        return { dcl: nav.domContentLoadedEventEnd, fcp: fcp ? fcp.startTime : nav.loadEventEnd, server: nav.responseStart - nav.requestStart, html: nav.responseEnd };
      })()`)) as { dcl: number; fcp: number; server: number; html: number };
      const items = await page.locator('[data-decision]').count();
      if (i >= WARMUP) samples.push({ bytes, timeToDataMs: Math.max(timing.dcl, timing.fcp), serverMs: timing.server, htmlMs: timing.html, items });
      await context.close();
    }
    const bytes = median(samples.map((s) => s.bytes));
    const times = samples.map((s) => s.timeToDataMs);
    const valid = samples.every((s) => s.items === ESCALATIONS) && log.counts.error === 0;
    const targets = {
      firstLoadBytes: target(bytes, BYTES_LIMIT, 'bytes', valid),
      timeToDataMedianMs: target(median(times), TIME_TO_DATA_LIMIT_MS, 'ms', valid),
    };
    console.log(`console queue page, ${ESCALATIONS} escalations awaiting the board, ${LOADS} cold loads (after ${WARMUP} warm-up)`);
    console.log(
      table(
        ['figure', 'median', 'p95', 'max'],
        [
          ['first-load bytes', bytes, quantile(samples.map((s) => s.bytes), 0.95), Math.max(...samples.map((s) => s.bytes))],
          ['time to data (ms)', median(times), quantile(times, 0.95), Math.max(...times)],
          ['  of which the server (ms)', median(samples.map((s) => s.serverMs)), quantile(samples.map((s) => s.serverMs), 0.95), Math.max(...samples.map((s) => s.serverMs))],
          ['  HTML received (ms)', median(samples.map((s) => s.htmlMs)), quantile(samples.map((s) => s.htmlMs), 0.95), Math.max(...samples.map((s) => s.htmlMs))],
        ],
      ),
    );
    console.log(verdict('first-load bytes (median)', targets.firstLoadBytes));
    console.log(verdict('time to data (median)', targets.timeToDataMedianMs));
    if (!valid) console.log(`INVALID RUN: items shown ${samples.map((s) => s.items).join(',')}; errors ${log.counts.error} (${log.first ?? ''})`);
    return {
      environment: environment(),
      escalations: ESCALATIONS,
      loads: LOADS,
      firstLoadBytes: { median: bytes, max: Math.max(...samples.map((s) => s.bytes)) },
      timeToDataMs: { median: round(median(times)), p95: round(quantile(times, 0.95)), max: round(Math.max(...times)) },
      serverMs: { median: round(median(samples.map((s) => s.serverMs))), p95: round(quantile(samples.map((s) => s.serverMs), 0.95)) },
      htmlReceivedMs: { median: round(median(samples.map((s) => s.htmlMs))) },
      targets,
      valid,
    };
  } finally {
    await browser?.close();
    await conclave.close();
  }
}
