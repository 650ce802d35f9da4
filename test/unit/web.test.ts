import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../functions/adapters/local/memory-store.js';
import { createApiKey, authenticate, type ApiKeyDeps } from '../../functions/core/auth/api-keys.js';
import { bindingCookie, issueCsrfToken, readCookie, verifyCsrfToken, CSRF_COOKIE } from '../../functions/web/csrf.js';
import { errorPage, escapeHtml, html, htmlPage, readForm } from '../../functions/web/html.js';
import { renderSignInForm, signInHuman } from '../../functions/web/human-signin.js';
import { loadWebSecret } from '../../functions/web/secret.js';

const secret = new Uint8Array(32).fill(7);
const now = Date.parse('2026-12-06T03:00:00Z');

describe('web html', () => {
  it('escapes every interpolated value unless it is nested html', () => {
    const name = '<script>alert("x")</script>';
    expect(html`<p title="${name}">${name}</p>`.value).not.toContain('<script>');
    expect(html`<div>${html`<b>${'&'}</b>`}</div>`.value).toBe('<div><b>&#38;</b></div>');
    expect(escapeHtml(`"'<>&`)).toBe('&#34;&#39;&#60;&#62;&#38;');
  });

  it('serves pages with a strict CSP that forbids framing and third-party origins', async () => {
    const response = htmlPage({ title: 'T', body: html`<p>hi</p>`, formTargets: ['https://client.example'] });
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/form-action 'self' https:\/\/client\.example/);
    expect(csp).not.toMatch(/script-src|unsafe-inline|\*/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toMatch(/^<!doctype html>[\s\S]*<html lang="en">/);
    expect(errorPage(400, 'Bad', '<x>').status).toBe(400);
  });

  it('reads url-encoded forms and refuses other types and oversized bodies', async () => {
    const form = (body: string, type = 'application/x-www-form-urlencoded') => new Request('http://h/x', { method: 'POST', body, headers: { 'content-type': type } });
    expect((await readForm(form('a=1&b=%3C')))?.get('b')).toBe('<');
    expect(await readForm(form('{}', 'application/json'))).toBeUndefined();
    expect(await readForm(form(`a=${'x'.repeat(20_000)}`))).toBeUndefined();
  });
});

describe('web csrf', () => {
  const context = { secret, purpose: 'oauth-consent', binding: 'browser-1', now };

  it('accepts a token for its purpose and binding before it expires', () => {
    expect(verifyCsrfToken(context, issueCsrfToken(context))).toBe(true);
  });

  it('refuses a token for another binding, another purpose, expired, tampered or missing', () => {
    const token = issueCsrfToken(context);
    expect(verifyCsrfToken({ ...context, binding: 'browser-2' }, token)).toBe(false);
    expect(verifyCsrfToken({ ...context, purpose: 'console-approve' }, token)).toBe(false);
    expect(verifyCsrfToken({ ...context, now: now + 31 * 60_000 }, token)).toBe(false);
    expect(verifyCsrfToken(context, `${token}x`)).toBe(false);
    expect(verifyCsrfToken(context, undefined)).toBe(false);
    expect(verifyCsrfToken({ ...context, binding: '' }, token)).toBe(false);
    expect(verifyCsrfToken({ ...context, secret: new Uint8Array(32).fill(8) }, token)).toBe(false);
  });

  it('sets an HttpOnly SameSite=Strict binding cookie and reads it back', () => {
    const cookie = bindingCookie('abc', { secure: true, path: '/oauth' });
    expect(cookie).toMatch(/^conclave_csrf=abc; Path=\/oauth; Max-Age=\d+; HttpOnly; SameSite=Strict; Secure$/);
    const request = new Request('http://h/', { headers: { cookie: `other=1; ${CSRF_COOKIE}=abc` } });
    expect(readCookie(request, CSRF_COOKIE)).toBe('abc');
    expect(readCookie(new Request('http://h/', { headers: { cookie: `${CSRF_COOKIE}=<bad>` } }), CSRF_COOKIE)).toBeUndefined();
  });
});

describe('web human sign-in', () => {
  let deps: ApiKeyDeps;
  beforeAll(() => {
    deps = { store: new MemoryStore(), clock: { now: () => now } };
  });
  const auth = (key: string | undefined) => authenticate(deps, key);

  it('signs in a human key with its tenant, roles and human flag', async () => {
    const { key, record } = await createApiKey(deps, { tenantId: 'acme', roles: ['cto', 'board'], human: true });
    expect(await signInHuman(auth, ` ${key} `)).toEqual({ ok: true, person: { tenantId: 'acme', keyId: record.keyId, roles: ['cto', 'board'], human: true } });
  });

  it('refuses an agent key with its own clear message', async () => {
    const { key } = await createApiKey(deps, { tenantId: 'acme', roles: ['cto'], human: false });
    const result = await signInHuman(auth, key);
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/agent key.*Only a person/) });
  });

  it('refuses unknown, empty and oversized keys with one message', async () => {
    expect(await signInHuman(auth, 'cnk_unknown_key_1234567890')).toEqual({ ok: false, message: 'That API key is not valid or has been revoked.' });
    expect(await signInHuman(auth, '   ')).toEqual({ ok: false, message: 'Enter your Conclave API key.' });
    expect((await signInHuman(auth, 'x'.repeat(300))).ok).toBe(false);
  });

  it('renders a labelled password field, the CSRF token and escaped hidden fields', () => {
    const form = renderSignInForm({ action: '/x', csrfToken: 't.1', hidden: { state: '"><script>' }, error: 'Nope <b>' }).value;
    expect(form).toMatch(/<label for="api_key">Conclave API key<\/label>/);
    expect(form).toMatch(/<input type="password" id="api_key" name="api_key" required/);
    expect(form).toContain('name="csrf" value="t.1"');
    expect(form).not.toContain('<script>');
    expect(form).toContain('role="alert">Nope &#60;b&#62;');
  });

  it('creates the web secret once and returns the same bytes afterwards', async () => {
    const first = await loadWebSecret(deps.store);
    expect(first.byteLength).toBe(32);
    expect(Buffer.from(await loadWebSecret(deps.store)).equals(Buffer.from(first))).toBe(true);
  });
});
