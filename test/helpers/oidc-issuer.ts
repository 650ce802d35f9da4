import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

/** Who the test issuer signs in next (its "login page" approves at once). */
export interface IssuerUser {
  readonly sub: string;
  readonly email?: string;
  readonly emailVerified?: boolean;
  readonly groups?: readonly string[];
}

/** What an attack test changes in the next ID token. */
export interface IdTokenTamper {
  /** Sign with a key that is not in the JWKS. */
  readonly foreignKey?: boolean;
  readonly aud?: string;
  readonly nonce?: string;
  readonly iss?: string;
  /** Seconds from now; negative: already expired. */
  readonly expiresIn?: number;
}

/**
 * A tiny OpenID Connect issuer on 127.0.0.1 for end-to-end tests, built with
 * `jose`: discovery, JWKS (RS256), an authorization endpoint that signs in
 * `nextUser` at once and redirects back with a code, and a token endpoint
 * that checks the client (and its secret, when set), the code, the exact
 * redirect URI and the PKCE verifier before issuing a signed ID token.
 */
export class TestIssuer {
  url = '';
  nextUser: IssuerUser = { sub: 'user-1' };
  tamper: IdTokenTamper = {};
  /** The authorization requests received (their query parameters). */
  readonly authorizations: URLSearchParams[] = [];
  /** Token endpoint refusals (error codes). */
  readonly refusals: string[] = [];
  private server: Server | undefined;
  private key: KeyPair | undefined;
  private foreign: KeyPair | undefined;
  private jwk: JWK | undefined;
  private readonly codes = new Map<string, { user: IssuerUser; nonce: string; challenge: string; redirectUri: string; clientId: string }>();

  constructor(
    readonly clientId: string,
    readonly clientSecret?: string,
  ) {}

  async start(): Promise<this> {
    this.key = await generateKeyPair('RS256');
    this.foreign = await generateKeyPair('RS256');
    this.jwk = { ...(await exportJWK(this.key.publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
    this.server = createServer((req, res) => {
      void this.handle(req.method ?? 'GET', new URL(req.url ?? '/', this.url), req, res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(method: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: this.url,
        authorization_endpoint: `${this.url}/authorize`,
        token_endpoint: `${this.url}/token`,
        jwks_uri: `${this.url}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'none'],
        scopes_supported: ['openid', 'email'],
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [this.jwk] });
    if (url.pathname === '/authorize' && method === 'GET') {
      const q = url.searchParams;
      this.authorizations.push(q);
      const redirect = new URL(q.get('redirect_uri') ?? '');
      if (q.get('client_id') !== this.clientId || q.get('code_challenge_method') !== 'S256' || !q.get('nonce')) {
        redirect.searchParams.set('error', 'invalid_request');
      } else {
        const code = randomBytes(16).toString('hex');
        this.codes.set(code, { user: this.nextUser, nonce: q.get('nonce') ?? '', challenge: q.get('code_challenge') ?? '', redirectUri: q.get('redirect_uri') ?? '', clientId: this.clientId });
        redirect.searchParams.set('code', code);
      }
      redirect.searchParams.set('state', q.get('state') ?? '');
      res.writeHead(302, { location: redirect.href });
      res.end();
      return;
    }
    if (url.pathname === '/token' && method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const refuse = (error: string) => {
        this.refusals.push(error);
        return json(400, { error });
      };
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const [id, secret] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent) : [form.get('client_id'), form.get('client_secret')];
      if (id !== this.clientId || (this.clientSecret !== undefined && secret !== this.clientSecret)) return refuse('invalid_client');
      const code = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      if (!code || code.redirectUri !== form.get('redirect_uri')) return refuse('invalid_grant');
      const verifier = form.get('code_verifier') ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) return refuse('invalid_grant');
      const now = Math.floor(Date.now() / 1000);
      const t = this.tamper;
      const idToken = await new SignJWT({
        nonce: t.nonce ?? code.nonce,
        ...(code.user.email ? { email: code.user.email, email_verified: code.user.emailVerified ?? true } : {}),
        ...(code.user.groups ? { groups: code.user.groups } : {}),
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .setIssuer(t.iss ?? this.url)
        .setSubject(code.user.sub)
        .setAudience(t.aud ?? this.clientId)
        .setIssuedAt(now)
        .setExpirationTime(now + (t.expiresIn ?? 300))
        .sign(((t.foreignKey ? this.foreign : this.key) as KeyPair).privateKey);
      return json(200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
    }
    json(404, { error: 'not_found' });
  }
}
