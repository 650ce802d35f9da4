import { describe, expect, it } from 'vitest';
import { GuardedClientMetadataFetcher, isPublicAddress } from '../../functions/adapters/http/client-metadata-fetcher.js';
import { ClientMetadataError } from '../../functions/ports/client-metadata.js';

describe('GuardedClientMetadataFetcher', () => {
  it.each([
    ['10.1.2.3', false], ['172.16.0.1', false], ['192.168.1.1', false], ['127.0.0.1', false], ['169.254.169.254', false], ['100.64.0.1', false],
    ['0.0.0.0', false], ['224.0.0.1', false], ['::1', false], ['fe80::1', false], ['fd00::1', false], ['::ffff:10.0.0.1', false], ['::ffff:127.0.0.1', false],
    ['8.8.8.8', true], ['93.184.216.34', true], ['2606:4700:4700::1111', true], ['::ffff:8.8.8.8', true], ['not-an-ip', false],
  ])('judges %s public: %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it('refuses a host name whose DNS answer includes a private address, before connecting', async () => {
    let resolved = 0;
    const fetcher = new GuardedClientMetadataFetcher({
      resolve: async () => {
        resolved++;
        return [{ address: '8.8.8.8', family: 4 }, { address: '10.0.0.5', family: 4 }];
      },
    });
    await expect(fetcher.fetch('https://rebind.example/client.json')).rejects.toThrow(/non-public address/);
    expect(resolved).toBe(1);
  });

  it('refuses http, credentials, fragments and root paths without resolving anything', async () => {
    const fetcher = new GuardedClientMetadataFetcher({ resolve: async () => { throw new Error('must not resolve'); } });
    for (const url of ['http://client.example/c.json', 'https://u:p@client.example/c.json', 'https://client.example/c.json#x', 'https://client.example/', 'ftp://client.example/c.json', 'not a url']) {
      await expect(fetcher.fetch(url), url).rejects.toBeInstanceOf(ClientMetadataError);
    }
  });

  it('refuses loopback http unless explicitly allowed', async () => {
    await expect(new GuardedClientMetadataFetcher().fetch('http://127.0.0.1:9/c.json')).rejects.toThrow(/https/);
    await expect(new GuardedClientMetadataFetcher({ resolve: async () => [{ address: '127.0.0.1', family: 4 }] }).fetch('https://localhost/c.json')).rejects.toThrow(/non-public/);
  });
});
