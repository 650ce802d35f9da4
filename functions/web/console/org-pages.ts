import type { OrganizationView } from '../../core/console/organization.js';
import type { AuditPage } from '../../core/audit/audit-log.js';
import type { Decision } from '../../core/decisions/model.js';
import type { RunStatusView, RunView } from '../../core/workflows/model.js';
import { BOARD, ENDPOINTS } from '../../contracts/roles.js';
import { MAX_AUTHORITY_USD } from '../../core/org/org-chart.js';
import { badge, usd, when, type Viewer } from './layout.js';
import { stageTimeline, title } from './queue-pages.js';
import { html, type SafeHtml } from '../html.js';

/** The organization: health score and causes, then the chart with authority and each agent's status. */
export function organizationRegion(o: OrganizationView): SafeHtml {
  const agents = new Map(o.agents.map((a) => [a.role, a]));
  return html`<section aria-labelledby="health-heading"><h2 id="health-heading">Organizational health</h2>
<p><span class="score" data-testid="health-score">${o.health.health_score}</span> / 100 ${badge(o.health.status)}</p>
${o.health.issues.length === 0 ? html`<p>No issue found.</p>` : html`<h3>Causes</h3><ul>${o.health.signals.filter((s) => s.count > 0).map(
    (s) => html`<li><strong>${s.metric}</strong>: ${s.count} finding${s.count === 1 ? '' : 's'}, −${s.penalty} of at most ${s.max_penalty}<ul>${s.details.map((d) => html`<li>${d}</li>`)}</ul></li>`,
  )}</ul>`}
${o.health.recommendations.length ? html`<h3>Recommendations</h3><ul>${o.health.recommendations.map((r) => html`<li>${r}</li>`)}</ul>` : ''}
<p class="muted">Computed ${when(o.health.computed_at)}.</p></section>
<section aria-labelledby="chart-heading"><h2 id="chart-heading">Org chart</h2>
<table><caption>Every role under the board, with its authority and its agent's status</caption>
<thead><tr><th scope="col">Role</th><th scope="col">Reports to</th><th scope="col" class="num">Authority</th><th scope="col">Agent</th><th scope="col">Last heartbeat</th></tr></thead>
<tbody><tr><th scope="row">The board (board)</th><td>—</td><td class="num">unlimited</td><td>human</td><td>—</td></tr>
${o.chart.map((r) => {
    const a = agents.get(r.id);
    return html`<tr><th scope="row" class="indent-${Math.min(r.depth + 1, 3)}">${r.title} <span class="muted">(${r.id})</span></th><td>${r.reportsTo}</td><td class="num">${usd(r.authorityUsd)}</td><td>${a ? badge(a.status) : '—'}</td><td>${when(a?.last_heartbeat)}</td></tr>`;
  })}</tbody></table></section>`;
}

/**
 * The board's chart editor, after the live chart (so polling never replaces a
 * half-typed form): one form per field, posted to the same use cases as
 * `set_authority` and `set_reports_to`. Anyone else reads the chart only.
 */
export function chartForms(o: OrganizationView, viewer: Viewer): SafeHtml {
  if (viewer.actingAs !== BOARD) return html`<p class="muted" data-testid="chart-read-only">Only the board edits the org chart; you read it.</p>`;
  const roles = (id: string, selected?: string) =>
    html`<select id="${id}" name="role" required>${o.chart.map((r) => html`<option value="${r.id}"${r.id === selected ? html` selected` : ''}>${r.title} (${r.id})</option>`)}</select>`;
  return html`<section aria-labelledby="edit-chart-heading"><h2 id="edit-chart-heading">Edit the org chart</h2>
<p class="muted">Changes take effect on the next request, are audited and are refused whole if invalid (e.g. a reporting cycle).</p>
<form method="post" action="/console/organization/authority" class="card" aria-labelledby="authority-heading">
<h3 id="authority-heading">Set a role's authority limit</h3>
<input type="hidden" name="csrf" value="${viewer.csrf}">
<div><label for="authority-role">Role</label>${roles('authority-role')}</div>
<div><label for="authority-limit">Authority limit (USD, whole cents at most)</label><input id="authority-limit" name="limit" type="number" min="0" max="${MAX_AUTHORITY_USD}" step="0.01" required></div>
<div><button type="submit">Set authority</button></div></form>
<form method="post" action="/console/organization/reports-to" class="card" aria-labelledby="reports-heading">
<h3 id="reports-heading">Set whom a role reports to</h3>
<input type="hidden" name="csrf" value="${viewer.csrf}">
<div><label for="reports-role">Role</label>${roles('reports-role')}</div>
<div><label for="reports-to">Reports to</label><select id="reports-to" name="reports_to" required>${ENDPOINTS.map((e) => html`<option value="${e}">${e}</option>`)}</select></div>
<div><button type="submit">Set reporting line</button></div></form></section>`;
}

