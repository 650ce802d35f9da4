import { createHash } from 'node:crypto';

/**
 * Server-rendered HTML for Conclave's human pages (the OAuth consent page,
 * the console). No JavaScript, no third-party origin: every page ships one
 * inline stylesheet allowed by its hash, and the Content-Security-Policy
 * forbids everything else, including being framed (`frame-ancestors 'none'`).
 */

/** Escapes text for an HTML text node or a double-quoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`=]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A fragment of HTML that is already safe to embed (built with `html`). */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type HtmlValue = string | number | SafeHtml | readonly HtmlValue[] | undefined | null | false;

function render(value: HtmlValue): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((v: HtmlValue) => render(v)).join('');
  return escapeHtml(String(value));
}

/**
 * Tagged template that escapes every interpolated value unless it is
 * itself `SafeHtml` (a nested `html` result). Arrays are joined.
 * `html\`<p>${name}</p>\`` is safe for any `name`.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/**
 * The one stylesheet: system fonts, high contrast (text #111 on #fff is
 * 18.9:1; the primary button's white on #1a4d8f is 8.6:1), a visible focus
 * ring for keyboard users, and a layout that works from 320 px wide.
 */
const STYLE = `
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111;background:#f4f5f7}
main{max-width:36rem;margin:2rem auto;padding:1.5rem;background:#fff;border:1px solid #c9ccd1;border-radius:8px}
h1{font-size:1.5rem;margin:0 0 1rem}
h2{font-size:1.125rem;margin:1.25rem 0 .5rem}
p,ul{margin:.5rem 0}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=password],input[type=text]{width:100%;padding:.6rem;font:inherit;border:2px solid #555;border-radius:4px}
.hint{color:#333;font-size:.9rem}
.actions{display:flex;gap:.75rem;margin-top:1.25rem;flex-wrap:wrap}
button{font:inherit;font-weight:600;padding:.6rem 1.2rem;border-radius:4px;border:2px solid #1a4d8f;cursor:pointer}
button.primary{background:#1a4d8f;color:#fff}
button.secondary{background:#fff;color:#1a4d8f}
:focus-visible{outline:3px solid #b35c00;outline-offset:2px}
.error{border-left:4px solid #a4000f;background:#fdecee;color:#5c0009;padding:.5rem .75rem}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;background:#eef0f3;padding:0 .25rem;border-radius:3px;word-break:break-all}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

export interface PageOptions {
  readonly title: string;
  /** The page body inside `<main>` (build it with `html`). */
  readonly body: SafeHtml;
  /** HTTP status; default 200. */
  readonly status?: number;
  /**
   * Where this page's forms may submit to, besides `'self'`. Browsers apply
   * `form-action` to the redirect that follows a POST as well, so a form whose
   * answer redirects elsewhere (OAuth consent → the client's redirect URI)
   * must list that origin here.
   */
  readonly formTargets?: readonly string[];
  /** Extra response headers (e.g. `set-cookie`; append more with `headers.append`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The security headers every HTML page carries: a CSP allowing only the
 * inline stylesheet and same-origin forms, no framing, no sniffing, no
 * referrer (URLs may carry OAuth parameters), never cached.
 */
export function pageSecurityHeaders(formTargets: readonly string[] = []): Record<string, string> {
  const formAction = ["'self'", ...formTargets].join(' ');
  return {
    'content-security-policy': `default-src 'none'; style-src ${STYLE_HASH}; img-src 'self'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

/** A complete HTML document with the security headers (see pageSecurityHeaders). */
export function htmlPage(options: PageOptions): Response {
  const document = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${options.title}</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body>
<main id="main">
${options.body}
</main>
</body>
</html>
`;
  const headers = new Headers({ 'content-type': 'text/html; charset=utf-8', ...pageSecurityHeaders(options.formTargets), ...options.headers });
  return new Response(document.value, { status: options.status ?? 200, headers });
}

/** A simple error page: a heading and a message (both escaped). */
export function errorPage(status: number, title: string, message: string): Response {
  return htmlPage({ title, status, body: html`<h1>${title}</h1><p class="error" role="alert">${message}</p>` });
}

/**
 * Reads an `application/x-www-form-urlencoded` body (what a no-JS form posts),
 * refusing other content types and bodies over `maxBytes`.
 */
export async function readForm(request: Request, maxBytes = 16 * 1024): Promise<URLSearchParams | undefined> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return undefined;
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) return undefined;
  const text = await readLimitedText(request, maxBytes);
  return text === undefined ? undefined : new URLSearchParams(text);
}

/** Reads a request body as UTF-8 text, stopping (undefined) as soon as it exceeds `maxBytes`. */
export async function readLimitedText(request: Request, maxBytes: number): Promise<string | undefined> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
