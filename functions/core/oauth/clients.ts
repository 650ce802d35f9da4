import { randomBytes } from 'node:crypto';
import { expiresAt } from '../../contracts/table.js';
import { ClientMetadataError, type ClientMetadataFetcher } from '../../ports/client-metadata.js';
import type { Deps } from '../context.js';
import { PreconditionFailedError } from '../errors.js';
import { keys } from '../keys.js';
import { OAUTH_LIFETIMES, OAuthError } from './model.js';
import { clientCodec, type ClientRecord } from './records.js';

/**
 * OAuth clients: registered through Dynamic Client Registration (RFC 7591),
 * or identified by the https URL of their Client ID Metadata Document. Every
 * client is public (PKCE, no secret: `token_endpoint_auth_method` is `none`).
 */
export interface OAuthClient {
  readonly clientId: string;
  readonly clientName: string;
  readonly redirectUris: readonly string[];
  /** `registered` (DCR) or `metadata-document` (CIMD). */
  readonly kind: 'registered' | 'metadata-document';
}

export interface ClientLimits {
  /** Registrations accepted per hour across the deployment (the DCR rate limit). */
  readonly registrationsPerHour: number;
  /** Allow http metadata-document URLs and redirect URIs on loopback hosts (local mode only; the deployed stack refuses it). */
  readonly allowLoopbackMetadata: boolean;
}

export const DEFAULT_CLIENT_LIMITS: ClientLimits = { registrationsPerHour: 200, allowLoopbackMetadata: false };

const MAX_REDIRECT_URIS = 5;
const MAX_URI_LENGTH = 512;
const MAX_NAME_LENGTH = 200;
const CLIENT_ID = /^ccl_[A-Za-z0-9_-]{22}$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True for a loopback host name as it appears in a URL. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname);
}

/**
 * Checks a redirect URI: absolute, https (or http on a loopback host, for
 * native apps per RFC 8252), no fragment, no credentials, bounded length.
 * `javascript:`, `data:` and every other scheme are refused.
 */
