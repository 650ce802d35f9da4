import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * CSRF protection for Conclave's server-rendered forms: a token that is an
 * HMAC over (purpose, binding, expiry) with a server secret.
 *
 * - `binding` ties the token to one browser: a session id (the console's
 *   session cookie) or, before sign-in, a random value the server sets in an
 *   HttpOnly, SameSite=Strict cookie (`bindingCookie`). A forged cross-site
 *   POST carries neither the cookie (SameSite) nor a token that matches it.
 * - `purpose` ties it to one form (e.g. `oauth-consent`, `console-approve`),
 *   so a token for one form is useless on another.
 * - The expiry bounds replay; tokens are stateless (nothing is stored).
 *
 * The secret must be the same on every instance that serves the form (see
 * loadWebSecret in ./secret.ts).
 */

/** Name of the cookie holding the pre-sign-in binding. */
export const CSRF_COOKIE = 'conclave_csrf';
/** How long a form token stays valid by default (30 minutes). */
export const CSRF_TTL_MS = 30 * 60 * 1000;

export interface CsrfContext {
  /** Server secret (at least 32 bytes). */
  readonly secret: Uint8Array;
  /** Which form this token is for. */
  readonly purpose: string;
  /** The browser binding: a session id or the CSRF cookie's value. */
  readonly binding: string;
  /** Now, in ms (the Clock port). */
  readonly now: number;
}

/** Issues a token for one form; embed it as a hidden `csrf` field. */
export function issueCsrfToken(context: CsrfContext, ttlMs = CSRF_TTL_MS): string {
  if (context.secret.byteLength < 32) throw new Error('CSRF secret must be at least 32 bytes');
  const expires = Math.floor(context.now + ttlMs).toString(36);
  return `${expires}.${mac(context, expires)}`;
}

/** True when `token` was issued for this purpose and binding and has not expired. Constant-time. */
export function verifyCsrfToken(context: CsrfContext, token: string | null | undefined): boolean {
  if (!token || token.length > 200 || !context.binding) return false;
  const [expires, signature, extra] = token.split('.');
  if (!expires || !signature || extra !== undefined) return false;
  const expiresAt = parseInt(expires, 36);
  if (!Number.isFinite(expiresAt) || expiresAt < context.now) return false;
  const expected = Buffer.from(mac(context, expires));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function mac(context: CsrfContext, expires: string): string {
  return createHmac('sha256', context.secret).update(`${context.purpose}\n${context.binding}\n${expires}`).digest('base64url');
}

/** A fresh random binding value for the CSRF cookie. */
export function newCsrfBinding(): string {
  return randomBytes(24).toString('base64url');
}

export interface CookieOptions {
  /** Add `Secure` (set when the public URL is https; browsers drop Secure cookies on plain http). */
  readonly secure: boolean;
  /** Cookie path; default `/`. */
  readonly path?: string;
  /** Lifetime in seconds; default 1800. */
  readonly maxAgeSeconds?: number;
}

/** A `Set-Cookie` value: HttpOnly, SameSite=Strict, Secure when asked. */
export function cookieHeader(name: string, value: string, options: CookieOptions): string {
  return [
    `${name}=${value}`,
    `Path=${options.path ?? '/'}`,
    `Max-Age=${options.maxAgeSeconds ?? 1800}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/** The `Set-Cookie` value for the CSRF binding cookie. */
export function bindingCookie(value: string, options: CookieOptions): string {
  return cookieHeader(CSRF_COOKIE, value, options);
}

/** Reads one cookie from a request (undefined when absent or malformed). */
export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_.~-]{1,512}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}
