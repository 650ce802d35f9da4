import { authenticate as authenticateApiKey } from '../core/auth/api-keys.js';
import type { Deps } from '../core/context.js';
import { approveAuthorization, checkAuthorizationRequest, denyAuthorization, type AuthorizationRequest, type OAuthContext } from '../core/oauth/authorization.js';
import { OAuthError } from '../core/oauth/model.js';
import type { Principal } from '../core/principal.js';
import { bindingCookie, issueCsrfToken, newCsrfBinding, readCookie, verifyCsrfToken, CSRF_COOKIE } from '../web/csrf.js';
import { errorPage, html, htmlPage, readForm } from '../web/html.js';
import { signInFields, signInHuman } from '../web/human-signin.js';
import { cachedWebSecret } from '../web/secret.js';
import { startUpstreamSignIn, type UpstreamSignIn } from './oauth-upstream.js';

/**
 * The consent page at `/oauth/authorize`: GET shows who asks for which roles
 * and the human sign-in (functions/web); POST checks the CSRF token, signs
 * the person in with their API key, and answers the client: a code on
 * approval, `access_denied` on denial. It never redirects anywhere but a
 * redirect URI registered by the client, and works without JavaScript.
 */
const PURPOSE = 'oauth-consent';
const CARRIED = ['client_id', 'redirect_uri', 'response_type', 'state', 'code_challenge', 'code_challenge_method', 'scope'] as const;
const secrets = new WeakMap<Deps, () => Promise<Uint8Array>>();

export async function handleConsent(deps: Deps, ctx: OAuthContext, request: Request, correlationId: string, upstream?: UpstreamSignIn): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'POST') return new Response(null, { status: 405, headers: { allow: 'GET, POST' } });
  const secret = await consentSecret(deps);
  // "Sign in with <provider>" when an upstream identity provider is configured (./oauth-upstream.ts).
  const provider = upstream ? { name: upstream.provider.name, origin: await upstream.provider.authorizationOrigin() } : undefined;
  const secure = ctx.issuer.startsWith('https://');
  const now = deps.clock.now();

  if (request.method === 'GET') {
    const params = new URL(request.url).searchParams;
    const check = await checkAuthorizationRequest(deps, ctx, params);
    if (check.kind === 'page-error') return errorPage(check.status, 'Cannot sign in', check.message);
    if (check.kind === 'redirect-error') return redirect(check.location);
    const existing = readCookie(request, CSRF_COOKIE);
    const binding = existing ?? newCsrfBinding();
    const token = issueCsrfToken({ secret, purpose: PURPOSE, binding, now });
    return consentPage(check.request, token, {
      ...(existing ? {} : { cookie: bindingCookie(binding, { secure, path: '/oauth/' }) }),
      ...(provider ? { provider } : {}),
    });
  }

  const form = await readForm(request);
  if (!form) return errorPage(400, 'Cannot sign in', 'The form could not be read (expected a form post of at most 16 KiB).');
  const binding = readCookie(request, CSRF_COOKIE);
  if (!binding || !verifyCsrfToken({ secret, purpose: PURPOSE, binding, now }, form.get('csrf'))) {
    deps.log.info('oauth consent refused: bad CSRF token', { correlation_id: correlationId });
    return errorPage(403, 'Cannot sign in', 'invalid_request: this form has expired or did not come from this sign-in page (CSRF check failed). Go back to the application and start again.');
  }
  const params = new URLSearchParams();
  for (const name of CARRIED) for (const value of form.getAll(name)) params.append(name, value);
  for (const value of form.getAll('resource')) params.append('resource', value);
  const check = await checkAuthorizationRequest(deps, ctx, params);
  if (check.kind === 'page-error') return errorPage(check.status, 'Cannot sign in', check.message);
  if (check.kind === 'redirect-error') return redirect(check.location);
  const authRequest = check.request;
  const again = (status: number, error: string) => consentPage(authRequest, issueCsrfToken({ secret, purpose: PURPOSE, binding, now }), { status, error, ...(provider ? { provider } : {}) });

  if (form.get('decision') === 'upstream' && upstream) return startUpstreamSignIn(deps, ctx, upstream, params, binding);
  if (form.get('decision') === 'deny') return redirect(await denyAuthorization(deps, ctx, authRequest, undefined, correlationId));
  if (form.get('decision') !== 'approve') return again(400, 'Choose Approve or Deny.');
  const signIn = await signInHuman((key) => authenticateApiKey(deps, key), form.get('api_key'));
  if (!signIn.ok) return again(401, signIn.message);
  const signer: Principal = { tenantId: signIn.person.tenantId, keyId: signIn.person.keyId, roles: signIn.person.roles, human: true };
  try {
    return redirect(await approveAuthorization(deps, ctx, authRequest, signer, correlationId));
  } catch (error) {
    if (error instanceof OAuthError && error.code === 'access_denied') return again(403, `This key cannot approve this request: ${error.description}.`);
    throw error;
  }
}

