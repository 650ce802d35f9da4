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

  it('shares one verification among concurrent misses for the same credential (no stampede at expiry), and not a failure after it settled', async () => {
    let now = 0;
    let calls = 0;
    let release: (p: Principal) => void = () => undefined;
    const cache = new AuthCache(2000, () => now);
    const slow = () => {
      calls++;
      return new Promise<Principal>((resolve) => {
        release = resolve;
      });
    };
    const waiting = Array.from({ length: 10 }, () => cache.resolve('tok-0123456789abcdef', slow));
    expect(calls).toBe(1);
    release(principal);
    await expect(Promise.all(waiting)).resolves.toEqual(Array(10).fill(principal));
    // Another credential is verified on its own.
    await cache.resolve('other-0123456789abcdef', async () => {
      calls++;
      return principal;
    });
    expect(calls).toBe(2);
    // After expiry a failing verification is shared by its waiters, then forgotten.
    now = 5000;
    let failures = 0;
    const failing = async (): Promise<Principal> => {
      failures++;
      throw new UnauthenticatedError('revoked');
    };
    const both = [cache.resolve('tok-0123456789abcdef', failing), cache.resolve('tok-0123456789abcdef', failing)];
    await expect(Promise.all(both)).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(failures).toBe(1);
    await expect(cache.resolve('tok-0123456789abcdef', failing)).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(failures).toBe(2);
  });
});
