import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ENDPOINTS, BOARD, type EndpointId } from '../../contracts/roles.js';
import type { Clock } from '../../ports/clock.js';
import type { Store } from '../../ports/store.js';
import { ForbiddenError, NotFoundError, PreconditionFailedError, UnauthenticatedError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import type { Principal } from '../principal.js';
import { field, type Codec } from '../versioned.js';

/**
 * API keys. Generated keys are `cnk_` + 32 random bytes (base64url); a preset
 * key (CONCLAVE_DEV_KEY) may be any 16-256 visible ASCII characters. Only the
 * SHA-256 of a key is stored. The key id — the first 16 hex digits of that
 * hash — is public: it names the key in listings, revocation and the audit.
 */
const PRESET_PATTERN = /^[\x21-\x7e]{16,256}$/;
const TENANT_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface ApiKeyDeps {
  readonly store: Store;
  readonly clock: Clock;
}

export interface ApiKeyRecord {
  readonly keyId: string;
  readonly tenantId: string;
  readonly roles: readonly EndpointId[];
  readonly human: boolean;
  readonly label: string;
  readonly createdAt: string;
  readonly revokedAt?: string;
}

/** A key as stored: its public record and the SHA-256 of the secret (never the secret). */
export interface StoredApiKey extends ApiKeyRecord {
  readonly hash: string;
}

export const apiKeyCodec: Codec<StoredApiKey> = {
  decode: (i) => {
    const revokedAt = field.strOrNull(i, 'revokedAt');
    return {
      keyId: field.reqStr(i, 'keyId'),
      tenantId: field.reqStr(i, 'tenantId'),
      roles: field.strs(i, 'roles') as EndpointId[],
      human: field.bool(i, 'human'),
      label: field.str(i, 'label'),
      createdAt: field.str(i, 'createdAt'),
      ...(revokedAt !== null ? { revokedAt } : {}),
      hash: field.reqStr(i, 'hash'),
    };
  },
  encode: (k) => ({ ...keys.apiKey(k.keyId), gsi1pk: keys.apiKeyIndex, gsi1sk: `${k.tenantId}#${k.keyId}`, type: 'apikey', ...k }),
};

export interface CreateApiKeyInput {
  readonly tenantId: string;
  readonly roles: readonly string[];
  readonly human: boolean;
  readonly label?: string;
  /** Register this exact key (e.g. CONCLAVE_DEV_KEY) instead of generating one. */
  readonly presetKey?: string;
}

/** Creates a key; returns the secret once. Fails if the key already exists. */
export async function createApiKey(deps: ApiKeyDeps, input: CreateApiKeyInput): Promise<{ key: string; record: ApiKeyRecord }> {
  if (!TENANT_PATTERN.test(input.tenantId)) {
    throw new ValidationError(`tenant id "${input.tenantId}" must be 1-63 lowercase letters, digits or dashes`);
  }
  const roles = parseRoles(input.roles);
  if (roles.includes(BOARD) && !input.human) {
    throw new ValidationError('only a human key may act as the board: add --human');
  }
  const key = input.presetKey ?? generateKey();
  if (!PRESET_PATTERN.test(key)) throw new ValidationError('a preset key must be 16-256 visible ASCII characters without spaces');
  const hash = hashKey(key);
  const keyId = hash.slice(0, 16);
  const record: ApiKeyRecord = {
    keyId,
    tenantId: input.tenantId,
    roles,
    human: input.human,
    label: input.label ?? '',
    createdAt: new Date(deps.clock.now()).toISOString(),
  };
  try {
    await deps.store.put(apiKeyCodec.encode({ hash, ...record }), { kind: 'absent' });
  } catch (error) {
    if (error instanceof PreconditionFailedError) throw new ValidationError(`key id ${keyId} already exists`);
    throw error;
  }
  return { key, record };
}

/** Registers a preset key unless it already exists with the same hash (idempotent start-up). */
export async function ensureApiKey(deps: ApiKeyDeps, input: CreateApiKeyInput & { presetKey: string }): Promise<ApiKeyRecord> {
  const hash = hashKey(input.presetKey);
  const stored = await deps.store.get(keys.apiKey(hash.slice(0, 16)));
  const existing = stored && apiKeyCodec.decode(stored);
  if (existing?.hash === hash && existing.revokedAt === undefined) return toRecord(existing);
  if (existing) throw new ValidationError(`key ${hash.slice(0, 16)} was revoked; choose another key`);
  return (await createApiKey(deps, input)).record;
}

/** Resolves a bearer key to its principal; rejects unknown, malformed or revoked keys alike. */
export async function authenticate(deps: ApiKeyDeps, presented: string | undefined): Promise<Principal> {
  if (!presented) throw new UnauthenticatedError('missing API key');
  if (!PRESET_PATTERN.test(presented)) throw new UnauthenticatedError('malformed API key');
  const hash = hashKey(presented);
  const item = await deps.store.get(keys.apiKey(hash.slice(0, 16)));
  const record = item && apiKeyCodec.decode(item);
  if (!record || !sameHash(record.hash, hash) || record.revokedAt !== undefined) {
    throw new UnauthenticatedError('invalid or revoked API key');
  }
  return { tenantId: record.tenantId, keyId: record.keyId, roles: record.roles, human: record.human };
}

/** Checks that a principal may act as an endpoint; the board needs a human. */
export function authorizeEndpoint(principal: Principal, endpoint: EndpointId): void {
  if (endpoint === BOARD && !principal.human) throw new ForbiddenError('only a human principal may act as the board');
  if (!principal.roles.includes(endpoint)) throw new ForbiddenError(`this key may not act as ${endpoint}`);
}

export async function listApiKeys(deps: ApiKeyDeps, tenantId?: string): Promise<ApiKeyRecord[]> {
  const records: ApiKeyRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.query({
      index: 'gsi1',
      pk: keys.apiKeyIndex,
      ...(tenantId === undefined ? {} : { skPrefix: `${tenantId}#` }),
      ...(cursor === undefined ? {} : { cursor }),
    });
    records.push(...page.items.map((i) => toRecord(apiKeyCodec.decode(i))));
    cursor = page.cursor;
  } while (cursor);
  return records;
}

