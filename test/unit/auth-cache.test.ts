import { describe, expect, it } from 'vitest';
import { UnauthenticatedError } from '../../functions/core/errors.js';
import type { Principal } from '../../functions/core/principal.js';
import { AuthCache } from '../../functions/mcp/auth-cache.js';

const principal: Principal = { tenantId: 't', keyId: 'k', roles: ['ceo'], human: false };

describe('AuthCache', () => {
  it('reuses a verified principal until the TTL passes, then verifies again', async () => {
    let now = 0;
    let calls = 0;
    const cache = new AuthCache(2000, () => now);
    const verify = async () => {
      calls++;
      return principal;
    };
    await cache.resolve('key-one-0123456789', verify);
    await cache.resolve('key-one-0123456789', verify);
    expect(calls).toBe(1);
    now = 2001;
    await cache.resolve('key-one-0123456789', verify);
    expect(calls).toBe(2);
  });

  it('never caches a failure', async () => {
    let calls = 0;
    const cache = new AuthCache(60_000, () => 0);
    const reject = async (): Promise<Principal> => {
      calls++;
      throw new UnauthenticatedError('nope');
    };
    await expect(cache.resolve('bad-key-0123456789', reject)).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(cache.resolve('bad-key-0123456789', reject)).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(calls).toBe(2);
  });

  it('is off with a TTL of 0 and stays bounded in size', async () => {
    let calls = 0;
    const off = new AuthCache(0, () => 0);
    const verify = async () => {
      calls++;
      return principal;
    };
    await off.resolve('k-0123456789abcdef', verify);
    await off.resolve('k-0123456789abcdef', verify);
    expect(calls).toBe(2);
    const small = new AuthCache(60_000, () => 0, 2);
    for (const key of ['a', 'b', 'c']) await small.resolve(`${key}-0123456789abcdef`, verify);
    calls = 0;
    await small.resolve('a-0123456789abcdef', verify);
    expect(calls).toBe(1);
  });
});