/** The human pages' CSRF secret, loaded once per Deps. */
export function consentSecret(deps: Deps): Promise<Uint8Array> {
  let load = secrets.get(deps);
  if (!load) {
    load = cachedWebSecret(deps.store);
    secrets.set(deps, load);
  }
  return load();
}

/** 303 after a POST (and a GET): the browser follows with a GET to the client's registered redirect URI. */
function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } });
}

function consentPage(request: AuthorizationRequest, csrfToken: string, options: { status?: number; error?: string; cookie?: string; provider?: { name: string; origin: string | undefined } }): Response {
  const client = request.client;
  const redirectTo = new URL(request.redirectUri);
  const name = client.clientName || (client.kind === 'metadata-document' ? new URL(client.clientId).host : 'An application');
  const hidden = [
    ['client_id', client.clientId],
    ['redirect_uri', request.redirectUri],
    ['response_type', 'code'],
    ['code_challenge', request.codeChallenge],
    ['code_challenge_method', 'S256'],
    ['scope', request.roles.join(' ')],
    ...(request.state !== undefined ? [['state', request.state]] : []),
    ...request.resources.map((r) => ['resource', r]),
  ].map(([field, value]) => html`<input type="hidden" name="${field ?? ''}" value="${value ?? ''}">`);
  const body = html`<h1>Allow ${name} to use Conclave?</h1>
<p><strong>${name}</strong> ${client.kind === 'registered' ? html`(a self-registered application: its name is not verified)` : html`(published at <code>${client.clientId}</code>)`} asks to act for you as:</p>
<ul>${request.roles.map((role) => html`<li><strong>${role}</strong></li>`)}</ul>
${request.resources.length > 0 ? html`<p>on ${request.resources.map((r, i) => html`${i > 0 ? ', ' : ''}<code>${r}</code>`)}.</p>` : ''}
<p>Afterwards you return to <code>${redirectTo.origin}${redirectTo.pathname}</code>.</p>
<form method="post" action="/oauth/authorize">
<input type="hidden" name="csrf" value="${csrfToken}">
${hidden}
${signInFields(options.error ? { error: options.error } : {})}
<p class="hint">You grant at most the roles your key holds. Access tokens last an hour and renew until you revoke the access or the key.</p>
<div class="actions">
<button type="submit" name="decision" value="approve" class="primary">Approve</button>
<button type="submit" name="decision" value="deny" class="secondary" formnovalidate>Deny</button>
</div>
${options.provider ? html`<p>Or sign in with your organization's account:</p>
<div class="actions"><button type="submit" name="decision" value="upstream" class="secondary" formnovalidate>Sign in with ${options.provider.name}</button></div>` : ''}
</form>`;
  return htmlPage({
    title: `Sign in to Conclave — ${name}`,
    body,
    status: options.status ?? 200,
    formTargets: [redirectTo.origin, ...(options.provider?.origin ? [options.provider.origin] : [])],
    ...(options.cookie ? { headers: { 'set-cookie': options.cookie } } : {}),
  });
}
