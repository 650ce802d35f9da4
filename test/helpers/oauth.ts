import type { OAuthClientMetadata, OAuthClientProvider, OAuthDiscoveryState, StoredOAuthClientInformation, StoredOAuthTokens } from '@modelcontextprotocol/client';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An in-memory OAuthClientProvider for the MCP SDK v2 client's own OAuth
 * support: it records the authorization URL the SDK wants to open instead of
 * opening a browser; the test then plays the browser (consentAsBrowser).
 */
export class RecordingProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  client: StoredOAuthClientInformation | undefined;
  saved: StoredOAuthTokens | undefined;
  private verifier = '';
  private discovery: OAuthDiscoveryState | undefined;
  readonly invalidated: string[] = [];

  constructor(
    readonly redirectUrl: string,
    readonly clientMetadataUrl?: string,
    preset?: StoredOAuthClientInformation,
  ) {
    this.client = preset;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'Conclave SDK test client',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  state(): string {
    return 'state-' + randomBytes(6).toString('hex');
  }
  clientInformation(): StoredOAuthClientInformation | undefined {
    return this.client;
  }
  saveClientInformation(info: StoredOAuthClientInformation): void {
    this.client = info;
  }
  tokens(): StoredOAuthTokens | undefined {
    return this.saved;
  }
  saveTokens(tokens: StoredOAuthTokens): void {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL): void {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }
  codeVerifier(): string {
    return this.verifier;
  }
  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }
  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }
  invalidateCredentials(scope: string): void {
    this.invalidated.push(scope);
    if (scope === 'all' || scope === 'tokens') this.saved = undefined;
    if (scope === 'all' || scope === 'client') this.client = undefined;
  }
}

/** The fields of the consent page's form, as a browser would submit them (hidden inputs; HTML entities decoded). */
export function formFields(page: string): URLSearchParams {
  const form = /<form method="post" action="([^"]*)">([\s\S]*?)<\/form>/.exec(page);
  if (!form) throw new Error('no form on the page');
  const fields = new URLSearchParams();
  for (const input of (form[2] ?? '').matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields.append(decode(input[1] ?? ''), decode(input[2] ?? ''));
  return fields;
}

function decode(value: string): string {
  return value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

export interface ConsentResult {
  readonly status: number;
  readonly location?: string;
  readonly page?: string;
}

/**
 * Plays the browser: GETs the authorization URL (keeping the cookie the page
 * sets), fills the API key, and submits the form with the chosen button.
 * `tamper` may change the fields before the POST (attack tests).
 */
export async function consentAsBrowser(authorizationUrl: URL | string, apiKey: string, decision: 'approve' | 'deny' = 'approve', tamper?: (fields: URLSearchParams) => void): Promise<ConsentResult> {
  const page = await fetch(authorizationUrl, { redirect: 'manual' });
  if (page.status !== 200) return { status: page.status, ...(page.headers.get('location') ? { location: page.headers.get('location') as string } : { page: await page.text() }) };
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const fields = formFields(await page.text());
  fields.set('api_key', apiKey);
  fields.set('decision', decision);
  tamper?.(fields);
  const answer = await fetch(new URL('/oauth/authorize', authorizationUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: fields.toString(),
  });
  const location = answer.headers.get('location');
  return location ? { status: answer.status, location } : { status: answer.status, page: await answer.text() };
}

/** A PKCE pair (for raw protocol tests). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** POSTs a form to a token/revocation endpoint and returns status and JSON (if any). */
export async function postForm(url: string, fields: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A client's redirect URI on loopback: records every request the browser sends it (`/callback` and the favicon it also asks for). */
export interface RedirectTarget {
  readonly url: string;
  /** The last redirect that reached `/callback`. */
  lastCallback(): URL;
  close(): void;
}

export async function startRedirectTarget(): Promise<RedirectTarget> {
  const landed: URL[] = [];
  let url = '';
  const server = createServer((req, res) => {
    landed.push(new URL(req.url ?? '/', url));
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Done</title><p>You can close this window.</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  return {
    url,
    lastCallback: () => landed.filter((u) => u.pathname === '/callback').at(-1) as URL,
    close: () => server.close(),
  };
}
