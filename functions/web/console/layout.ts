import { ASSETS } from './assets.js';
import { html, type SafeHtml } from '../html.js';

/** The console's sections, in navigation order. */
export const SECTIONS = [
  { id: 'queue', path: '/console', label: 'What awaits me' },
  { id: 'organization', path: '/console/organization', label: 'Organization' },
  { id: 'decisions', path: '/console/decisions', label: 'Decisions' },
  { id: 'runs', path: '/console/runs', label: 'Workflow runs' },
  { id: 'audit', path: '/console/audit', label: 'Audit trail' },
] as const;
export type SectionId = (typeof SECTIONS)[number]['id'];

/**
 * Every response of the console carries these. The CSP allows this origin's
 * hashed stylesheet and script and nothing else: no inline code, no other
 * origin, no framing, forms posting only here.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

export interface Viewer {
  readonly tenantId: string;
  readonly actingAs: string;
  readonly csrf: string;
}

export interface PageInput {
  readonly title: string;
  /** The section highlighted in the navigation; none on the sign-in page. */
  readonly section?: SectionId;
  /** Absent on the sign-in page. */
  readonly viewer?: Viewer;
  /** Page content outside the live region (headings, filters, forms). */
  readonly body: SafeHtml;
  /** The region refreshed without reloading (see assets.ts), if the page has one. */
  readonly live?: SafeHtml;
  /** Content after the live region (the ruling form, read after the facts it rules on). */
  readonly after?: SafeHtml;
  /** A notice or error shown above the content. */
  readonly flash?: { kind: 'notice' | 'error'; text: string };
}

/** A whole console page. */
export function page(input: PageInput): string {
  const nav = input.viewer
    ? html`<nav aria-label="Console"><ul>${SECTIONS.map(
        (s) => html`<li><a href="${s.path}"${s.id === input.section ? html` aria-current="page"` : ''}>${s.label}</a></li>`,
      )}</ul></nav>
      <span>Tenant <strong>${input.viewer.tenantId}</strong>, acting as <strong>${input.viewer.actingAs}</strong></span>
      <form method="post" action="/console/sign-out"><input type="hidden" name="csrf" value="${input.viewer.csrf}"><button type="submit">Sign out</button></form>`
    : '';
  const flash = input.flash
    ? html`<div class="${input.flash.kind}" role="${input.flash.kind === 'error' ? 'alert' : 'status'}">${input.flash.text}</div>`
    : '';
  const live = input.live
    ? html`<p class="live-status muted" data-live-status>Updates every 5 seconds.</p><div data-live="5000">${input.live}</div>`
    : '';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${input.title} · Conclave console</title>
<link rel="icon" href="${ASSETS.icon.path}" type="image/svg+xml">
<link rel="stylesheet" href="${ASSETS.css.path}">
${input.live ? html`<script src="${ASSETS.js.path}" defer></script>` : ''}
</head><body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="/console">Conclave</a>${nav}</header>
<main id="main" tabindex="-1"><h1>${input.title}</h1>${flash}${input.body}${live}${input.after ?? ''}</main>
</body></html>`.value;
}

/** A US-dollar amount, or a dash. */
export function usd(amount: number | null | undefined): string {
  return amount === null || amount === undefined ? '—' : `$${amount.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;
}

/** An ISO time as `YYYY-MM-DD HH:MM UTC`, in a <time> element. */
export function when(iso: string | null | undefined): SafeHtml {
  if (!iso) return html`—`;
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

/** A status word as a coloured badge (colour is never the only signal: the word is the text). */
export function badge(status: string): SafeHtml {
  return html`<span class="badge s-${status.replace(/[^a-z_]/g, '')}">${status.replace(/_/g, ' ')}</span>`;
}

/** A <select> with a label; `value` is preselected; the first option means "any". */
export function select(name: string, label: string, options: readonly string[], value: string | undefined): SafeHtml {
  return html`<div><label for="f-${name}">${label}</label><select id="f-${name}" name="${name}"><option value="">Any</option>${options.map(
    (o) => html`<option value="${o}"${o === value ? html` selected` : ''}>${o.replace(/_/g, ' ')}</option>`,
  )}</select></div>`;
}
