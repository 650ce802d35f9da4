/**
 * An upstream OpenID Connect provider people sign in with on the consent
 * page (the stack's Cognito user pool, or a trusted issuer): the
 * authorization-code flow with PKCE, `state` and `nonce`, and a verified ID
 * token. The adapter owns the protocol (discovery, the token request, the ID
 * token's signature through the issuer's JWKS, `iss`, `aud`, `exp`,
 * `nonce`); the caller keeps the per-sign-in secrets between the redirect
 * and the callback.
 */
export interface IdentityProvider {
  /** The name shown on the button: "Sign in with <name>". */
  readonly name: string;
  /**
   * The origin of the provider's authorization endpoint (the consent page's
   * CSP must let its form's answer redirect there), or undefined while the
   * provider cannot be reached.
   */
  authorizationOrigin(): Promise<string | undefined>;
  /** Starts a sign-in: fresh state, nonce and PKCE verifier, and the provider URL to send the browser to. */
  begin(redirectUri: string): Promise<UpstreamAuthorization>;
  /**
   * Finishes a sign-in from the callback URL (as the browser requested it,
   * rebuilt on the configured public base URL): exchanges the code and
   * verifies the ID token. Throws IdentityProviderError when anything does not
   * hold (the provider's error, wrong state, bad signature, audience, nonce,
   * expiry).
   */
  finish(callbackUrl: URL, expected: UpstreamChecks): Promise<UpstreamPerson>;
}

/** The secrets of one sign-in, kept server-side until the callback. */
export interface UpstreamChecks {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

export interface UpstreamAuthorization extends UpstreamChecks {
  readonly url: string;
}

/** Who signed in, from the verified ID token. */
export interface UpstreamPerson {
  readonly issuer: string;
  readonly subject: string;
  readonly email?: string;
  readonly emailVerified: boolean;
  readonly groups: readonly string[];
}

/** Why an upstream sign-in failed; the message is safe to show to the person. */
export class IdentityProviderError extends Error {
  override name = 'IdentityProviderError';
}
