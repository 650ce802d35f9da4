import type { EndpointId } from '../../contracts/roles.js';
import type { Item } from '../../ports/store.js';
import { keys } from '../keys.js';
import { field, type Codec } from '../versioned.js';

/**
 * The stored entities of OAuth as typed records, each with its one codec: a
 * registered client, an authorization code, a grant and its access and
 * refresh tokens. Codes and tokens are stored under the hash of their secret
 * (the key), never the secret, so their codecs are made for one key. Every
 * item carries `expiresAt` (epoch seconds, the table's TTL attribute).
 */

export interface ClientRecord {
  readonly clientId: string;
  readonly clientName: string;
  readonly redirectUris: string[];
  readonly createdAt: string;
  readonly expiresAt: number | null;
}

export const clientCodec: Codec<ClientRecord> = {
  decode: (i) => ({
    clientId: field.reqStr(i, 'clientId'),
    clientName: field.str(i, 'clientName'),
    redirectUris: field.strs(i, 'redirectUris'),
    createdAt: field.str(i, 'createdAt'),
    expiresAt: field.numOrNull(i, 'expiresAt'),
  }),
  encode: (c) => {
    const { expiresAt, ...rest } = c;
    return { ...keys.oauthClient(c.clientId), type: 'oauth-client', ...rest, ...(expiresAt !== null ? { expiresAt } : {}) };
  },
};

/** One authorization code (single use: `used` flips once, conditionally). */
export interface CodeRecord {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly resources: string[];
  readonly roles: EndpointId[];
  readonly tenantId: string;
  readonly keyId: string;
  readonly human: boolean;
  /** `identity`: signed in through the upstream identity provider; the grant lives as long as `mappings` (functions/core/identity). */
  readonly signer: 'identity' | null;
  readonly mappings: string[];
  readonly grantId: string;
  readonly used: boolean;
  /** Epoch ms. */
  readonly validUntil: number;
  readonly expiresAt: number;
}

export function codeCodec(codeHash: string): Codec<CodeRecord> {
  return {
    decode: (i) => ({
      clientId: field.reqStr(i, 'clientId'),
      redirectUri: field.reqStr(i, 'redirectUri'),
      codeChallenge: field.reqStr(i, 'codeChallenge'),
      resources: field.strs(i, 'resources'),
      roles: field.strs(i, 'roles') as EndpointId[],
      tenantId: field.reqStr(i, 'tenantId'),
      keyId: field.reqStr(i, 'keyId'),
      human: field.bool(i, 'human'),
      signer: signerOf(i),
      mappings: field.strs(i, 'mappings'),
      grantId: field.reqStr(i, 'grantId'),
      used: field.bool(i, 'used'),
      validUntil: field.reqNum(i, 'validUntil'),
      expiresAt: field.num(i, 'expiresAt'),
    }),
    encode: (c) => ({ ...keys.oauthCode(codeHash), type: 'oauth-code', ...withSigner(c) }),
  };
}

/**
 * One grant (one approval). A grant revoked before it was opened (a racing
 * code reuse) holds only its id, `revokedAt` and `expiresAt`.
 */
export interface GrantRecord {
  readonly grantId: string;
  readonly tenantId: string;
  readonly keyId: string;
  readonly clientId: string;
  readonly roles: EndpointId[];
  readonly human: boolean;
  readonly signer: 'identity' | null;
  readonly mappings: string[];
  readonly resources: string[];
  /** Bumped by every refresh: a refresh token of an older generation is reuse. */
  readonly generation: number;
  readonly version: number;
  readonly createdAt: string | null;
  readonly expiresAt: number;
  readonly revokedAt: string | null;
}

export const grantCodec: Codec<GrantRecord> = {
  decode: (i) => ({
    grantId: field.reqStr(i, 'grantId'),
    tenantId: field.str(i, 'tenantId'),
    keyId: field.str(i, 'keyId'),
    clientId: field.str(i, 'clientId'),
    roles: field.strs(i, 'roles') as EndpointId[],
    human: field.bool(i, 'human'),
    signer: signerOf(i),
    mappings: field.strs(i, 'mappings'),
    resources: field.strs(i, 'resources'),
    generation: field.num(i, 'generation'),
    version: field.num(i, 'version'),
    createdAt: field.strOrNull(i, 'createdAt'),
    expiresAt: field.num(i, 'expiresAt'),
    revokedAt: field.strOrNull(i, 'revokedAt'),
  }),
  encode: (g) => {
    const { createdAt, revokedAt, ...rest } = withSigner(g);
    return { ...keys.oauthGrant(g.grantId), type: 'oauth-grant', ...rest, ...(createdAt !== null ? { createdAt } : {}), ...(revokedAt !== null ? { revokedAt } : {}) };
  },
};

/** An access token: the roles and resources it carries, valid until `validUntil` (epoch ms). */
export interface AccessTokenRecord {
  readonly roles: EndpointId[];
  readonly resources: string[];
  readonly validUntil: number;
  readonly expiresAt: number;
}

export function accessTokenCodec(grantId: string, tokenHash: string): Codec<AccessTokenRecord> {
  return {
    decode: (i) => ({ roles: field.strs(i, 'roles') as EndpointId[], resources: field.strs(i, 'resources'), validUntil: field.reqNum(i, 'validUntil'), expiresAt: field.num(i, 'expiresAt') }),
    encode: (t) => ({ ...keys.oauthAccessToken(grantId, tokenHash), type: 'oauth-access-token', ...t }),
  };
}

/** A refresh token: its client and the grant generation it was issued at. */
export interface RefreshTokenRecord {
  readonly clientId: string;
  readonly generation: number;
  readonly expiresAt: number;
}

export function refreshTokenCodec(grantId: string, tokenHash: string): Codec<RefreshTokenRecord> {
  return {
    decode: (i) => ({ clientId: field.reqStr(i, 'clientId'), generation: field.reqNum(i, 'generation'), expiresAt: field.num(i, 'expiresAt') }),
    encode: (t) => ({ ...keys.oauthRefreshToken(grantId, tokenHash), type: 'oauth-refresh-token', ...t }),
  };
}

/** `signer` and `mappings` are stored only for an upstream signer (an API-key signer's items have neither). */
function withSigner<T extends { signer: 'identity' | null; mappings: string[] }>(record: T): Omit<T, 'signer' | 'mappings'> & { signer?: 'identity'; mappings?: string[] } {
  const { signer, mappings, ...rest } = record;
  return signer === 'identity' ? { ...rest, signer, mappings } : rest;
}

function signerOf(i: Item): 'identity' | null {
  return field.strOrNull(i, 'signer') === null ? null : field.oneOf(i, 'signer', 'identity', ['identity'] as const);
}
