import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapIdentity } from '../../functions/core/identity/mappings.js';
import { startLocal, type LocalConclave } from '../../functions/runtime/local.js';
import { launchChromium } from '../helpers/browser.js';
import { memoryLog } from '../helpers/conclave.js';
import { pkcePair, postForm, startRedirectTarget, type RedirectTarget } from '../helpers/oauth.js';
import { TestIssuer } from '../helpers/oidc-issuer.js';

/**
 * "Sign in with <provider>" in a real headless Chromium, without a line of
 * JavaScript on the pages: the consent form's button, the redirect to the
 * issuer and back (the page's CSP must let the form's answer go to the
 * provider), the signed-in consent screen, Approve, and the client's
 * redirect URI with a working code. CONCLAVE_SCREENSHOTS=1 refreshes
 * docs/oauth-consent-oidc.png.
 */
describe('upstream OpenID Connect sign-in in Chromium', () => {
  let conclave: LocalConclave;
  let issuer: TestIssuer;
  let browser: Browser;
  let callback: RedirectTarget;
  let callbackUrl: string;

  beforeAll(async () => {
    issuer = await new TestIssuer('conclave-browser').start();
    conclave = await startLocal({
      port: 0,
      allowedOrigins: [],
      staleAfterMs: 300_000,
      log: memoryLog(),
      authCacheMs: 0,
      upstreamIdentity: { issuer: issuer.url, name: 'Acme SSO', clientId: 'conclave-browser', groupsClaim: 'groups', allowLoopbackHttp: true },
    });
    await mapIdentity(conclave.deps, { kind: 'group', value: 'leadership', tenantId: 'acme', roles: ['cto', 'ceo'], human: true });
    callback = await startRedirectTarget();
    callbackUrl = callback.url;
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    callback?.close();
    await conclave?.close();
    await issuer?.close();
  });

  it('signs in at the provider, shows the mapped tenant and roles, approves, and lands on the redirect URI with a working code', async () => {
    issuer.nextUser = { sub: 'dana', email: 'dana@acme.example', groups: ['leadership'] };
    const registered = await fetch(`${conclave.url}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_name: 'Claude', redirect_uris: [callbackUrl] }) });
    const clientId = String(((await registered.json()) as { client_id: string }).client_id);
    const { verifier, challenge } = pkcePair();
    const url = new URL(`${conclave.url}/oauth/authorize`);
    for (const [k, v] of Object.entries({ response_type: 'code', client_id: clientId, redirect_uri: callbackUrl, code_challenge: challenge, code_challenge_method: 'S256', state: 'abc', resource: `${conclave.url}/mcp/cto`, scope: 'cto' })) {
      url.searchParams.set(k, v);
    }
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 720, height: 900 } });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(url.href);
    await Promise.all([page.waitForURL((u) => u.pathname === '/oauth/callback'), page.getByRole('button', { name: 'Sign in with Acme SSO' }).click()]);
    expect(issuer.authorizations).toHaveLength(1);
    await expect(page.locator('main').textContent()).resolves.toMatch(/Signed in with Acme SSO as dana@acme\.example, tenant acme/);
    if (process.env.CONCLAVE_SCREENSHOTS === '1') await page.screenshot({ path: 'docs/oauth-consent-oidc.png', fullPage: true });
    await Promise.all([page.waitForURL((u) => u.href.startsWith(callbackUrl)), page.getByRole('button', { name: 'Approve' }).click()]);

    const back = callback.lastCallback();
    expect(back.searchParams.get('state')).toBe('abc');
    const tokens = await postForm(`${conclave.url}/oauth/token`, { grant_type: 'authorization_code', client_id: clientId, code: back.searchParams.get('code') as string, code_verifier: verifier, redirect_uri: callbackUrl });
    expect(tokens.status).toBe(200);
    expect(tokens.body.scope).toBe('cto');
    expect(violations).toEqual([]);
    await context.close();
  }, 60_000);
});
