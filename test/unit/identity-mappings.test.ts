import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../functions/adapters/local/memory-store.js';
import type { Deps } from '../../functions/core/context.js';
import { ValidationError } from '../../functions/core/errors.js';
import { currentMappedRoles, listIdentityMappings, mapIdentity, removeIdentityMapping, resolveUpstreamIdentity, upstreamSignerId } from '../../functions/core/identity/mappings.js';
import { ConfigError, loadAwsConfig, loadLocalConfig } from '../../functions/runtime/config.js';
import { parseSecret } from '../../functions/runtime/identity-provider.js';
import { adminRequestSchema, runAdmin } from '../../functions/runtime/admin.js';
import { testDeps } from '../helpers/deps.js';

describe('identity mappings', () => {
  let deps: Deps;
  beforeEach(() => {
    deps = testDeps({ store: new MemoryStore().connect(), clock: { now: () => Date.parse('2026-12-06T05:00:00Z') } });
  });

  it('prefers the subject mapping over the email mapping, and either over groups', async () => {
    await mapIdentity(deps, { kind: 'subject', value: 'sub-1', tenantId: 'acme', roles: ['ceo'], human: true });
    await mapIdentity(deps, { kind: 'email', value: 'a@x.io', tenantId: 'other', roles: ['cto'], human: true });
    await mapIdentity(deps, { kind: 'group', value: 'eng', tenantId: 'acme', roles: ['senior_developer'], human: true });
    expect(await resolveUpstreamIdentity(deps, { subject: 'sub-1', email: 'a@x.io', emailVerified: true, groups: ['eng'] })).toEqual({ ok: true, identity: { tenantId: 'acme', roles: ['ceo'], human: true, mappings: ['subject:sub-1'] } });
    expect(await resolveUpstreamIdentity(deps, { subject: 'sub-2', email: 'A@X.io', emailVerified: true, groups: ['eng'] })).toMatchObject({ ok: true, identity: { tenantId: 'other', mappings: ['email:a@x.io'] } });
    // An unverified email is not matched: the groups decide.
    expect(await resolveUpstreamIdentity(deps, { subject: 'sub-2', email: 'a@x.io', emailVerified: false, groups: ['eng'] })).toMatchObject({ ok: true, identity: { tenantId: 'acme', roles: ['senior_developer'], mappings: ['group:eng'] } });
  });

  it('unites the roles of several groups of one tenant, keeps the board to human mappings, and refuses groups of two tenants', async () => {
    await mapIdentity(deps, { kind: 'group', value: 'eng', tenantId: 'acme', roles: ['senior_developer'], human: false });
    await mapIdentity(deps, { kind: 'group', value: 'leads', tenantId: 'acme', roles: ['cto', 'board'], human: true });
    await mapIdentity(deps, { kind: 'group', value: 'elsewhere', tenantId: 'beta', roles: ['cto'], human: true });
    expect(await resolveUpstreamIdentity(deps, { subject: 's', emailVerified: false, groups: ['eng', 'leads', 'nobody'] })).toEqual({
      ok: true,
      identity: { tenantId: 'acme', roles: ['cto', 'senior_developer', 'board'], human: true, mappings: ['group:eng', 'group:leads'] },
    });
    expect(await resolveUpstreamIdentity(deps, { subject: 's', emailVerified: false, groups: ['eng'] })).toMatchObject({ ok: true, identity: { human: false, roles: ['senior_developer'] } });
    const split = await resolveUpstreamIdentity(deps, { subject: 's', emailVerified: false, groups: ['eng', 'elsewhere'] });
    expect(split).toMatchObject({ ok: false });
    expect(split.ok ? '' : split.reason).toContain('more than one tenant');
    const none = await resolveUpstreamIdentity(deps, { subject: 's', email: 'n@x.io', emailVerified: true, groups: [] });
    expect(none.ok ? '' : none.reason).toContain('not mapped');
  });

  it('refuses bad mappings and changes nothing', async () => {
    await expect(mapIdentity(deps, { kind: 'group', value: 'g', tenantId: 'acme', roles: ['board'], human: false })).rejects.toThrow(/human/);
    await expect(mapIdentity(deps, { kind: 'group', value: 'g', tenantId: 'Acme!', roles: ['cto'], human: false })).rejects.toBeInstanceOf(ValidationError);
    await expect(mapIdentity(deps, { kind: 'email', value: 'not-an-email', tenantId: 'acme', roles: ['cto'], human: false })).rejects.toThrow(/email/);
    await expect(mapIdentity(deps, { kind: 'group', value: 'g', tenantId: 'acme', roles: ['janitor'], human: false })).rejects.toThrow(/unknown role/);
    await expect(mapIdentity(deps, { kind: 'group', value: 'x'.repeat(257), tenantId: 'acme', roles: ['cto'], human: false })).rejects.toBeInstanceOf(ValidationError);
    await expect(removeIdentityMapping(deps, 'group:none')).rejects.toThrow(/no identity mapping/);
    await expect(removeIdentityMapping(deps, 'nonsense')).rejects.toBeInstanceOf(ValidationError);
    expect(await listIdentityMappings(deps)).toEqual([]);
  });

  it('re-reads the mappings a grant depends on: removed or moved to another tenant ends it, narrowed narrows it', async () => {
    await mapIdentity(deps, { kind: 'group', value: 'leads', tenantId: 'acme', roles: ['cto', 'ceo'], human: true });
    expect(await currentMappedRoles(deps, 'acme', ['group:leads'])).toEqual({ roles: ['ceo', 'cto'], human: true });
    await mapIdentity(deps, { kind: 'group', value: 'leads', tenantId: 'acme', roles: ['cto'], human: true });
    expect(await currentMappedRoles(deps, 'acme', ['group:leads'])).toEqual({ roles: ['cto'], human: true });
    await mapIdentity(deps, { kind: 'group', value: 'leads', tenantId: 'beta', roles: ['cto'], human: true });
    expect(await currentMappedRoles(deps, 'acme', ['group:leads'])).toBeUndefined();
    await removeIdentityMapping(deps, 'group:leads');
    expect(await currentMappedRoles(deps, 'beta', ['group:leads'])).toBeUndefined();
    expect(await currentMappedRoles(deps, 'beta', [])).toBeUndefined();
  });

  it('lists per tenant and gives each upstream person a stable 16-hex signer id', async () => {
    await mapIdentity(deps, { kind: 'group', value: 'b', tenantId: 'beta', roles: ['cto'], human: false });
    await mapIdentity(deps, { kind: 'group', value: 'a', tenantId: 'acme', roles: ['cto'], human: false, label: 'team a' });
    expect((await listIdentityMappings(deps, 'acme')).map((m) => [m.id, m.label])).toEqual([['group:a', 'team a']]);
    expect((await listIdentityMappings(deps)).map((m) => m.id)).toEqual(['group:a', 'group:b']);
    expect(upstreamSignerId('https://i', 's')).toMatch(/^[0-9a-f]{16}$/);
    expect(upstreamSignerId('https://i', 's')).toBe(upstreamSignerId('https://i', 's'));
    expect(upstreamSignerId('https://j', 's')).not.toBe(upstreamSignerId('https://i', 's'));
  });
});

