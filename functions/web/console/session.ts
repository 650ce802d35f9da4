import { createHash, randomBytes } from 'node:crypto';
import { expiresAt, TABLE_SCHEMA } from '../../contracts/table.js';
import type { EndpointId } from '../../contracts/roles.js';
import type { Deps } from '../../core/context.js';
import { keys } from '../../core/keys.js';
import type { HumanSignIn } from '../human-signin.js';
import { cookieHeader, issueCsrfToken, readCookie, verifyCsrfToken } from '../csrf.js';

/**
 * Console sessions, on the shared human sign-in (../human-signin.ts) and
 * CSRF tokens (../csrf.ts). The cookie holds 32 random bytes; the table holds
 * only their SHA-256 (a leaked row cannot be replayed as a cookie), the person
 * the session acts for and its expiry (also the table's TTL attribute, so
 * DynamoDB deletes it; expiry is checked on every read, since TTL deletion is
 * lazy and dynalite has none). Every request re-reads the API key the session
 * came from: a revoked key ends its sessions at once. Every state-changing
 * form carries an HMAC token bound to the session (the hash of its cookie)
 * and to the console.
 */

/** How long a session lasts from sign-in. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
/** The CSRF purpose of the console's forms (a consent-page token is useless here). */
const CSRF_PURPOSE = 'console';

export interface ConsoleSession {
  readonly tenantId: string;
  readonly keyId: string;
  readonly roles: readonly EndpointId[];
  /** SHA-256 of the cookie: the session's id in the table and its CSRF binding. */
  readonly id: string;
  readonly expiresAt: number;
}

/** Secure cookies everywhere but plain-HTTP loopback (`npm start`); there the `__Host-` prefix (which needs Secure) is dropped too. */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

export function sessionCookieName(url: URL): string {
  return isLoopbackHttp(url) ? 'conclave_console' : '__Host-conclave_console';
}

/** The `Set-Cookie` value that starts (or, with an empty value, ends) a session. */
export function sessionCookie(url: URL, token: string): string {
  return cookieHeader(sessionCookieName(url), token, { secure: !isLoopbackHttp(url), maxAgeSeconds: token ? SESSION_TTL_MS / 1000 : 0 });
}

/** Starts a session for a person who signed in; returns the cookie value (shown once, never stored). */
export async function startSession(deps: Pick<Deps, 'store' | 'clock'>, person: HumanSignIn): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const expires = deps.clock.now() + SESSION_TTL_MS;
  await deps.store.put(
    {
      ...keys.consoleSession(hash(token)),
      type: 'console_session',
      tenant_id: person.tenantId,
      key_id: person.keyId,
      roles: [...person.roles],
      expires_at: expires,
      [TABLE_SCHEMA.ttlAttribute]: expiresAt(deps.clock.now(), SESSION_TTL_MS),
    },
    { kind: 'absent' },
  );
  return token;
}

/** The live session of a request's cookie, or undefined (none, unknown, expired, or its key revoked or no longer human). */
export async function readSession(deps: Pick<Deps, 'store' | 'clock'>, request: Request, url: URL): Promise<ConsoleSession | undefined> {
  const token = readCookie(request, sessionCookieName(url));
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const id = hash(token);
  const item = await deps.store.get(keys.consoleSession(id));
  if (!item || Number(item.expires_at) <= deps.clock.now()) return undefined;
  const key = await deps.store.get(keys.apiKey(String(item.key_id)));
  if (!key || key.revokedAt !== undefined || key.human !== true) return undefined;
  return { tenantId: String(item.tenant_id), keyId: String(item.key_id), roles: item.roles as EndpointId[], id, expiresAt: Number(item.expires_at) };
}

/** Ends a session (sign-out). */
export async function endSession(deps: Pick<Deps, 'store'>, session: ConsoleSession): Promise<void> {
  await deps.store.delete(keys.consoleSession(session.id));
}

/** The token the session's forms carry (valid as long as the session). */
export function sessionCsrf(secret: Uint8Array, session: ConsoleSession, now: number): string {
  return issueCsrfToken({ secret, purpose: CSRF_PURPOSE, binding: session.id, now }, Math.max(0, session.expiresAt - now));
}

/** Whether a submitted token was issued for this session's forms. */
export function csrfMatches(secret: Uint8Array, session: ConsoleSession, now: number, submitted: string | null): boolean {
  return verifyCsrfToken({ secret, purpose: CSRF_PURPOSE, binding: session.id, now }, submitted);
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
