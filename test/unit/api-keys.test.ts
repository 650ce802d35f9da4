import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../functions/adapters/local/memory-store.js';
import {
  authenticate,
  authorizeEndpoint,
  createApiKey,
  ensureApiKey,
  listApiKeys,
  revokeApiKey,
} from '../../functions/core/auth/api-keys.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../../functions/core/errors.js';

describe('API keys', () => {
  let dynamo: MemoryStore;
  let deps: { store: MemoryStore; clock: { now: () => number } };

  beforeAll(async () => {
    dynamo = new MemoryStore();
    deps = { store: dynamo.connect(), clock: { now: () => Date.parse('2026-11-21T10:00:00Z') } };
  });
  afterAll(async () => {
  });

  it('stores only the hash: the secret appears in no stored attribute', async () => {
    const { key, record } = await createApiKey(deps, { tenantId: 'acme', roles: ['ceo'], human: false, label: 'bot' });
    expect(key).toMatch(/^cnk_[A-Za-z0-9_-]{43}$/);
    const stored = await deps.store.get({ pk: `APIKEY#${record.keyId}`, sk: 'APIKEY' });
    expect(JSON.stringify(stored)).not.toContain(key.slice(4));
    expect(stored?.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('authenticates a key to its tenant, roles and humanity', async () => {
    const { key } = await createApiKey(deps, { tenantId: 'acme', roles: ['cto', 'board'], human: true });
    await expect(authenticate(deps, key)).resolves.toMatchObject({ tenantId: 'acme', roles: ['cto', 'board'], human: true });
  });

  it('expands "all" to every endpoint and rejects unknown roles', async () => {
    const { record } = await createApiKey(deps, { tenantId: 'acme', roles: ['all'], human: true });
    expect(record.roles).toHaveLength(10);
    await expect(createApiKey(deps, { tenantId: 'acme', roles: ['janitor'], human: false })).rejects.toThrow(/unknown role\(s\): janitor/);
    await expect(createApiKey(deps, { tenantId: 'acme', roles: [], human: false })).rejects.toBeInstanceOf(ValidationError);
  });

  it('refuses the board role for a non-human key', async () => {
    await expect(createApiKey(deps, { tenantId: 'acme', roles: ['board'], human: false })).rejects.toThrow(/only a human key/);
    await expect(createApiKey(deps, { tenantId: 'acme', roles: ['all'], human: false })).rejects.toBeInstanceOf(ValidationError);
  });

  it('rejects bad tenant ids', async () => {
    await expect(createApiKey(deps, { tenantId: 'Acme Corp', roles: ['ceo'], human: false })).rejects.toThrow(/tenant id/);
  });

  it('authorizes endpoints by role and humanity', async () => {
    const agent = { tenantId: 't', keyId: 'k', roles: ['ceo', 'board'] as const, human: false };
    expect(() => authorizeEndpoint(agent, 'ceo')).not.toThrow();
    expect(() => authorizeEndpoint(agent, 'cto')).toThrow(ForbiddenError);
    expect(() => authorizeEndpoint(agent, 'board')).toThrow(/human/);
  });

  it('rejects missing, malformed, unknown and revoked keys alike', async () => {
    const { key, record } = await createApiKey(deps, { tenantId: 'beta', roles: ['ceo'], human: false });
    await revokeApiKey(deps, record.keyId);
    for (const presented of [undefined, '', 'x', 'has spaces in it and is long', `cnk_${'Z'.repeat(43)}`, key]) {
      await expect(authenticate(deps, presented)).rejects.toBeInstanceOf(UnauthenticatedError);
    }
    await expect(revokeApiKey(deps, record.keyId)).rejects.toThrow(/already revoked/);
    await expect(revokeApiKey(deps, 'ffffffffffffffff')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists keys per tenant without secrets', async () => {
    const listed = await listApiKeys(deps, 'beta');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ tenantId: 'beta', roles: ['ceo'] });
    expect(listed[0]?.revokedAt).toBe('2026-11-21T10:00:00.000Z');
    expect(Object.keys(listed[0] ?? {})).not.toContain('hash');
    expect((await listApiKeys(deps)).length).toBeGreaterThan(listed.length);
  });

  it('registers a preset key idempotently and refuses a revoked preset', async () => {
    const preset = 'dev-key-0123456789abcdef';
    const first = await ensureApiKey(deps, { tenantId: 'dev', roles: ['all'], human: true, presetKey: preset });
    const second = await ensureApiKey(deps, { tenantId: 'dev', roles: ['all'], human: true, presetKey: preset });
    expect(second.keyId).toBe(first.keyId);
    await revokeApiKey(deps, first.keyId);
    await expect(ensureApiKey(deps, { tenantId: 'dev', roles: ['all'], human: true, presetKey: preset })).rejects.toThrow(/revoked/);
    await expect(ensureApiKey(deps, { tenantId: 'dev', roles: ['all'], human: true, presetKey: 'short' })).rejects.toBeInstanceOf(ValidationError);
  });
});
