import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../functions/core/auth/api-keys.js';
import { startLocal, type LocalConclave } from '../../functions/runtime/local.js';
import { launchChromium } from '../helpers/browser.js';
import { memoryLog } from '../helpers/conclave.js';
import { pkcePair, postForm, startRedirectTarget, type RedirectTarget } from '../helpers/oauth.js';

/**
 * The consent page in a real headless Chromium: a person signs in with the
 * keyboard (the field is found by its label) and approves; the browser lands
 * on the client's registered redirect URI with a code that the token
 * endpoint exchanges. Set CONCLAVE_SCREENSHOTS=1 to refresh docs/oauth-consent.png.
 */
describe('OAuth consent page in Chromium', () => {
  let conclave: LocalConclave;
  let browser: Browser;
  let callback: RedirectTarget;
  let callbackUrl: string;

  beforeAll(async () => {
    conclave = await startLocal({ port: 0, allowedOrigins: [], staleAfterMs: 300_000, log: memoryLog(), authCacheMs: 0 });
    callback = await startRedirectTarget();
    callbackUrl = callback.url;
    // playwright-core gives every launch a fresh temporary profile (its equivalent of --user-data-dir).
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    callback?.close();
    await conclave?.close();
  });

  it('signs in with a human key and approves, landing on the registered redirect URI with a working code', async () => {
    const { key } = await createApiKey(conclave.deps, { tenantId: 'acme', roles: ['cto', 'board'], human: true, label: 'alice' });
    const registered = await fetch(`${conclave.url}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Claude', redirect_uris: [callbackUrl] }),
    });
    const clientId = String(((await registered.json()) as { client_id: string }).client_id);
    const { verifier, challenge } = pkcePair();
    const url = new URL(`${conclave.url}/oauth/authorize`);
    for (const [k, v] of Object.entries({ response_type: 'code', client_id: clientId, redirect_uri: callbackUrl, code_challenge: challenge, code_challenge_method: 'S256', state: 'xyz', resource: `${conclave.url}/mcp/cto`, scope: 'cto' })) {
      url.searchParams.set(k, v);
    }

    const page = await browser.newPage({ viewport: { width: 720, height: 900 } });
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    const response = await page.goto(url.href);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await expect(page.title()).resolves.toMatch(/Sign in to Conclave/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Allow Claude to use Conclave?');

    // Keyboard only: the field is reachable by its label, then Tab to Approve and Enter.
    await page.getByLabel('Conclave API key').focus();
    await page.keyboard.type(key);
    if (process.env.CONCLAVE_SCREENSHOTS === '1') await page.screenshot({ path: 'docs/oauth-consent.png', fullPage: true });
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toBe('Approve');
    await Promise.all([page.waitForURL((u) => u.href.startsWith(callbackUrl)), page.keyboard.press('Enter')]);

    const back = callback.lastCallback();
    expect(back.searchParams.get('state')).toBe('xyz');
    expect(back.searchParams.get('iss')).toBe(conclave.url);
    const tokens = await postForm(`${conclave.url}/oauth/token`, { grant_type: 'authorization_code', client_id: clientId, code: back.searchParams.get('code') as string, code_verifier: verifier, redirect_uri: callbackUrl });
    expect(tokens.status).toBe(200);
    expect(tokens.body.scope).toBe('cto');
    expect(violations).toEqual([]);
    await page.close();
  }, 60_000);

  it('shows a clear, announced error for an agent key and stays on the page', async () => {
    const { key } = await createApiKey(conclave.deps, { tenantId: 'acme', roles: ['cto'], human: false });
    const registered = await fetch(`${conclave.url}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_name: 'Bot', redirect_uris: [callbackUrl] }) });
    const clientId = String(((await registered.json()) as { client_id: string }).client_id);
    const url = new URL(`${conclave.url}/oauth/authorize`);
    for (const [k, v] of Object.entries({ response_type: 'code', client_id: clientId, redirect_uri: callbackUrl, code_challenge: pkcePair().challenge, code_challenge_method: 'S256', scope: 'cto', resource: `${conclave.url}/mcp/cto` })) {
      url.searchParams.set(k, v);
    }
    const page = await browser.newPage();
    await page.goto(url.href);
    await page.getByLabel('Conclave API key').fill(key);
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/agent key/);
    expect(page.url()).toBe(`${conclave.url}/oauth/authorize`);
    await page.close();
  }, 60_000);
});
