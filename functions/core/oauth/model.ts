import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ENDPOINTS, type EndpointId } from '../../contracts/roles.js';
import { auditItem, writeAudit } from '../audit/audit.js';
import type { Deps } from '../context.js';

/**
 * Shared pieces of Conclave's OAuth 2.1 authorization server: lifetimes,
 * the secret formats, hashing, the protocol error and the audit helper.
 *
 * Secrets (codes, access and refresh tokens) are opaque random strings; only
 * their SHA-256 is stored, exactly like API keys (see README "OAuth"). A
 * token names its grant (`cat_<grant id>.<secret>`) so that one BatchGet
 * reads the token, its grant and the signer's API key together.
 */
export const OAUTH_LIFETIMES = {
  /** An authorization code is good for one minute. */
  codeMs: 60_000,
  /** An access token is good for one hour. */
  accessTokenMs: 60 * 60_000,
  /** A grant (and its refresh tokens) lives 30 days from its last refresh. */
  grantMs: 30 * 24 * 60 * 60_000,
  /** A registered client that never obtains a token expires after a day. */
  unusedClientMs: 24 * 60 * 60_000,
  /** A client that obtained tokens lives 90 days from its last token. */
  usedClientMs: 90 * 24 * 60 * 60_000,
} as const;

const SECRET = '[A-Za-z0-9_-]{43}';
const GRANT = '[0-9a-f]{32}';
const ACCESS = new RegExp(`^cat_(${GRANT})\\.(${SECRET})$`);
const REFRESH = new RegExp(`^crt_(${GRANT})\\.(${SECRET})$`);
const CODE = new RegExp(`^cac_${SECRET}$`);

/** A new random secret: 32 bytes, base64url (43 characters). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** A new grant id: the signer's public key id (16 hex) and 16 random hex digits. */
export function newGrantId(keyId: string): string {
  return `${keyId}${randomBytes(8).toString('hex')}`;
}

/** The API key id a grant id starts with. */
export function grantKeyId(grantId: string): string {
  return grantId.slice(0, 16);
}

export function newAccessToken(grantId: string): string {
  return `cat_${grantId}.${newSecret()}`;
}
export function newRefreshToken(grantId: string): string {
  return `crt_${grantId}.${newSecret()}`;
}
export function newCode(): string {
  return `cac_${newSecret()}`;
}

/** The grant an access token names, if it has the access-token shape. */
export function accessTokenGrant(token: string): string | undefined {
  return ACCESS.exec(token)?.[1];
}
/** The grant a refresh token names, if it has the refresh-token shape. */
export function refreshTokenGrant(token: string): string | undefined {
  return REFRESH.exec(token)?.[1];
}
export function isCode(code: string): boolean {
  return CODE.test(code);
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** PKCE S256 (RFC 7636 §4.6): BASE64URL(SHA256(verifier)) equals the challenge, compared in constant time. */
export function pkceMatches(verifier: string, challenge: string): boolean {
  const computed = Buffer.from(createHash('sha256').update(verifier, 'ascii').digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

/** A PKCE verifier: 43-128 unreserved characters (RFC 7636 §4.1). */
export const PKCE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
/** An S256 challenge: 43 base64url characters. */
export const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** An OAuth protocol error (RFC 6749 §5.2 and friends): `code` is the wire `error`, `status` the HTTP status. */
export class OAuthError extends Error {
  override name = 'OAuthError';
  constructor(
    readonly code: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(`${code}: ${description}`);
  }
}

/** Parses a space-separated scope into roles; unknown words are an error. Undefined when the scope is absent or empty. */
export function parseScope(scope: string | null | undefined): EndpointId[] | undefined {
  const words = (scope ?? '').split(' ').filter(Boolean);
  if (words.length === 0) return undefined;
  const unknown = words.filter((w) => !(ENDPOINTS as readonly string[]).includes(w));
  if (unknown.length > 0) throw new OAuthError('invalid_scope', `unknown scope ${unknown.slice(0, 3).join(', ')}; scopes are role names: ${ENDPOINTS.join(', ')}`);
  return [...new Set(words)] as EndpointId[];
}

/** What one OAuth event records in the audit trail: never a token, code or key, only ids. */
export interface OAuthAuditEvent {
  readonly tenantId: string;
  readonly keyId: string;
  readonly roles: readonly EndpointId[];
  /** `oauth:grant`, `oauth:refresh`, `oauth:revoke`, `oauth:refused`, … */
  readonly action: string;
  readonly outcome: 'ok' | 'error';
  readonly errorCode?: string;
  readonly clientId: string;
  readonly grantId?: string;
  readonly correlationId: string;
}

/** Writes one OAuth event to the tenant's audit trail (the first role stands for the grant's roles, all of which are listed). */
export async function auditOAuth(deps: Deps, event: OAuthAuditEvent): Promise<void> {
  const base = auditItem(deps, {
    tenantId: event.tenantId,
    keyId: event.keyId,
    role: event.roles[0] ?? 'board',
    action: event.action,
    outcome: event.outcome,
    ...(event.errorCode ? { errorCode: event.errorCode } : {}),
    durationMs: 0,
    correlationId: event.correlationId,
  });
  await writeAudit(deps, [{ ...base, roles: [...event.roles], clientId: event.clientId.slice(0, 512), ...(event.grantId ? { grantId: event.grantId } : {}) }]);
}
