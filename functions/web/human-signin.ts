import type { EndpointId } from '../contracts/roles.js';
import { UnauthenticatedError } from '../core/errors.js';
import type { Principal } from '../core/principal.js';
import { html, type SafeHtml } from './html.js';

/**
 * The human sign-in shared by the OAuth consent page and the web console: a
 * person types a Conclave API key into a form (no JavaScript needed), and
 * the key is checked by the same authenticator the MCP endpoints use. Only a
 * HUMAN key signs in: an agent's key is refused with a clear message, so a
 * page that acts for a person (consent, the board's console) never acts for
 * an automation key.
 */

/** Name of the form field carrying the key. */
export const API_KEY_FIELD = 'api_key';

/** Resolves a presented API key to its principal; throws UnauthenticatedError when it is unknown, malformed or revoked. */
export type KeyAuthenticator = (presentedKey: string | undefined) => Promise<Principal>;

/** A person who signed in: the key's tenant, the roles it may act as, and its public key id. */
export interface HumanSignIn {
  readonly tenantId: string;
  /** Public id of the key used (never the key itself). */
  readonly keyId: string;
  readonly roles: readonly EndpointId[];
  /** Always true: only human keys sign in. */
  readonly human: true;
}

/** The outcome of a sign-in: the person, or a message safe to show on the page. */
export type SignInResult = { readonly ok: true; readonly person: HumanSignIn } | { readonly ok: false; readonly message: string };

/** Longest key accepted from the form (keys are at most 256 characters). */
const MAX_KEY_LENGTH = 256;

/**
 * Checks a key typed into the form. Unknown, malformed and revoked keys get
 * one message (no oracle); a valid non-human key gets its own message.
 * Other errors (a failing store) are thrown to the caller.
 */
export async function signInHuman(authenticate: KeyAuthenticator, presentedKey: string | null | undefined): Promise<SignInResult> {
  const key = (presentedKey ?? '').trim();
  if (!key) return { ok: false, message: 'Enter your Conclave API key.' };
  if (key.length > MAX_KEY_LENGTH) return { ok: false, message: 'That API key is not valid or has been revoked.' };
  let principal: Principal;
  try {
    principal = await authenticate(key);
  } catch (error) {
    if (error instanceof UnauthenticatedError) return { ok: false, message: 'That API key is not valid or has been revoked.' };
    throw error;
  }
  if (!principal.human) {
    return { ok: false, message: 'This is an agent key. Only a person may sign in here: use a key created with --human (npm run keys -- create … --human).' };
  }
  return { ok: true, person: { tenantId: principal.tenantId, keyId: principal.keyId, roles: principal.roles, human: true } };
}

export interface SignInFieldsOptions {
  /** A message from a failed attempt, shown above the field and announced to screen readers. */
  readonly error?: string;
  /** Hint under the field; default explains where keys come from. */
  readonly hint?: string;
}

/**
 * The labelled API-key field (and an error, if any) to place inside a form.
 * The field is a password input (not echoed, not autocompleted into other
 * sites), described by its hint and, after a failure, by the error.
 */
export function signInFields(options: SignInFieldsOptions = {}): SafeHtml {
  const hint = options.hint ?? 'A human Conclave API key (npm run keys -- create <tenant> <roles> --human). It is checked once and not stored.';
  return html`${options.error ? html`<p class="error" id="signin-error" role="alert">${options.error}</p>` : ''}
<label for="${API_KEY_FIELD}">Conclave API key</label>
<input type="password" id="${API_KEY_FIELD}" name="${API_KEY_FIELD}" required autocomplete="off" spellcheck="false" maxlength="${MAX_KEY_LENGTH}" aria-describedby="${API_KEY_FIELD}-hint${options.error ? ' signin-error' : ''}"${options.error ? html` aria-invalid="true" autofocus` : ''}>
<p class="hint" id="${API_KEY_FIELD}-hint">${hint}</p>`;
}

export interface SignInFormOptions extends SignInFieldsOptions {
  /** Where the form posts (same origin). */
  readonly action: string;
  /** The CSRF token for this form (./csrf.ts), sent as the `csrf` field. */
  readonly csrfToken: string;
  /** Extra hidden fields to carry through the POST. */
  readonly hidden?: Readonly<Record<string, string>>;
  /** Label of the submit button; default "Sign in". */
  readonly submitLabel?: string;
}

/** A complete sign-in form (POST, no JavaScript): hidden fields, CSRF token, the key field and a submit button. */
export function renderSignInForm(options: SignInFormOptions): SafeHtml {
  const hidden = Object.entries(options.hidden ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  return html`<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrfToken}">
${hidden}
${signInFields(options)}
<div class="actions"><button type="submit" class="primary">${options.submitLabel ?? 'Sign in'}</button></div>
</form>`;
}
