import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';
import { ClientMetadataError, type ClientMetadataFetcher } from '../../ports/client-metadata.js';

/**
 * The SSRF-guarded fetcher for Client ID Metadata Documents.
 *
 * - https only (http only for a loopback host, and only with `allowLoopback`,
 *   which the local server sets behind an explicit flag and the AWS
 *   configuration refuses);
 * - the host's addresses are resolved by us and every one must be public
 *   (not private, loopback, link-local, CGNAT, multicast, documentation,
 *   IPv4-mapped private…); the connection goes to the checked address, so a
 *   DNS answer cannot change between the check and the connect;
 * - no redirects are followed (a 3xx is refused, so no redirect can lead
 *   into a private range); at most `maxBytes`; at most `timeoutMs` in all;
 * - good documents are cached for `cacheMs` (bounded number of entries).
 */
export interface GuardedFetcherOptions {
  readonly allowLoopback?: boolean;
  /** Default 3000 ms. */
  readonly timeoutMs?: number;
  /** Default 5 KiB (the MCP spec suggests metadata documents stay small). */
  readonly maxBytes?: number;
  /** Default 5 minutes. */
  readonly cacheMs?: number;
  readonly now?: () => number;
  /** DNS resolution (tests inject answers). */
  readonly resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24],
  ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32], ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv6');
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** True when an address is routable on the public internet (IPv4-mapped IPv6 is judged by its IPv4 address). */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !BLOCKED.check(address, 'ipv4');
  if (family !== 6) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return isPublicAddress(mapped);
  if (/^::ffff:/i.test(address)) return false;
  return !BLOCKED.check(address, 'ipv6');
}

function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  return family === 4 ? LOOPBACK.check(address, 'ipv4') : family === 6 ? LOOPBACK.check(address, 'ipv6') : false;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

export class GuardedClientMetadataFetcher implements ClientMetadataFetcher {
  private readonly cache = new Map<string, { document: unknown; until: number }>();
  private readonly allowLoopback: boolean;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly cacheMs: number;
  private readonly now: () => number;
  private readonly resolve: (hostname: string) => Promise<LookupAddress[]>;

  constructor(options: GuardedFetcherOptions = {}) {
    this.allowLoopback = options.allowLoopback ?? false;
    this.timeoutMs = options.timeoutMs ?? 3000;
    this.maxBytes = options.maxBytes ?? 5 * 1024;
    this.cacheMs = options.cacheMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
    this.resolve = options.resolve ?? ((hostname) => new Promise((ok, fail) => dnsLookup(hostname, { all: true, verbatim: true }, (e, a) => (e ? fail(e) : ok(a)))));
  }

  async fetch(rawUrl: string): Promise<unknown> {
    const hit = this.cache.get(rawUrl);
    if (hit && hit.until > this.now()) return hit.document;
    const url = this.checkUrl(rawUrl);
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const loopbackName = LOOPBACK_NAMES.has(hostname);
    const addresses = isIP(hostname) ? [{ address: hostname, family: isIP(hostname) }] : await this.resolve(hostname).catch(() => {
      throw new ClientMetadataError(`cannot resolve ${hostname}`);
    });
    if (addresses.length === 0) throw new ClientMetadataError(`cannot resolve ${hostname}`);
    for (const { address } of addresses) {
      const allowed = isPublicAddress(address) || (this.allowLoopback && loopbackName && isLoopbackAddress(address));
      if (!allowed) throw new ClientMetadataError(`${hostname} resolves to a non-public address`);
    }
    const target = addresses[0] as LookupAddress;
    const document = await this.get(url, target);
    if (this.cache.size >= 500) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(rawUrl, { document, until: this.now() + this.cacheMs });
    return document;
  }

  private checkUrl(rawUrl: string): URL {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new ClientMetadataError('the client id is not a URL');
    }
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const loopbackHttp = url.protocol === 'http:' && this.allowLoopback && LOOPBACK_NAMES.has(hostname);
    if (url.protocol !== 'https:' && !loopbackHttp) throw new ClientMetadataError('a metadata document URL must use https');
    if (url.username || url.password || url.hash) throw new ClientMetadataError('a metadata document URL must not carry credentials or a fragment');
    if (url.pathname === '/' || url.pathname === '') throw new ClientMetadataError('a metadata document URL needs a path');
    return url;
  }

  /** One GET to the checked address (SNI and Host stay the URL's name), within the time and size limits. */
  private get(url: URL, target: LookupAddress): Promise<unknown> {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const fail = (message: string) => {
        clearTimeout(timer);
        request.destroy();
        reject(new ClientMetadataError(message));
      };
      const request = send(url, {
        method: 'GET',
        headers: { accept: 'application/json' },
        agent: false,
        // Connect to the address we checked, whatever a second DNS answer would say.
        lookup: (_host, options, callback) => {
          const all = (options as { all?: boolean }).all === true;
          if (all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [target]);
          else callback(null, target.address, target.family);
        },
      });
      const timer = setTimeout(() => fail(`no complete answer within ${this.timeoutMs} ms`), this.timeoutMs);
      request.on('error', () => fail('the metadata document could not be fetched'));
      request.on('response', (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        if (status >= 300 && status < 400) return fail('the metadata document URL redirects; redirects are not followed');
        if (status !== 200) return fail(`the metadata document URL answered ${status}`);
        if (Number(response.headers['content-length'] ?? '0') > this.maxBytes) return fail(`the metadata document is larger than ${this.maxBytes} bytes`);
        const chunks: Buffer[] = [];
        let total = 0;
        response.on('data', (chunk: Buffer) => {
          total += chunk.byteLength;
          if (total > this.maxBytes) return fail(`the metadata document is larger than ${this.maxBytes} bytes`);
          chunks.push(chunk);
        });
        response.on('end', () => {
          if (total > this.maxBytes) return;
          clearTimeout(timer);
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch {
            reject(new ClientMetadataError('the metadata document is not JSON'));
          }
        });
        response.on('error', () => fail('the metadata document could not be read'));
      });
      request.end();
    });
  }
}
