import { randomBytes } from 'node:crypto';
import { expiresAt } from '../contracts/table.js';
import type { Deps } from '../core/context.js';
import { PreconditionFailedError } from '../core/errors.js';
import { resolveUpstreamIdentity, upstreamSignerId } from '../core/identity/mappings.js';
import { keys } from '../core/keys.js';
import { approveAuthorization, checkAuthorizationRequest, denyAuthorization, type AuthorizationRequest, type OAuthContext } from '../core/oauth/authorization.js';
import { OAuthError, sha256Hex } from '../core/oauth/model.js';
import type { Principal } from '../core/principal.js';
import { IdentityProviderError, type IdentityProvider } from '../ports/identity-provider.js';
import type { Item } from '../ports/store.js';
import { CSRF_COOKIE, issueCsrfToken, readCookie, verifyCsrfToken } from '../web/csrf.js';
import { errorPage, html, htmlPage, readForm } from '../web/html.js';

/**
 * "Sign in with <provider>" on the consent page: the upstream OpenID Connect
 * sign-in (functions/ports/identity-provider.ts) that stands beside the
 * API-key sign-in.
 *
 * 1. The consent form's "Sign in with …" button POSTs (CSRF-checked) to
 *    `/oauth/authorize`; `startUpstreamSignIn` keeps the authorization
 *    request, the PKCE verifier, the nonce and the CSRF binding under the
 *    SHA-256 of a fresh `state` (ten minutes, single use), sets a
 *    browser-binding cookie, and redirects to the provider.
 * 2. The provider sends the browser to `GET /oauth/callback`: the state is
 *    spent (a replay is refused), the browser cookie must match, the adapter
 *    verifies the ID token, and the person's mapping gives the tenant and
 *    roles (unmapped: a clear refusal). The consent screen shows who signed
 *    in and what they may grant.
 * 3. Approve/Deny POSTs (CSRF-checked) to `/oauth/callback`; approval issues
 *    the code exactly as the API-key sign-in does, with the mapped tenant,
 *    at most the mapped roles, and the mappings the grant depends on.
 *
 * No JavaScript; every redirect goes to the provider's authorization
 * endpoint or to the client's registered redirect URI.
 */
export const CALLBACK_PATH = '/oauth/callback';
const PURPOSE = 'oauth-consent-upstream';
/** The browser-binding cookie: SameSite=Lax because the provider's redirect back is a cross-site top-level GET (Strict cookies are not sent on it). */
const BROWSER_COOKIE = 'conclave_oidc';
const SIGN_IN_MS = 10 * 60_000;

export interface UpstreamSignIn {
  readonly provider: IdentityProvider;
  /** The CSRF secret of the human pages. */
  readonly secret: () => Promise<Uint8Array>;
}

/** Step 1: the consent form asked to sign in upstream (its CSRF token and the request are already checked). */
export async function startUpstreamSignIn(deps: Deps, ctx: OAuthContext, upstream: UpstreamSignIn, params: URLSearchParams, binding: string): Promise<Response> {
  let begun;
  try {
    begun = await upstream.provider.begin(`${ctx.issuer}${CALLBACK_PATH}`);
  } catch (error) {
    if (error instanceof IdentityProviderError) return errorPage(502, 'Cannot sign in', `${upstream.provider.name} cannot be reached right now (${error.message}). Try again, or sign in with a Conclave API key.`);
    throw error;
  }
  const browser = randomBytes(24).toString('base64url');
  const now = deps.clock.now();
  await deps.store.put(
    {
      ...keys.upstreamLogin(sha256Hex(begun.state)),
      type: 'oidc-login',
      params: params.toString(),
      nonce: begun.nonce,
      codeVerifier: begun.codeVerifier,
      csrfBinding: binding,
      browserHash: sha256Hex(browser),
      used: false,
      validUntil: now + SIGN_IN_MS,
      expiresAt: expiresAt(now, SIGN_IN_MS),
    },
    { kind: 'absent' },
  );
  const secure = ctx.issuer.startsWith('https://');
  const cookie = [`${BROWSER_COOKIE}=${browser}`, `Path=${CALLBACK_PATH}`, `Max-Age=${SIGN_IN_MS / 1000}`, 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])].join('; ');
  return new Response(null, { status: 303, headers: { location: begun.url, 'set-cookie': cookie, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } });
}

/** Steps 2 and 3: `GET /oauth/callback` (back from the provider) and `POST /oauth/callback` (approve or deny). */
export async function handleUpstreamCallback(deps: Deps, ctx: OAuthContext, upstream: UpstreamSignIn, request: Request, correlationId: string): Promise<Response> {
  if (request.method === 'GET') return callback(deps, ctx, upstream, request, correlationId);
  if (request.method === 'POST') return answer(deps, ctx, upstream, request, correlationId);
  return new Response(null, { status: 405, headers: { allow: 'GET, POST' } });
}

