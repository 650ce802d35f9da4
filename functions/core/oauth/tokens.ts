import type { EndpointId } from '../../contracts/roles.js';
import { expiresAt } from '../../contracts/table.js';
import { apiKeyCodec, type StoredApiKey } from '../auth/api-keys.js';
import type { Deps } from '../context.js';
import { PreconditionFailedError, UnauthenticatedError } from '../errors.js';
import { currentMappedRoles } from '../identity/mappings.js';
import { keys } from '../keys.js';
import type { Principal } from '../principal.js';
import { updateRecord, type Codec } from '../versioned.js';
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
import { accessTokenCodec, codeCodec, grantCodec, refreshTokenCodec, type GrantRecord } from './records.js';

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
  const codes = codeCodec(sha256Hex(input.code));
  const stored = await deps.store.get(keys.oauthCode(sha256Hex(input.code)));
  const item = stored && codes.decode(stored);
  if (!item || item.validUntil <= deps.clock.now() || item.clientId !== client.clientId) {
    throw new OAuthError('invalid_grant', 'unknown, expired or used authorization code');
  }
  const grantId = item.grantId;
  const audit = { tenantId: item.tenantId, keyId: item.keyId, roles: item.roles, clientId: client.clientId, grantId, correlationId };
  // Spend the code first (a conditional write): whatever follows, it never works twice.
  try {
    await deps.store.put(codes.encode({ ...item, used: true }), { kind: 'equals', attributes: { used: false } });
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
  if (!PKCE_VERIFIER.test(input.codeVerifier) || !pkceMatches(input.codeVerifier, item.codeChallenge)) {
    return refuse('invalid_grant', 'code_verifier does not match the code_challenge');
  }
  const granted = item.resources;
  const resources = input.resources.length > 0 ? input.resources : granted;
  if (granted.length > 0 && resources.some((r) => !granted.includes(r))) return refuse('invalid_target', 'resource was not part of the authorization');
  const now = deps.clock.now();
  const grant: GrantRecord = {
    grantId,
    tenantId: item.tenantId,
    keyId: item.keyId,
    clientId: client.clientId,
    roles: item.roles,
    human: item.human,
    signer: item.signer,
    mappings: item.mappings,
    resources: [...resources],
    generation: 1,
    version: 1,
    createdAt: new Date(now).toISOString(),
    expiresAt: expiresAt(now, OAUTH_LIFETIMES.grantMs),
    revokedAt: null,
  };
  try {
    await deps.store.put(grantCodec.encode(grant), { kind: 'absent' });
  } catch (error) {
    // A concurrent second use of the code revoked the grant before it existed.
    if (error instanceof PreconditionFailedError) return refuse('invalid_grant', 'authorization code already used');
    throw error;
  }
  const tokens = await issueTokens(deps, grant, grant.roles, resources);
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
  const tokenHash = sha256Hex(input.refreshToken);
  const read = await readGrant(deps, grantId, keys.oauthRefreshToken(grantId, tokenHash), refreshTokenCodec(grantId, tokenHash));
  const { grant, token, apiKey } = read;
  const now = deps.clock.now();
  if (!grant || !token || grant.revokedAt !== null || grant.expiresAt * 1000 <= now || token.clientId !== client.clientId) {
    throw new OAuthError('invalid_grant', 'unknown, expired or revoked refresh token');
  }
  const audit = { tenantId: grant.tenantId, keyId: grant.keyId, roles: grant.roles, clientId: client.clientId, grantId, correlationId };
  const refuseAndRevoke = async (action: string, description: string): Promise<never> => {
    await revokeGrant(deps, grantId);
    await auditOAuth(deps, { ...audit, action, outcome: 'error', errorCode: 'invalid_grant' });
    throw new OAuthError('invalid_grant', description);
  };
  if (token.generation !== grant.generation) return refuseAndRevoke('oauth:refresh-reuse', 'refresh token already used; the grant is revoked');
  let grantedRoles = grant.roles;
  if (grant.signer === 'identity') {
    // An upstream signer's grant lives as long as the mappings it came from, and narrows with them.
    const current = await currentMappedRoles(deps, grant.tenantId, grant.mappings);
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
  const grantedResources = grant.resources;
  const resources = input.resources.length > 0 ? input.resources : grantedResources;
  if (grantedResources.length > 0 && resources.some((r) => !grantedResources.includes(r))) throw new OAuthError('invalid_target', 'resource was not part of the grant');
  // Rotate: bump the generation, only while the grant is still the one this token belongs to.
  const rotated = await updateRecord(deps.store, keys.oauthGrant(grantId), grantCodec, (current) =>
    current.generation !== token.generation || current.revokedAt !== null ? undefined : { ...current, generation: current.generation + 1, expiresAt: expiresAt(now, OAUTH_LIFETIMES.grantMs) },
  );
  // Another refresh with the same token won the race: that is reuse.
  if (!rotated?.changed) return refuseAndRevoke('oauth:refresh-reuse', 'refresh token already used; the grant is revoked');
  const tokens = await issueTokens(deps, rotated.record, roles, resources);
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
  const { grant, token } = access
    ? await readGrant(deps, grantId, keys.oauthAccessToken(grantId, hash), accessTokenCodec(grantId, hash))
    : await readGrant(deps, grantId, keys.oauthRefreshToken(grantId, hash), refreshTokenCodec(grantId, hash));
  if (!grant || !token || grant.clientId !== client.clientId) return;
  await revokeGrant(deps, grantId);
  await auditOAuth(deps, { tenantId: grant.tenantId, keyId: grant.keyId, roles: grant.roles, clientId: client.clientId, grantId, correlationId, action: 'oauth:revoke', outcome: 'ok' });
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
  const hash = sha256Hex(presented);
  const { grant, token, apiKey } = await readGrant(deps, grantId, keys.oauthAccessToken(grantId, hash), accessTokenCodec(grantId, hash));
  if (!token || token.validUntil <= deps.clock.now()) throw new UnauthenticatedError('invalid or expired access token');
  if (!grant || grant.revokedAt !== null) throw new UnauthenticatedError('the access token was revoked');
  let roles = token.roles;
  let human = grant.human;
  if (grant.signer === 'identity') {
    const current = await currentMappedRoles(deps, grant.tenantId, grant.mappings);
    roles = roles.filter((r) => current?.roles.includes(r));
    if (!current || roles.length === 0) throw new UnauthenticatedError('the identity mapping that approved this access was removed');
    human = human && current.human;
  } else if (!apiKey || apiKey.revokedAt !== undefined) throw new UnauthenticatedError('the key that approved this access was revoked');
  return { tenantId: grant.tenantId, keyId: grant.keyId, roles, human, audience: token.resources, grantId };
}

/** Marks a grant revoked; a grant not written yet is created revoked (so a racing code exchange cannot open it). */
export async function revokeGrant(deps: Deps, grantId: string): Promise<void> {
  const now = new Date(deps.clock.now()).toISOString();
  const stub: GrantRecord = {
    grantId,
    tenantId: '',
    keyId: '',
    clientId: '',
    roles: [],
    human: false,
    signer: null,
    mappings: [],
    resources: [],
    generation: 0,
    version: 0,
    createdAt: null,
    expiresAt: expiresAt(deps.clock.now(), OAUTH_LIFETIMES.grantMs),
    revokedAt: null,
  };
  await updateRecord(deps.store, keys.oauthGrant(grantId), grantCodec, (grant) => (grant.revokedAt !== null ? undefined : { ...grant, revokedAt: now }), {
    attempts: 3,
    what: `grant ${grantId}`,
    create: () => stub,
  });
}

async function readGrant<T>(
  deps: Deps,
  grantId: string,
  tokenKey: { pk: string; sk: string },
  tokenCodec: Codec<T>,
): Promise<{ grant?: GrantRecord; token?: T; apiKey?: StoredApiKey }> {
  const grantKey = keys.oauthGrant(grantId);
  const apiKeyKey = keys.apiKey(grantKeyId(grantId));
  const items = await deps.store.getMany([grantKey, tokenKey, apiKeyKey]);
  const find = (k: { pk: string; sk: string }) => items.find((i) => i.pk === k.pk && i.sk === k.sk);
  const grant = find(grantKey);
  const token = find(tokenKey);
  const apiKey = find(apiKeyKey);
  return { ...(grant ? { grant: grantCodec.decode(grant) } : {}), ...(token ? { token: tokenCodec.decode(token) } : {}), ...(apiKey ? { apiKey: apiKeyCodec.decode(apiKey) } : {}) };
}

async function issueTokens(deps: Deps, grant: GrantRecord, roles: readonly EndpointId[], resources: readonly string[]): Promise<TokenResponse> {
  const grantId = grant.grantId;
  const access = newAccessToken(grantId);
  const refresh = newRefreshToken(grantId);
  const now = deps.clock.now();
  await deps.store.putMany([
    accessTokenCodec(grantId, sha256Hex(access)).encode({
      roles: [...roles],
      resources: [...resources],
      validUntil: now + OAUTH_LIFETIMES.accessTokenMs,
      expiresAt: expiresAt(now, OAUTH_LIFETIMES.accessTokenMs),
    }),
    refreshTokenCodec(grantId, sha256Hex(refresh)).encode({ clientId: grant.clientId, generation: grant.generation, expiresAt: grant.expiresAt }),
  ]);
  return { access_token: access, token_type: 'Bearer', expires_in: OAUTH_LIFETIMES.accessTokenMs / 1000, refresh_token: refresh, scope: roles.join(' ') };
}