describe('identity commands on the admin route', () => {
  it('lets a tenant administrator manage only its own tenant\'s mappings; the operator manages all', async () => {
    const deps = testDeps({ store: new MemoryStore().connect(), clock: { now: () => 0 } });
    const operator = { kind: 'operator' } as const;
    const acme = { kind: 'tenant', tenantId: 'acme' } as const;
    await runAdmin(deps, { command: 'identities.map', kind: 'group', value: 'beta-eng', tenant: 'beta', roles: ['cto'], human: false }, operator);
    await runAdmin(deps, { command: 'identities.map', kind: 'email', value: 'a@acme.io', tenant: 'acme', roles: ['ceo'], human: true }, acme);
    await expect(runAdmin(deps, { command: 'identities.map', kind: 'group', value: 'x', tenant: 'beta', roles: ['cto'], human: false }, acme)).rejects.toThrow(/administers tenant acme only/);
    await expect(runAdmin(deps, { command: 'identities.remove', id: 'group:beta-eng' }, acme)).rejects.toThrow(/administers tenant acme only/);
    expect(((await runAdmin(deps, { command: 'identities.list' }, acme)) as { id: string }[]).map((m) => m.id)).toEqual(['email:a@acme.io']);
    await expect(runAdmin(deps, { command: 'identities.list', tenant: 'beta' }, acme)).rejects.toThrow(/administers tenant acme only/);
    expect(((await runAdmin(deps, { command: 'identities.list' }, operator)) as unknown[]).length).toBe(2);
    // The route's schema bounds every field and refuses unknown ones.
    expect(adminRequestSchema.safeParse({ command: 'identities.map', kind: 'group', value: 'x'.repeat(257), tenant: 'acme', roles: ['cto'], human: false }).success).toBe(false);
    expect(adminRequestSchema.safeParse({ command: 'identities.remove', id: 'group:x', extra: 1 }).success).toBe(false);
  });
});