async function callback(deps: Deps, ctx: OAuthContext, upstream: UpstreamSignIn, request: Request, correlationId: string): Promise<Response> {
  const query = new URL(request.url).searchParams;
  const refuse = (status: number, message: string) => {
    deps.log.info('upstream sign-in refused', { reason: message.slice(0, 200), correlation_id: correlationId });
    return withClearedCookie(errorPage(status, 'Cannot sign in', message), ctx);
  };
  const state = query.get('state');
  if (!state || state.length > 512) return refuse(400, 'The sign-in response has no state. Go back to the application and start again.');
  const loginKey = keys.upstreamLogin(sha256Hex(state));
  const login = await deps.store.get(loginKey);
  const now = deps.clock.now();
  if (!login || login.used !== false || Number(login.validUntil) <= now) return refuse(400, 'This sign-in has expired or was already used. Go back to the application and start again.');
  const browser = readCookie(request, BROWSER_COOKIE);
  if (!browser || sha256Hex(browser) !== login.browserHash) return refuse(403, 'This sign-in did not start in this browser. Go back to the application and start again.');
  try {
    // Spend the state first: whatever follows, a replay of this callback finds it used.
    await deps.store.put({ ...login, used: true }, { kind: 'equals', attributes: { used: false } });
  } catch (error) {
    if (error instanceof PreconditionFailedError) return refuse(400, 'This sign-in has expired or was already used. Go back to the application and start again.');
    throw error;
  }
  const params = new URLSearchParams(String(login.params));
  const check = await checkAuthorizationRequest(deps, ctx, params);
  if (check.kind === 'page-error') return refuse(check.status, check.message);
  if (check.kind === 'redirect-error') return withClearedCookie(redirect(check.location), ctx);

  let person;
  try {
    // The URL the provider sent the browser to, rebuilt on the configured base URL (never the Host header).
    const callbackUrl = new URL(`${ctx.issuer}${CALLBACK_PATH}?${query.toString()}`);
    person = await upstream.provider.finish(callbackUrl, { state, nonce: String(login.nonce), codeVerifier: String(login.codeVerifier) });
  } catch (error) {
    if (error instanceof IdentityProviderError) return refuse(401, `${upstream.provider.name} sign-in could not be verified: ${error.message}.`);
    throw error;
  }
  const mapped = await resolveUpstreamIdentity(deps, { subject: person.subject, ...(person.email ? { email: person.email } : {}), emailVerified: person.emailVerified, groups: person.groups });
  if (!mapped.ok) return refuse(403, mapped.reason);

  const token = randomBytes(32).toString('base64url');
  const binding = String(login.csrfBinding);
  await deps.store.put(
    {
      ...keys.upstreamSignIn(sha256Hex(token)),
      type: 'oidc-signin',
      params: params.toString(),
      csrfBinding: binding,
      signerId: upstreamSignerId(person.issuer, person.subject),
      displayName: (person.email ?? person.subject).slice(0, 256),
      tenantId: mapped.identity.tenantId,
      roles: [...mapped.identity.roles],
      human: mapped.identity.human,
      mappings: [...mapped.identity.mappings],
      used: false,
      validUntil: now + SIGN_IN_MS,
      expiresAt: expiresAt(now, SIGN_IN_MS),
    },
    { kind: 'absent' },
  );
  const csrf = issueCsrfToken({ secret: await upstream.secret(), purpose: PURPOSE, binding, now });
  return withClearedCookie(signedInPage(check.request, upstream.provider.name, signInFromItem(token, { displayName: person.email ?? person.subject, tenantId: mapped.identity.tenantId, roles: mapped.identity.roles }), csrf, {}), ctx);
}

