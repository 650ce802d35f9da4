import type { EndpointId } from '../../contracts/roles.js';
import { expiresAt } from '../../contracts/table.js';
import type { Item } from '../../ports/store.js';
import type { Deps } from '../context.js';
import { PreconditionFailedError, UnauthenticatedError } from '../errors.js';
import { currentMappedRoles } from '../identity/mappings.js';
import { keys } from '../keys.js';
import type { Principal } from '../principal.js';
import type { OAuthContext } from './authorization.js';
import { resolveClient, touchClient } from './clients.js';
import {
  OAUTH_LIFETIMES,
  OAuthError,
  PKCE_VERIFIER,
  accessTokenGrant,
  auditOAuth,
  grantKeyId,
  isCode,
  newAccessToken,
  newRefreshToken,
  parseScope,
  pkceMatches,
  refreshTokenGrant,
  sha256Hex,
} from './model.js';

/**
 * The token endpoint's grants (authorization_code with PKCE, refresh_token
 * with rotation and reuse detection), revocation (RFC 7009), and the
 * resolution of an access token to its principal.
 *
 * A grant is one approval: its tenant, signer key, client, roles and
 * resources. It holds a `generation` that every refresh bumps; a refresh
 * token carries the generation it was issued at, so presenting an older one
 * is reuse, and reuse revokes the whole grant (OAuth 2.1 §4.3.1). A grant
 * dies with its signer's API key: every token use reads the key too.
 */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly refresh_token: string;
  readonly scope: string;
}

export interface CodeExchange {
  readonly clientId: string | null;
  readonly code: string | null;
  readonly codeVerifier: string | null;
  readonly redirectUri: string | null;
  readonly resources: readonly string[];
}

/** authorization_code: checks the client, the code (single use), the redirect URI and the PKCE verifier, then opens the grant. */
export async function exchangeCode(deps: Deps, ctx: OAuthContext, input: CodeExchange, correlationId: string): Promise<TokenResponse> {
  const client = await resolveClient(deps, ctx.fetcher, ctx.limits, input.clientId);
  if (!input.code) throw new OAuthError('invalid_request', 'code is required');
  if (!input.codeVerifier) throw new OAuthError('invalid_request', 'code_verifier is required (PKCE)');
  if (!input.redirectUri) throw new OAuthError('invalid_request', 'redirect_uri is required');
  if (!isCode(input.code)) throw new OAuthError('invalid_grant', 'unknown, expired or used authorization code');
  const key = keys.oauthCode(sha256Hex(input.code));
  const item = await deps.store.get(key);
  if (!item || Number(item.validUntil) <= deps.clock.now() || item.clientId !== client.clientId) {
    throw new OAuthError('invalid_grant', 'unknown, expired or used authorization code');
  }
  const grantId = String(item.grantId);
  const audit = { tenantId: String(item.tenantId), keyId: String(item.keyId), roles: item.roles as EndpointId[], clientId: client.clientId, grantId, correlationId };
  // Spend the code first (a conditional write): whatever follows, it never works twice.
  try {
    await deps.store.put({ ...item, used: true }, { kind: 'equals', attributes: { used: false } });
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    await revokeGrant(deps, grantId);
    await auditOAuth(deps, { ...audit, action: 'oauth:code-reuse', outcome: 'error', errorCode: 'invalid_grant' });
    throw new OAuthError('invalid_grant', 'authorization code already used; the tokens issued for it are revoked');
  }
  const refuse = async (code: string, description: string): Promise<never> => {
    await auditOAuth(deps, { ...audit, action: 'oauth:token', outcome: 'error', errorCode: code });
    throw new OAuthError(code, description);
  };
  if (item.redirectUri !== input.redirectUri) return refuse('invalid_grant', 'redirect_uri differs from the authorization request');
  if (!PKCE_VERIFIER.test(input.codeVerifier) || !pkceMatches(input.codeVerifier, String(item.codeChallenge))) {
    return refuse('invalid_grant', 'code_verifier does not match the code_challenge');
  }
  const granted = item.resources as string[];
  const resources = input.resources.length > 0 ? input.resources : granted;
  if (granted.length > 0 && resources.some((r) => !granted.includes(r))) return refuse('invalid_target', 'resource was not part of the authorization');
  const now = deps.clock.now();
  const grant: Item = {
    ...keys.oauthGrant(grantId),
    type: 'oauth-grant',
    grantId,
    tenantId: item.tenantId,
    keyId: item.keyId,
    clientId: client.clientId,
    roles: item.roles,
    human: item.human === true,
    ...(item.signer === 'identity' ? { signer: 'identity', mappings: item.mappings } : {}),
    resources,
    generation: 1,
    version: 1,
    createdAt: new Date(now).toISOString(),
    expiresAt: expiresAt(now, OAUTH_LIFETIMES.grantMs),
  };
  try {
    await deps.store.put(grant, { kind: 'absent' });
  } catch (error) {
    // A concurrent second use of the code revoked the grant before it existed.
    if (error instanceof PreconditionFailedError) return refuse('invalid_grant', 'authorization code already used');
    throw error;
  }
  const tokens = await issueTokens(deps, grant, grant.roles as EndpointId[], resources);
  await touchClient(deps, client);
  await auditOAuth(deps, { ...audit, action: 'oauth:grant', outcome: 'ok' });
  return tokens;
}

