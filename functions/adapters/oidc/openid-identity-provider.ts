import * as oidc from 'openid-client';
import { IdentityProviderError, type IdentityProvider, type UpstreamAuthorization, type UpstreamChecks, type UpstreamPerson } from '../../ports/identity-provider.js';

/** The client Conclave is at the provider: its id and, for a confidential client, its secret. */
export interface OidcClientCredentials {
  readonly clientId: string;
  readonly clientSecret?: string;
}

export interface OpenIdProviderOptions {
  /** The issuer URL (discovery at `<issuer>/.well-known/openid-configuration`). */
  readonly issuer: string;
  /** Shown on the consent page's button. */
  readonly name: string;
  /** Loaded on first use (AWS: from Secrets Manager), then kept. */
  readonly credentials: () => Promise<OidcClientCredentials>;
  /** The ID token claim listing the person's groups (Cognito: `cognito:groups`). */
  readonly groupsClaim: string;
  /** Scopes asked for besides `openid`; default `email`. */
  readonly scopes?: readonly string[];
  /** Local testing only: accept an issuer on loopback http (CONCLAVE_OIDC_LOOPBACK_ISSUER). */
  readonly allowLoopbackHttp?: boolean;
  /** Seconds each request to the provider may take; default 5. */
  readonly timeoutSeconds?: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const MAX_GROUPS = 200;
const RETRY_AFTER_MS = 30_000;

/**
 * The upstream OpenID Connect provider through `openid-client` (v6, on
 * `oauth4webapi` and `jose`): discovery, the authorization URL with PKCE
 * S256, `state` and `nonce`, the code exchange, and ID token validation —
 * `iss`, `aud` (and `azp`), `exp`/`iat`, `nonce`, and (non-repudiation
 * checks on) the JWS signature against the issuer's JWKS, which the library
 * fetches and caches. Nothing of the protocol is written here.
 */
export class OpenIdIdentityProvider implements IdentityProvider {
  readonly name: string;
  private config: Promise<oidc.Configuration> | undefined;
  /** When discovery last failed: the consent page does not wait on an unreachable provider again for a while. */
  private failedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: OpenIdProviderOptions) {
    this.name = options.name;
    const url = new URL(options.issuer);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.allowLoopbackHttp && LOOPBACK.has(url.hostname))) {
      throw new IdentityProviderError(`the OpenID Connect issuer must be an https URL${options.allowLoopbackHttp ? ' or loopback http' : ''}: ${options.issuer}`);
    }
  }

  async authorizationOrigin(): Promise<string | undefined> {
    if (!this.config && Date.now() - this.failedAt < RETRY_AFTER_MS) return undefined;
    try {
      const endpoint = (await this.configuration()).serverMetadata().authorization_endpoint;
      return endpoint ? new URL(endpoint).origin : undefined;
    } catch {
      return undefined;
    }
  }

  async begin(redirectUri: string): Promise<UpstreamAuthorization> {
    const config = await this.configuration();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: ['openid', ...(this.options.scopes ?? ['email'])].join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state, nonce, codeVerifier };
  }

  async finish(callbackUrl: URL, expected: UpstreamChecks): Promise<UpstreamPerson> {
    const config = await this.configuration();
    let claims: oidc.IDToken | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: expected.codeVerifier,
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (error) {
      throw new IdentityProviderError(describe(error), { cause: error });
    }
    if (!claims) throw new IdentityProviderError('the provider returned no ID token');
    const groupsValue = (claims as Record<string, unknown>)[this.options.groupsClaim];
    const groups = (Array.isArray(groupsValue) ? groupsValue : typeof groupsValue === 'string' ? [groupsValue] : []).filter((g): g is string => typeof g === 'string').slice(0, MAX_GROUPS);
    const email = typeof claims.email === 'string' ? claims.email : undefined;
    return {
      issuer: claims.iss,
      subject: claims.sub,
      ...(email ? { email } : {}),
      emailVerified: claims.email_verified === true || claims.email_verified === 'true',
      groups,
    };
  }

  /** Discovery and client setup, once per process (retried after a failure). */
  private configuration(): Promise<oidc.Configuration> {
    this.config ??= this.discover().catch((error: unknown) => {
      this.config = undefined;
      this.failedAt = Date.now();
      throw error instanceof IdentityProviderError ? error : new IdentityProviderError(`the provider could not be reached: ${describe(error)}`, { cause: error });
    });
    return this.config;
  }

  private async discover(): Promise<oidc.Configuration> {
    const { clientId, clientSecret } = await this.options.credentials();
    const execute = [oidc.enableNonRepudiationChecks, ...(this.options.allowLoopbackHttp ? [oidc.allowInsecureRequests] : [])];
    return oidc.discovery(new URL(this.options.issuer), clientId, clientSecret, clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None(), {
      execute,
      timeout: this.options.timeoutSeconds ?? 5,
    });
  }
}

/** A message about a failed sign-in, safe to show (the library's codes and descriptions, never tokens). */
function describe(error: unknown): string {
  if (error instanceof oidc.AuthorizationResponseError) return `the provider answered ${error.error}${error.error_description ? `: ${error.error_description}` : ''}`;
  if (error instanceof oidc.ResponseBodyError) return `the provider refused the code: ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    // oauth4webapi names the ID token claim that failed (iss, aud, azp, nonce, exp, iat) in the error's cause.
    let claim: unknown;
    for (let cause: unknown = error.cause, depth = 0; cause && typeof cause === 'object' && claim === undefined && depth < 3; cause = (cause as { cause?: unknown }).cause, depth++) {
      claim = (cause as { claim?: unknown }).claim;
    }
    return `${error.message}${typeof claim === 'string' ? ` (claim ${claim})` : ''}${typeof code === 'string' ? ` (${code})` : ''}`.slice(0, 300);
  }
  return 'unknown error';
}