export function checkRedirectUri(uri: unknown): string {
  if (typeof uri !== 'string' || uri.length === 0 || uri.length > MAX_URI_LENGTH) {
    throw new OAuthError('invalid_redirect_uri', `each redirect URI must be a string of 1-${MAX_URI_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new OAuthError('invalid_redirect_uri', `redirect URI ${uri.slice(0, 100)} is not an absolute URL`);
  }
  const loopbackHttp = url.protocol === 'http:' && isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) {
    throw new OAuthError('invalid_redirect_uri', `redirect URI scheme ${url.protocol} is not allowed: use https, or http on a loopback host`);
  }
  if (url.hash || uri.includes('#')) throw new OAuthError('invalid_redirect_uri', 'a redirect URI must not have a fragment');
  if (url.username || url.password) throw new OAuthError('invalid_redirect_uri', 'a redirect URI must not carry credentials');
  return uri;
}

function checkName(name: unknown): string {
  if (name === undefined) return '';
  if (typeof name !== 'string' || name.length > MAX_NAME_LENGTH) throw new OAuthError('invalid_client_metadata', `client_name must be a string of at most ${MAX_NAME_LENGTH} characters`);
  return name;
}

function checkGrantTypes(metadata: Record<string, unknown>): void {
  const grants = metadata.grant_types;
  if (grants !== undefined && (!Array.isArray(grants) || grants.some((g) => g !== 'authorization_code' && g !== 'refresh_token'))) {
    throw new OAuthError('invalid_client_metadata', 'grant_types may only hold authorization_code and refresh_token');
  }
  const responses = metadata.response_types;
  if (responses !== undefined && (!Array.isArray(responses) || responses.some((r) => r !== 'code'))) {
    throw new OAuthError('invalid_client_metadata', 'response_types may only hold code');
  }
}

function checkRedirectUris(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_REDIRECT_URIS) {
    throw new OAuthError('invalid_redirect_uri', `redirect_uris must list 1-${MAX_REDIRECT_URIS} URIs`);
  }
  return [...new Set(value.map(checkRedirectUri))];
}

/** The registration response (RFC 7591 §3.2.1). */
export interface RegistrationResponse {
  readonly client_id: string;
  readonly client_id_issued_at: number;
  readonly client_name?: string;
  readonly redirect_uris: readonly string[];
  readonly grant_types: readonly string[];
  readonly response_types: readonly string[];
  readonly token_endpoint_auth_method: 'none';
}

/**
 * Dynamic Client Registration: validates the metadata, applies the hourly
 * rate limit, and stores a public client that expires unless it obtains a
 * token within a day (OAUTH_LIFETIMES). A secret-based auth method asked for
 * is answered with `none` (RFC 7591 lets the server choose).
 */
export async function registerClient(deps: Deps, limits: ClientLimits, metadata: unknown): Promise<RegistrationResponse> {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw new OAuthError('invalid_client_metadata', 'the registration body must be a JSON object');
  const body = metadata as Record<string, unknown>;
  const redirectUris = checkRedirectUris(body.redirect_uris);
  const clientName = checkName(body.client_name);
  checkGrantTypes(body);
  const now = deps.clock.now();
  const window = new Date(now).toISOString().slice(0, 13);
  try {
    await deps.store.increment({
      key: keys.oauthRegistrations(window),
      add: { count: 1 },
      set: { expiresAt: expiresAt(now, 2 * 60 * 60_000) },
      ceilings: { count: limits.registrationsPerHour },
    });
  } catch (error) {
    if (error instanceof PreconditionFailedError) throw new OAuthError('temporarily_unavailable', 'too many client registrations this hour; try again later', 429);
    throw error;
  }
  const clientId = `ccl_${randomBytes(16).toString('base64url')}`;
  await deps.store.put(
    clientCodec.encode({ clientId, clientName: clientName ?? '', redirectUris, createdAt: new Date(now).toISOString(), expiresAt: expiresAt(now, OAUTH_LIFETIMES.unusedClientMs) }),
    { kind: 'absent' },
  );
  return {
    client_id: clientId,
    client_id_issued_at: Math.floor(now / 1000),
    ...(clientName ? { client_name: clientName } : {}),
    redirect_uris: redirectUris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
}

/** True when a client id is a metadata-document URL (an https URL, or loopback http when allowed). */
export function isMetadataDocumentId(clientId: string, limits: ClientLimits): boolean {
  if (clientId.startsWith('https://')) return true;
  if (!limits.allowLoopbackMetadata || !clientId.startsWith('http://')) return false;
  try {
    return isLoopbackHost(new URL(clientId).hostname);
  } catch {
    return false;
  }
}

/**
 * Finds a client by id: a registered client from the table (unexpired), or
 * a metadata document fetched through the port and validated (its
 * `client_id` must equal its URL). Throws `invalid_client` (401) when there
 * is no such client, so that a client whose registration expired registers again.
 */
export async function resolveClient(deps: Deps, fetcher: ClientMetadataFetcher, limits: ClientLimits, clientId: string | null | undefined): Promise<OAuthClient> {
  if (!clientId || clientId.length > 2048) throw new OAuthError('invalid_client', 'missing or malformed client_id', 401);
  if (isMetadataDocumentId(clientId, limits)) return metadataDocumentClient(fetcher, clientId);
  if (!CLIENT_ID.test(clientId)) throw new OAuthError('invalid_client', 'unknown client_id: register again', 401);
  const item = await deps.store.get(keys.oauthClient(clientId));
  const stored = item && clientCodec.decode(item);
  if (!stored || expired(stored, deps.clock.now())) throw new OAuthError('invalid_client', 'unknown or expired client_id: register again', 401);
  return { clientId, clientName: stored.clientName, redirectUris: stored.redirectUris, kind: 'registered' };
}

/** Extends a registered client's life after it obtained tokens (best effort: a failure only shortens its life). */
export async function touchClient(deps: Deps, client: OAuthClient): Promise<void> {
  if (client.kind !== 'registered') return;
  const item = await deps.store.get(keys.oauthClient(client.clientId));
  if (!item) return;
  const stored = clientCodec.decode(item);
  const next = expiresAt(deps.clock.now(), OAUTH_LIFETIMES.usedClientMs);
  if ((stored.expiresAt ?? 0) >= next - 24 * 60 * 60) return;
  await deps.store.put(clientCodec.encode({ ...stored, expiresAt: next })).catch((error: unknown) => deps.log.warn('oauth client touch failed', { error: String(error) }));
}

function expired(client: ClientRecord, nowMs: number): boolean {
  return client.expiresAt !== null && client.expiresAt * 1000 <= nowMs;
}

async function metadataDocumentClient(fetcher: ClientMetadataFetcher, clientId: string): Promise<OAuthClient> {
  let document: unknown;
  try {
    document = await fetcher.fetch(clientId);
  } catch (error) {
    if (error instanceof ClientMetadataError) throw new OAuthError('invalid_client', `client metadata document refused: ${error.message}`, 401);
    throw error;
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new OAuthError('invalid_client', 'client metadata document is not a JSON object', 401);
  }
  const body = document as Record<string, unknown>;
  if (body.client_id !== clientId) throw new OAuthError('invalid_client', 'client metadata document: client_id must equal the document URL', 401);
  const method = body.token_endpoint_auth_method;
  if (method !== undefined && method !== 'none') throw new OAuthError('invalid_client', 'client metadata document: only public clients (token_endpoint_auth_method none) are supported', 401);
  try {
    checkGrantTypes(body);
    return { clientId, clientName: checkName(body.client_name), redirectUris: checkRedirectUris(body.redirect_uris), kind: 'metadata-document' };
  } catch (error) {
    if (error instanceof OAuthError) throw new OAuthError('invalid_client', `client metadata document: ${error.description}`, 401);
    throw error;
  }
}