export function decisionsRegion(decisions: readonly Decision[], next: string | null, query: URLSearchParams): SafeHtml {
  const more = new URLSearchParams(query);
  if (next) more.set('cursor', next);
  return html`${decisions.length === 0 ? html`<p>No decision matches.</p>` : html`<table><caption>Decisions, newest first</caption>
<thead><tr><th scope="col">Decision</th><th scope="col">Status</th><th scope="col">Mode</th><th scope="col" class="num">Amount</th><th scope="col">Initiator</th><th scope="col">Awaiting</th><th scope="col">Created</th></tr></thead>
<tbody>${decisions.map((d) => html`<tr><th scope="row"><a href="/console/decisions/${d.decision_id}">${title(d)}</a></th><td>${badge(d.status)}</td><td>${d.mode}</td><td class="num">${usd(d.amount)}</td><td>${d.initiator}</td><td>${d.awaiting ?? '—'}</td><td>${when(d.created_at)}</td></tr>`)}</tbody></table>`}
${next ? html`<p><a href="/console/decisions?${more.toString()}">Older decisions</a></p>` : ''}`;
}

export function runsRegion(runs: readonly RunView[], next: string | null, query: URLSearchParams): SafeHtml {
  const more = new URLSearchParams(query);
  if (next) more.set('cursor', next);
  return html`${runs.length === 0 ? html`<p>No workflow run matches.</p>` : html`<table><caption>Workflow runs, newest first</caption>
<thead><tr><th scope="col">Run</th><th scope="col">Workflow</th><th scope="col">Status</th><th scope="col">Current stage</th><th scope="col">Waits on</th><th scope="col">Started</th></tr></thead>
<tbody>${runs.map((r) => html`<tr><th scope="row"><a href="/console/runs/${r.run_id}">${r.title || r.run_id}</a></th><td>${r.workflow.replace(/_/g, ' ')}</td><td>${badge(r.status)}</td><td>${r.current_stage ?? '—'}</td><td>${waitsOn(r)}</td><td>${when(r.started_at)}</td></tr>`)}</tbody></table>`}
${next ? html`<p><a href="/console/runs?${more.toString()}">Older runs</a></p>` : ''}`;
}

function waitsOn(r: RunView): string {
  if (r.status !== 'running') return '—';
  if (r.waiting_on.length) return r.waiting_on.join(', ');
  return r.decision_id ? `decision ${r.decision_id}` : 'the engine (a step is running)';
}

export function runRegion(run: RunStatusView): SafeHtml {
  return html`<dl class="facts"><dt>Workflow</dt><dd>${run.workflow.replace(/_/g, ' ')}</dd><dt>Status</dt><dd>${badge(run.status)}</dd>
<dt>Started</dt><dd>${when(run.started_at)} by ${run.initiator}</dd><dt>Ended</dt><dd>${when(run.ended_at)}</dd>
<dt>Waits on</dt><dd>${waitsOn(run)}</dd>
${run.decision_id ? html`<dt>Decision</dt><dd><a href="/console/decisions/${run.decision_id}">${run.decision_id}</a></dd>` : ''}
${run.outcome ? html`<dt>Outcome</dt><dd>${run.outcome}</dd>` : ''}${run.cause ? html`<dt>Cause</dt><dd>${run.cause}</dd>` : ''}</dl>
${run.open_tasks.length ? html`<h2>Open tasks</h2><ul>${run.open_tasks.map((t) => html`<li><strong>${t.assignee}</strong>: ${t.title} (due ${when(t.due_at)}, ${t.reminders} reminder${t.reminders === 1 ? '' : 's'})</li>`)}</ul>` : ''}
<h2>Stage timeline</h2>${stageTimeline(run)}`;
}

export function auditRegion(page: AuditPage, query: URLSearchParams): SafeHtml {
  const more = new URLSearchParams(query);
  if (page.next_cursor) more.set('cursor', page.next_cursor);
  const range = page.from === page.to ? page.from : `${page.from} to ${page.to}`;
  return html`${page.entries.length === 0
    ? html`<p>No audited change matches on ${range}.</p>`
    : html`<table><caption>Audit trail, ${range} (UTC), newest first</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Object</th><th scope="col">Outcome</th><th scope="col" class="num">ms</th><th scope="col">Correlation id</th></tr></thead>
<tbody>${page.entries.map((e) => html`<tr><td>${when(e.at)}</td><td>${e.actor.type === 'system' ? html`system: ${e.actor.component ?? '—'}` : html`<code>${e.key_id ?? '—'}</code>`}${e.role ? html` as ${e.role}` : ''}</td><th scope="row">${e.action}</th><td>${e.object_id ?? '—'}</td><td>${badge(e.outcome)}${e.error_code ? html` <span class="muted">${e.error_code}</span>` : ''}</td><td class="num">${e.duration_ms ?? '—'}</td><td><code>${e.correlation_id}</code></td></tr>`)}</tbody></table>`}
${page.next_cursor ? html`<p><a href="/console/audit?${more.toString()}">Older entries</a></p>` : ''}`;
}
