/**
 * Builds the consent page's upstream OpenID Connect provider from the
 * configuration (functions/runtime/config.ts `UpstreamIdentityConfig`). The
 * openid-client adapter (and, in AWS, the Secrets Manager client) are
 * imported on first use, so they stay out of the MCP function's handler file
 * and cost nothing where no provider is configured.
 */
import type { OidcClientCredentials } from '../adapters/oidc/openid-identity-provider.js';
import type { IdentityProvider } from '../ports/identity-provider.js';
import type { UpstreamIdentityConfig } from './config.js';

/** Where Conclave's client credentials at the provider come from. */
export type CredentialSource = () => Promise<OidcClientCredentials>;

export function upstreamIdentityProvider(config: UpstreamIdentityConfig, credentials: CredentialSource): IdentityProvider {
  let adapter: Promise<IdentityProvider> | undefined;
  const load = () =>
    (adapter ??= import('../adapters/oidc/openid-identity-provider.js').then(
      (m) => new m.OpenIdIdentityProvider({ issuer: config.issuer, name: config.name, credentials, groupsClaim: config.groupsClaim, allowLoopbackHttp: config.allowLoopbackHttp }),
    ));
  return {
    name: config.name,
    authorizationOrigin: async () => (await load()).authorizationOrigin(),
    begin: async (redirectUri) => (await load()).begin(redirectUri),
    finish: async (callbackUrl, expected) => (await load()).finish(callbackUrl, expected),
  };
}

/** Local: the client id and (optional) secret straight from the configuration. */
export function configuredCredentials(config: UpstreamIdentityConfig): CredentialSource {
  return async () => ({ clientId: config.clientId ?? '', ...(config.clientSecret ? { clientSecret: config.clientSecret } : {}) });
}

/**
 * AWS: the client secret from Secrets Manager (read once per cold start, on
 * the first sign-in). The secret is the client secret itself, or JSON
 * `{"client_id": …, "client_secret": …}` (the stack's Cognito client stores
 * its id there: the function cannot name it in its environment without a
 * dependency cycle through the callback URL).
 */
export function secretsManagerCredentials(config: UpstreamIdentityConfig): CredentialSource {
  let loaded: Promise<OidcClientCredentials> | undefined;
  return () =>
    (loaded ??= (async () => {
      if (!config.clientSecretId) return { clientId: config.clientId ?? '' };
      const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
      const client = new SecretsManagerClient({ maxAttempts: 2 });
      try {
        const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: config.clientSecretId }));
        return parseSecret(SecretString ?? '', config.clientId);
      } finally {
        client.destroy();
      }
    })().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    }));
}

/** A secret string: JSON with `client_id`/`client_secret`, or the bare client secret. */
export function parseSecret(value: string, clientId: string | undefined): OidcClientCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === 'object') {
    const record = parsed as Record<string, unknown>;
    const id = typeof record.client_id === 'string' ? record.client_id : clientId;
    if (!id) throw new Error('the OpenID Connect client secret names no client_id and none is configured');
    return { clientId: id, ...(typeof record.client_secret === 'string' && record.client_secret ? { clientSecret: record.client_secret } : {}) };
  }
  if (!clientId) throw new Error('the OpenID Connect client id is not configured');
  return { clientId, ...(value ? { clientSecret: value } : {}) };
}