describe('upstream identity configuration', () => {
  const aws = { CONCLAVE_TABLE_NAME: 't', CONCLAVE_EVENT_BUS_NAME: 'b' };

  it('is off without an issuer, and reads the issuer, client, name and groups claim', () => {
    expect(loadLocalConfig({}).upstreamIdentity).toBeUndefined();
    expect(loadLocalConfig({ CONCLAVE_OIDC_ISSUER: 'https://id.example.com/', CONCLAVE_OIDC_CLIENT_ID: 'c', CONCLAVE_OIDC_CLIENT_SECRET: 's' }).upstreamIdentity).toEqual({
      issuer: 'https://id.example.com',
      name: 'id.example.com',
      clientId: 'c',
      clientSecret: 's',
      groupsClaim: 'groups',
      allowLoopbackHttp: false,
    });
    expect(loadAwsConfig({ ...aws, CONCLAVE_OIDC_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_A', CONCLAVE_OIDC_CLIENT_SECRET_ID: 'stack/conclave/cognito-client', CONCLAVE_OIDC_NAME: 'Cognito', CONCLAVE_OIDC_GROUPS_CLAIM: 'cognito:groups' }).upstreamIdentity).toMatchObject({
      clientId: undefined,
      clientSecretId: 'stack/conclave/cognito-client',
      name: 'Cognito',
      groupsClaim: 'cognito:groups',
    });
  });

  it('accepts a loopback http issuer only locally and only behind CONCLAVE_OIDC_LOOPBACK_ISSUER', () => {
    const local = { CONCLAVE_OIDC_ISSUER: 'http://127.0.0.1:9999', CONCLAVE_OIDC_CLIENT_ID: 'c' };
    expect(() => loadLocalConfig(local)).toThrow(/CONCLAVE_OIDC_LOOPBACK_ISSUER/);
    expect(loadLocalConfig({ ...local, CONCLAVE_OIDC_LOOPBACK_ISSUER: '1' }).upstreamIdentity?.allowLoopbackHttp).toBe(true);
    expect(() => loadLocalConfig({ CONCLAVE_OIDC_ISSUER: 'http://idp.example.com', CONCLAVE_OIDC_CLIENT_ID: 'c', CONCLAVE_OIDC_LOOPBACK_ISSUER: '1' })).toThrow(ConfigError);
    expect(() => loadAwsConfig({ ...aws, ...local, CONCLAVE_OIDC_LOOPBACK_ISSUER: '1' })).toThrow(/local setting/);
    expect(() => loadAwsConfig({ ...aws, ...local })).toThrow(/must be https/);
  });

  it('refuses a plaintext client secret in AWS and a client without an issuer', () => {
    expect(() => loadAwsConfig({ ...aws, CONCLAVE_OIDC_ISSUER: 'https://i.example', CONCLAVE_OIDC_CLIENT_ID: 'c', CONCLAVE_OIDC_CLIENT_SECRET: 's' })).toThrow(/Secrets Manager/);
    expect(() => loadLocalConfig({ CONCLAVE_OIDC_CLIENT_ID: 'c' })).toThrow(/CONCLAVE_OIDC_ISSUER is required/);
    expect(() => loadLocalConfig({ CONCLAVE_OIDC_ISSUER: 'https://i.example' })).toThrow(/CONCLAVE_OIDC_CLIENT_ID/);
  });

  it('reads a Secrets Manager value as JSON {client_id, client_secret} or as the bare secret', () => {
    expect(parseSecret('{"client_id":"abc"}', undefined)).toEqual({ clientId: 'abc' });
    expect(parseSecret('{"client_secret":"s"}', 'cfg')).toEqual({ clientId: 'cfg', clientSecret: 's' });
    expect(parseSecret('plain-secret', 'cfg')).toEqual({ clientId: 'cfg', clientSecret: 'plain-secret' });
    expect(() => parseSecret('{}', undefined)).toThrow(/client_id/);
  });
});
