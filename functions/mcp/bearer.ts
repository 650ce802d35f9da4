import { UnauthenticatedError } from '../core/errors.js';

/**
 * The key in an `Authorization: Bearer <key>` header; undefined when there is
 * no header (the authenticator reports the missing key). A header that is
 * there but not exactly one token after `Bearer` is refused with its own
 * message, so a client with a broken header learns that, not "missing key".
 */
export function bearerToken(header: string | null): string | undefined {
  if (header === null || header.trim() === '') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) {
    const scheme = header.trim().split(/\s+/)[0] ?? '';
    const why = /^bearer$/i.test(scheme) ? 'expected exactly one token after "Bearer"' : `the scheme must be "Bearer", not "${scheme.slice(0, 20)}"`;
    throw new UnauthenticatedError(`malformed Authorization header (${why})`);
  }
  return match[1];
}