/** Revokes a key by its public id. Revoking twice is refused with a clear error. */
export async function revokeApiKey(deps: ApiKeyDeps, keyId: string): Promise<ApiKeyRecord> {
  const item = await deps.store.get(keys.apiKey(keyId));
  if (!item) throw new NotFoundError(`no key with id ${keyId}`);
  const key = apiKeyCodec.decode(item);
  if (key.revokedAt !== undefined) throw new ValidationError(`key ${keyId} was already revoked at ${key.revokedAt}`);
  const revoked: StoredApiKey = { ...key, revokedAt: new Date(deps.clock.now()).toISOString() };
  await deps.store.put(apiKeyCodec.encode(revoked), { kind: 'present' });
  return toRecord(revoked);
}

function parseRoles(input: readonly string[]): EndpointId[] {
  if (input.length === 0) throw new ValidationError('a key needs at least one role');
  const expanded = input.flatMap((r) => (r === 'all' ? [...ENDPOINTS] : [r]));
  const unknown = expanded.filter((r) => !(ENDPOINTS as readonly string[]).includes(r));
  if (unknown.length > 0) throw new ValidationError(`unknown role(s): ${unknown.join(', ')}; known: ${ENDPOINTS.join(', ')}, all`);
  return [...new Set(expanded)] as EndpointId[];
}

function generateKey(): string {
  return `cnk_${randomBytes(32).toString('base64url')}`;
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** The public record of a stored key (the hash stays behind). */
function toRecord(key: StoredApiKey): ApiKeyRecord {
  const { hash: _hash, ...record } = key;
  return record;
}
