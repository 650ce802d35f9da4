import type { LocalConclave } from '../../functions/runtime/local.js';

/** A signed-in console session over plain fetch: the cookie, the CSRF token of the pages, and helpers. */
export class ConsoleSession {
  private constructor(
    readonly conclave: LocalConclave,
    readonly cookie: string,
  ) {}

  /** Signs in with a key through the sign-in form; throws unless the console answers with a session cookie. */
  static async signIn(conclave: LocalConclave, key: string): Promise<ConsoleSession> {
    const response = await signInRequest(conclave, key);
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('conclave_console='));
    if (response.status !== 303 || !cookie) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
    return new ConsoleSession(conclave, cookie.split(';')[0] as string);
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.conclave.url}${path}`, { headers: { cookie: this.cookie, ...headers }, redirect: 'manual' });
  }

  async page(path: string): Promise<string> {
    const response = await this.get(path);
    if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
    return response.text();
  }

  /** The CSRF token the console put in a page's forms. */
  async csrf(path = '/console'): Promise<string> {
    const token = /name="csrf" value="([^"]+)"/.exec(await this.page(path))?.[1];
    if (!token) throw new Error(`no CSRF token on ${path}`);
    return token;
  }

  post(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.conclave.url}${path}`, {
      method: 'POST',
      headers: { cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
    });
  }
}

/**
 * Posts the sign-in form as a browser would: first GET the form (its CSRF
 * token and the binding cookie set with it), then POST the key with both.
 */
export async function signInRequest(conclave: LocalConclave, key: string, headers: Record<string, string> = {}): Promise<Response> {
  const form = await fetch(`${conclave.url}/console/sign-in`);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const binding = form.headers.getSetCookie().find((c) => c.startsWith('conclave_csrf='))?.split(';')[0] ?? '';
  return fetch(`${conclave.url}/console/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: binding, ...headers },
    body: new URLSearchParams({ api_key: key, csrf }).toString(),
    redirect: 'manual',
  });
}