export interface RefreshRequest {
  readonly clientId: string | null;
  readonly refreshToken: string | null;
  readonly scope: string | null;
  readonly resources: readonly string[];
}

/** refresh_token: rotates the refresh token; a reused (older) one revokes the grant. Scope and resources may only narrow. */
export async function refreshGrant(deps: Deps, ctx: OAuthContext, input: RefreshRequest, correlationId: string): Promise<TokenResponse> {
  const client = await resolveClient(deps, ctx.fetcher, ctx.limits, input.clientId);
  if (!input.refreshToken) throw new OAuthError('invalid_request', 'refresh_token is required');
  const grantId = refreshTokenGrant(input.refreshToken);
  if (!grantId) throw new OAuthError('invalid_grant', 'unknown, expired or revoked refresh token');
  const read = await readGrant(deps, grantId, keys.oauthRefreshToken(grantId, sha256Hex(input.refreshToken)));
  const { grant, token, apiKey } = read;
  const now = deps.clock.now();
  if (!grant || !token || grant.revokedAt !== undefined || Number(grant.expiresAt) * 1000 <= now || token.clientId !== client.clientId) {
    throw new OAuthError('invalid_grant', 'unknown, expired or revoked refresh token');
  }
  const audit = { tenantId: String(grant.tenantId), keyId: String(grant.keyId), roles: grant.roles as EndpointId[], clientId: client.clientId, grantId, correlationId };
  const refuseAndRevoke = async (action: string, description: string): Promise<never> => {
    await revokeGrant(deps, grantId);
    await auditOAuth(deps, { ...audit, action, outcome: 'error', errorCode: 'invalid_grant' });
    throw new OAuthError('invalid_grant', description);
  };
  if (token.generation !== grant.generation) return refuseAndRevoke('oauth:refresh-reuse', 'refresh token already used; the grant is revoked');
  let grantedRoles = grant.roles as EndpointId[];
  if (grant.signer === 'identity') {
    // An upstream signer's grant lives as long as the mappings it came from, and narrows with them.
    const current = await currentMappedRoles(deps, String(grant.tenantId), grant.mappings as string[]);
    grantedRoles = grantedRoles.filter((r) => current?.roles.includes(r));
    if (!current || grantedRoles.length === 0) return refuseAndRevoke('oauth:refresh', 'the identity mapping that approved this grant was removed or no longer holds its roles');
  } else if (!apiKey || apiKey.revokedAt !== undefined) return refuseAndRevoke('oauth:refresh', 'the API key that approved this grant was revoked');
  let roles: EndpointId[] = grantedRoles;
  try {
    roles = parseScope(input.scope) ?? grantedRoles;
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    throw new OAuthError('invalid_scope', error.description);
  }
  if (roles.some((r) => !grantedRoles.includes(r))) throw new OAuthError('invalid_scope', 'a refresh may not widen the granted scope');
  const grantedResources = grant.resources as string[];
  const resources = input.resources.length > 0 ? input.resources : grantedResources;
  if (grantedResources.length > 0 && resources.some((r) => !grantedResources.includes(r))) throw new OAuthError('invalid_target', 'resource was not part of the grant');
  const next: Item = { ...grant, generation: Number(grant.generation) + 1, version: Number(grant.version) + 1, expiresAt: expiresAt(now, OAUTH_LIFETIMES.grantMs) };
  try {
    await deps.store.put(next, { kind: 'version', version: Number(grant.version) });
  } catch (error) {
    // Another refresh with the same token won the race: that is reuse.
    if (error instanceof PreconditionFailedError) return refuseAndRevoke('oauth:refresh-reuse', 'refresh token already used; the grant is revoked');
    throw error;
  }
  const tokens = await issueTokens(deps, next, roles, resources);
  await auditOAuth(deps, { ...audit, action: 'oauth:refresh', outcome: 'ok' });
  return tokens;
}

/**
 * RFC 7009: revokes the grant behind an access or refresh token presented by
 * its client. Unknown tokens and tokens of another client are ignored (the
 * endpoint answers 200 either way, so it reveals nothing).
 */
export async function revokeToken(deps: Deps, ctx: OAuthContext, input: { clientId: string | null; token: string | null }, correlationId: string): Promise<void> {
  const client = await resolveClient(deps, ctx.fetcher, ctx.limits, input.clientId);
  if (!input.token) throw new OAuthError('invalid_request', 'token is required');
  const access = accessTokenGrant(input.token);
  const grantId = access ?? refreshTokenGrant(input.token);
  if (!grantId) return;
  const hash = sha256Hex(input.token);
  const { grant, token } = await readGrant(deps, grantId, access ? keys.oauthAccessToken(grantId, hash) : keys.oauthRefreshToken(grantId, hash));
  if (!grant || !token || grant.clientId !== client.clientId) return;
  await revokeGrant(deps, grantId);
  await auditOAuth(deps, { tenantId: String(grant.tenantId), keyId: String(grant.keyId), roles: grant.roles as EndpointId[], clientId: client.clientId, grantId, correlationId, action: 'oauth:revoke', outcome: 'ok' });
}