async function answer(deps: Deps, ctx: OAuthContext, upstream: UpstreamSignIn, request: Request, correlationId: string): Promise<Response> {
  const form = await readForm(request);
  if (!form) return errorPage(400, 'Cannot sign in', 'The form could not be read (expected a form post of at most 16 KiB).');
  const binding = readCookie(request, CSRF_COOKIE);
  const now = deps.clock.now();
  const secret = await upstream.secret();
  if (!binding || !verifyCsrfToken({ secret, purpose: PURPOSE, binding, now }, form.get('csrf'))) {
    deps.log.info('oauth consent refused: bad CSRF token', { correlation_id: correlationId, via: 'upstream' });
    return errorPage(403, 'Cannot sign in', 'invalid_request: this form has expired or did not come from this sign-in page (CSRF check failed). Go back to the application and start again.');
  }
  const token = form.get('signin') ?? '';
  const key = keys.upstreamSignIn(sha256Hex(token));
  const item = token.length === 43 ? await deps.store.get(key) : undefined;
  if (!item || item.used !== false || Number(item.validUntil) <= now || item.csrfBinding !== binding) {
    return errorPage(400, 'Cannot sign in', 'This sign-in has expired or was already used. Go back to the application and start again.');
  }
  const check = await checkAuthorizationRequest(deps, ctx, new URLSearchParams(String(item.params)));
  if (check.kind === 'page-error') return errorPage(check.status, 'Cannot sign in', check.message);
  if (check.kind === 'redirect-error') return redirect(check.location);
  const decision = form.get('decision');
  if (decision !== 'approve' && decision !== 'deny') {
    return signedInPage(check.request, upstream.provider.name, signInFromItem(token, item), issueCsrfToken({ secret, purpose: PURPOSE, binding, now }), { status: 400, error: 'Choose Approve or Deny.' });
  }
  try {
    await deps.store.put({ ...item, used: true }, { kind: 'equals', attributes: { used: false } });
  } catch (error) {
    if (error instanceof PreconditionFailedError) return errorPage(400, 'Cannot sign in', 'This sign-in has expired or was already used. Go back to the application and start again.');
    throw error;
  }
  const signer: Principal = { tenantId: String(item.tenantId), keyId: String(item.signerId), roles: item.roles as Principal['roles'], human: item.human === true };
  if (decision === 'deny') return redirect(await denyAuthorization(deps, ctx, check.request, signer, correlationId));
  try {
    return redirect(await approveAuthorization(deps, ctx, check.request, signer, correlationId, { mappings: item.mappings as string[] }));
  } catch (error) {
    if (error instanceof OAuthError && error.code === 'access_denied') {
      return errorPage(403, 'Cannot sign in', `Your account cannot approve this request: ${error.description}. Go back to the application and start again.`);
    }
    throw error;
  }
}

interface SignedIn {
  readonly token: string;
  readonly displayName: string;
  readonly tenantId: string;
  readonly roles: readonly string[];
}

function signInFromItem(token: string, item: Item | { displayName: string; tenantId: string; roles: readonly string[] }): SignedIn {
  return { token, displayName: String(item.displayName), tenantId: String(item.tenantId), roles: item.roles as string[] };
}

/** The consent screen after the provider's sign-in: who signed in, the tenant and roles, Approve or Deny. */
function signedInPage(request: AuthorizationRequest, providerName: string, signedIn: SignedIn, csrf: string, options: { status?: number; error?: string }): Response {
  const client = request.client;
  const redirectTo = new URL(request.redirectUri);
  const name = client.clientName || (client.kind === 'metadata-document' ? new URL(client.clientId).host : 'An application');
  const granted = request.roles.filter((r) => signedIn.roles.includes(r));
  const body = html`<h1>Allow ${name} to use Conclave?</h1>
<p>Signed in with ${providerName} as <strong>${signedIn.displayName}</strong>, tenant <strong>${signedIn.tenantId}</strong>.</p>
<p><strong>${name}</strong> ${client.kind === 'registered' ? html`(a self-registered application: its name is not verified)` : html`(published at <code>${client.clientId}</code>)`} asks to act for you as:</p>
<ul>${request.roles.map((role) => html`<li><strong>${role}</strong>${granted.includes(role) ? '' : html` — not yours to grant, left out`}</li>`)}</ul>
${request.resources.length > 0 ? html`<p>on ${request.resources.map((r, i) => html`${i > 0 ? ', ' : ''}<code>${r}</code>`)}.</p>` : ''}
<p>Afterwards you return to <code>${redirectTo.origin}${redirectTo.pathname}</code>.</p>
${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ''}
<form method="post" action="${CALLBACK_PATH}">
<input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="signin" value="${signedIn.token}">
<p class="hint">You grant at most the roles mapped to your account. The access ends when an administrator removes that mapping (npm run identities -- remove).</p>
<div class="actions">
<button type="submit" name="decision" value="approve" class="primary">Approve</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</div>
</form>`;
  return htmlPage({ title: `Sign in to Conclave — ${name}`, body, status: options.status ?? 200, formTargets: [redirectTo.origin] });
}

function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } });
}

function withClearedCookie(response: Response, ctx: OAuthContext): Response {
  const secure = ctx.issuer.startsWith('https://');
  response.headers.append('set-cookie', [`${BROWSER_COOKIE}=`, `Path=${CALLBACK_PATH}`, 'Max-Age=0', 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])].join('; '));
  return response;
}
