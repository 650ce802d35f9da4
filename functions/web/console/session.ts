import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { TABLE_SCHEMA } from '../../contracts/table.js';
import type { EndpointId } from '../../contracts/roles.js';
import type { Deps } from '../../core/context.js';
import { keys } from '../../core/keys.js';
import type { Principal } from '../../core/principal.js';

/**
 * Console sessions. The cookie holds 32 random bytes; the table holds only
 * their SHA-256 (a leaked table row cannot be replayed as a cookie), the
 * human principal the session acts for, its CSRF token and its expiry (also
 * as the table's TTL attribute, so DynamoDB deletes it; expiry is checked on
 * every read, since TTL deletion is lazy and dynalite has none). Every
 * request also re-reads the API key the session came from: a revoked key
 * ends its sessions at once.
 */

/** How long a session lasts from sign-in. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

export interface ConsoleSession {
  readonly tenantId: string;
  readonly keyId: string;
  readonly roles: readonly EndpointId[];
  /** The synchronizer token every state-changing form must carry. */
  readonly csrf: string;
  readonly expiresAt: number;
}

/** Starts a session for a human principal; returns the cookie value (shown once, never stored). */
export async function startSession(deps: Pick<Deps, 'store' | 'clock'>, principal: Principal): Promise<{ token: string; session: ConsoleSession }> {
  if (!principal.human) throw new Error('console sessions are for human principals only');
  const token = randomBytes(32).toString('base64url');
  const session: ConsoleSession = {
    tenantId: principal.tenantId,
    keyId: principal.keyId,
    roles: principal.roles,
    csrf: randomBytes(32).toString('base64url'),
    expiresAt: deps.clock.now() + SESSION_TTL_MS,
  };
  await deps.store.put(
    {
      ...keys.consoleSession(hash(token)),
      type: 'console_session',
      tenant_id: session.tenantId,
      key_id: session.keyId,
      roles: [...session.roles],
      csrf: session.csrf,
      expires_at: session.expiresAt,
      [TABLE_SCHEMA.ttlAttribute]: Math.ceil(session.expiresAt / 1000),
    },
    { kind: 'absent' },
  );
  return { token, session };
}

/** The live session a cookie names, or undefined (unknown, expired, or its key revoked since). */
export async function readSession(deps: Pick<Deps, 'store' | 'clock'>, token: string | undefined): Promise<ConsoleSession | undefined> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const item = await deps.store.get(keys.consoleSession(hash(token)));
  if (!item || Number(item.expires_at) <= deps.clock.now()) return undefined;
  const key = await deps.store.get(keys.apiKey(String(item.key_id)));
  if (!key || key.revokedAt !== undefined || key.human !== true) return undefined;
  return {
    tenantId: String(item.tenant_id),
    keyId: String(item.key_id),
    roles: item.roles as EndpointId[],
    csrf: String(item.csrf),
    expiresAt: Number(item.expires_at),
  };
}

/** Ends a session (sign-out); ending an unknown one is not an error. */
export async function endSession(deps: Pick<Deps, 'store'>, token: string | undefined): Promise<void> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return;
  await deps.store.delete(keys.consoleSession(hash(token)));
}

/** Whether a submitted CSRF token is the session's (constant time). */
export function csrfMatches(session: ConsoleSession, submitted: string | null): boolean {
  if (submitted === null) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