/**
 * Resolves an access token to its principal: the grant's tenant, the token's
 * roles and resources, the human flag. One BatchGet reads the token, its
 * grant and the signer's API key; a revoked grant or key ends the token.
 * A grant approved through the upstream identity provider reads its
 * identity mappings instead: a removed mapping ends the token, a narrowed
 * one narrows it.
 */
export async function authenticateAccessToken(deps: Deps, presented: string): Promise<Principal> {
  const grantId = accessTokenGrant(presented);
  if (!grantId) throw new UnauthenticatedError('malformed access token');
  const { grant, token, apiKey } = await readGrant(deps, grantId, keys.oauthAccessToken(grantId, sha256Hex(presented)));
  if (!token || Number(token.validUntil) <= deps.clock.now()) throw new UnauthenticatedError('invalid or expired access token');
  if (!grant || grant.revokedAt !== undefined) throw new UnauthenticatedError('the access token was revoked');
  let roles = token.roles as EndpointId[];
  let human = grant.human === true;
  if (grant.signer === 'identity') {
    const current = await currentMappedRoles(deps, String(grant.tenantId), grant.mappings as string[]);
    roles = roles.filter((r) => current?.roles.includes(r));
    if (!current || roles.length === 0) throw new UnauthenticatedError('the identity mapping that approved this access was removed');
    human = human && current.human;
  } else if (!apiKey || apiKey.revokedAt !== undefined) throw new UnauthenticatedError('the key that approved this access was revoked');
  return {
    tenantId: String(grant.tenantId),
    keyId: String(grant.keyId),
    roles,
    human,
    audience: token.resources as string[],
    grantId,
  };
}

/** Marks a grant revoked; a grant not written yet is created revoked (so a racing code exchange cannot open it). */
export async function revokeGrant(deps: Deps, grantId: string): Promise<void> {
  const now = new Date(deps.clock.now()).toISOString();
  for (let attempt = 0; attempt < 3; attempt++) {
    const grant = await deps.store.get(keys.oauthGrant(grantId));
    try {
      if (!grant) {
        await deps.store.put({ ...keys.oauthGrant(grantId), type: 'oauth-grant', grantId, revokedAt: now, version: 1, expiresAt: expiresAt(deps.clock.now(), OAUTH_LIFETIMES.grantMs) }, { kind: 'absent' });
        return;
      }
      if (grant.revokedAt !== undefined) return;
      await deps.store.put({ ...grant, revokedAt: now, version: Number(grant.version) + 1 }, { kind: 'version', version: Number(grant.version) });
      return;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }
  throw new Error(`could not revoke grant ${grantId} after 3 attempts`);
}

async function readGrant(deps: Deps, grantId: string, tokenKey: { pk: string; sk: string }): Promise<{ grant?: Item; token?: Item; apiKey?: Item }> {
  const grantKey = keys.oauthGrant(grantId);
  const apiKeyKey = keys.apiKey(grantKeyId(grantId));
  const items = await deps.store.getMany([grantKey, tokenKey, apiKeyKey]);
  const find = (k: { pk: string; sk: string }) => items.find((i) => i.pk === k.pk && i.sk === k.sk);
  const grant = find(grantKey);
  const token = find(tokenKey);
  const apiKey = find(apiKeyKey);
  return { ...(grant ? { grant } : {}), ...(token ? { token } : {}), ...(apiKey ? { apiKey } : {}) };
}

async function issueTokens(deps: Deps, grant: Item, roles: readonly EndpointId[], resources: readonly string[]): Promise<TokenResponse> {
  const grantId = String(grant.grantId);
  const access = newAccessToken(grantId);
  const refresh = newRefreshToken(grantId);
  const now = deps.clock.now();
  await deps.store.putMany([
    {
      ...keys.oauthAccessToken(grantId, sha256Hex(access)),
      type: 'oauth-access-token',
      roles: [...roles],
      resources: [...resources],
      validUntil: now + OAUTH_LIFETIMES.accessTokenMs,
      expiresAt: expiresAt(now, OAUTH_LIFETIMES.accessTokenMs),
    },
    {
      ...keys.oauthRefreshToken(grantId, sha256Hex(refresh)),
      type: 'oauth-refresh-token',
      clientId: grant.clientId,
      generation: grant.generation,
      expiresAt: grant.expiresAt,
    },
  ]);
  return { access_token: access, token_type: 'Bearer', expires_in: OAUTH_LIFETIMES.accessTokenMs / 1000, refresh_token: refresh, scope: roles.join(' ') };
}
