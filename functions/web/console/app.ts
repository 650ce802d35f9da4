import { randomUUID } from 'node:crypto';
import { BOARD, ENDPOINTS, type EndpointId } from '../../contracts/roles.js';
import { MACHINES, RUN_STATUSES, isMachineId, type RunStatus } from '../../contracts/workflows.js';
import { recordAudit } from '../../core/audit/audit.js';
import { listAuditLog } from '../../core/audit/audit-log.js';
import { authenticate } from '../../core/auth/api-keys.js';
import { decisionContext, whatAwaits } from '../../core/console/awaiting.js';
import { organizationView } from '../../core/console/organization.js';
import { setAuthority, setReportsTo } from '../../core/org/org-chart.js';
import type { Deps } from '../../core/context.js';
import { listDecisions, ruleOnDecision } from '../../core/decisions/decisions.js';
import type { DecisionMode, DecisionStatus } from '../../core/decisions/model.js';
import { ConclaveError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.js';
import type { TaskOutcome } from '../../contracts/workflows.js';
import { getRunStatus, listRuns } from '../../core/workflows/run-views.js';
import { completeTask } from '../../core/workflows/tasks.js';
import { assetAt } from './assets.js';
import { page, SECURITY_HEADERS, select, type Viewer } from './layout.js';
import { auditRegion, chartForms, decisionsRegion, organizationRegion, runRegion, runsRegion } from './org-pages.js';
import { decisionRegion, queueRegion, RATIONALE_MAX, rulingForm, title } from './queue-pages.js';
import { csrfMatches, endSession, isLoopbackHttp, readSession, sessionCookie, sessionCsrf, startSession, type ConsoleSession } from './session.js';
import { bindingCookie, CSRF_COOKIE, issueCsrfToken, newCsrfBinding, readCookie, verifyCsrfToken } from '../csrf.js';
import { readForm } from '../html.js';
import { API_KEY_FIELD, renderSignInForm, signInHuman } from '../human-signin.js';
import { cachedWebSecret } from '../secret.js';
import { html } from '../html.js';

/** Largest form body the console reads. */
const MAX_FORM_BYTES = 16 * 1024;
/** The CSRF purpose of the sign-in form. */
const SIGN_IN_PURPOSE = 'console-signin';
const SIGN_IN_HINT = 'A human Conclave API key of your tenant (npm run keys -- create --tenant <tenant> --roles board --human). It is checked once and not stored.';
const ID_PATTERN = /^[0-9A-Za-z_-]{1,80}$/;
const STATUSES: readonly DecisionStatus[] = ['pending', 'escalated', 'approved', 'rejected', 'expired'];
const MODES: readonly DecisionMode[] = ['autonomous', 'collaborative', 'hierarchical', 'human'];

/** A request the console refuses, with the status and the sentence the person sees. */
class ConsoleRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ConsoleRefusal';
  }
}

/**
 * The board's console, `/console/*`: server-rendered pages for human
 * principals, on the same HTTP app as the MCP endpoints (locally and behind
 * the Function URL). Handlers parse, call one read model or use case, render.
 * A ruling goes through `ruleOnDecision`, the use case of `rule_on_decision`.
 */
export function createConsole(deps: Deps): (request: Request) => Promise<Response> {
  const secret = cachedWebSecret(deps.store);
  return async (request) => {
    const url = new URL(request.url);
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    try {
      const asset = assetAt(path);
      if (asset) return respond(asset.body, 200, { 'content-type': asset.type, 'cache-control': 'public, max-age=31536000, immutable' });
      if (path === '/console/sign-in') return method === 'POST' ? await signIn(request, url) : await signInPage(request, url);
      if (method !== 'GET' && method !== 'POST') throw new ConsoleRefusal(405, `${request.method} is not allowed here`);
      const session = await readSession(deps, request, url);
      if (!session) {
        if (request.headers.get('x-console-live')) return respond('sign in again', 401, { 'content-type': 'text/plain; charset=utf-8' });
        return redirect('/console/sign-in');
      }
      const viewer: Viewer = { tenantId: session.tenantId, actingAs: actingAs(session), csrf: sessionCsrf(await secret(), session, deps.clock.now()) };
      if (method === 'POST') return await change(request, url, path, session, viewer);
      return await view(request, url, path, viewer);
    } catch (error) {
      return failure(error);
    }
  };

  async function view(request: Request, url: URL, path: string, viewer: Viewer): Promise<Response> {
    const live = request.headers.get('x-console-live') !== null;
    const q = url.searchParams;
    const render = (title: string, section: Parameters<typeof page>[0]['section'], body: ReturnType<typeof html>, region: ReturnType<typeof html>, flash?: { kind: 'notice' | 'error'; text: string }) =>
      live ? htmlResponse(region.value) : htmlResponse(page({ title, ...(section ? { section } : {}), viewer, body, live: region, ...(flash ? { flash } : {}) }));
    const me = viewer.actingAs as EndpointId;
    if (path === '/console') {
      return render('What awaits me', 'queue', html``, queueRegion(await whatAwaits(deps, { tenantId: viewer.tenantId, viewer: me }), viewer), flashOf(q));
    }
    if (path === '/console/organization') return organizationPage(viewer, live, flashOf(q));
    if (path === '/console/decisions') {
      const status = pick(q, 'status', STATUSES);
      const mode = pick(q, 'mode', MODES);
      const awaiting = pick(q, 'awaiting', ENDPOINTS);
      const cursor = bounded(q, 'cursor', 2000);
      const listed = await listDecisions(deps, { tenantId: viewer.tenantId, limit: 25, ...(status ? { status } : {}), ...(mode ? { mode } : {}), ...(awaiting ? { awaiting } : {}), ...(cursor ? { cursor } : {}) });
      const filters = html`<form class="filters" method="get" action="/console/decisions" role="search" aria-label="Filter decisions">${select('status', 'Status', STATUSES, status)}${select('mode', 'Mode', MODES, mode)}${select('awaiting', 'Awaiting', ENDPOINTS, awaiting)}<div><button type="submit">Filter</button></div></form>`;
      return render('Decisions', 'decisions', filters, decisionsRegion(listed.decisions, listed.next_cursor, withoutCursor(q)));
    }
    const decision = /^\/console\/decisions\/([^/]+)$/.exec(path)?.[1];
    if (decision !== undefined) {
      const context = await decisionContext(deps, { tenantId: viewer.tenantId, decisionId: idOf(decision, 'decision'), viewer: me });
      if (live) return htmlResponse(decisionRegion(context).value);
      return htmlResponse(
        page({ title: `Decision: ${title(context.decision)}`, section: 'queue', viewer, body: html``, live: decisionRegion(context), after: rulingForm(context, viewer), ...(flashOf(q) ? { flash: flashOf(q) } : {}) }),
      );
    }
    if (path === '/console/runs') {
      const status = pick(q, 'status', RUN_STATUSES) as RunStatus | undefined;
      const workflow = pick(q, 'workflow', MACHINES);
      const cursor = bounded(q, 'cursor', 2000);
      const listed = await listRuns(deps, { tenantId: viewer.tenantId, limit: 25, ...(status ? { status } : {}), ...(workflow && isMachineId(workflow) ? { workflow } : {}), ...(cursor ? { cursor } : {}) });
      const filters = html`<form class="filters" method="get" action="/console/runs" role="search" aria-label="Filter workflow runs">${select('status', 'Status', RUN_STATUSES, status)}${select('workflow', 'Workflow', MACHINES, workflow)}<div><button type="submit">Filter</button></div></form>`;
      return render('Workflow runs', 'runs', filters, runsRegion(listed.runs, listed.next_cursor, withoutCursor(q)));
    }
    const run = /^\/console\/runs\/([^/]+)$/.exec(path)?.[1];
    if (run !== undefined) {
      const status = await getRunStatus(deps, viewer.tenantId, idOf(run, 'run'));
      return render(`Run: ${status.title || status.run_id}`, 'runs', html``, runRegion(status));
    }
    if (path === '/console/audit') {
      const today = new Date(deps.clock.now()).toISOString().slice(0, 10);
      const from = bounded(q, 'from', 10);
      const to = bounded(q, 'to', 10);
      const role = pick(q, 'role', ENDPOINTS);
      const outcome = pick(q, 'outcome', ['ok', 'error'] as const);
      const action = bounded(q, 'action', 100)?.trim();
      const principal = bounded(q, 'principal', 40)?.trim();
      const cursor = bounded(q, 'cursor', 2000);
      // The same read model as the audit_log tool; its ValidationError (a bad day, a range too wide) becomes a 400 page.
      const listed = await listAuditLog(deps, viewer.tenantId, {
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        ...(role ? { role } : {}),
        ...(outcome ? { outcome } : {}),
        ...(action ? { action } : {}),
        ...(principal ? { principal } : {}),
        ...(cursor ? { cursor } : {}),
        limit: 100,
      });
      const filters = html`<form class="filters" method="get" action="/console/audit" role="search" aria-label="Filter the audit trail"><div><label for="f-from">From (UTC)</label><input id="f-from" type="date" name="from" value="${from ?? ''}"></div><div><label for="f-to">To (UTC)</label><input id="f-to" type="date" name="to" value="${to ?? today}"></div>${select('role', 'Role', ENDPOINTS, role)}${select('outcome', 'Outcome', ['ok', 'error'], outcome)}<div><label for="f-action">Action (exact, or a prefix ending in *)</label><input id="f-action" name="action" maxlength="100" value="${action ?? ''}"></div><div><label for="f-principal">Key id or "system"</label><input id="f-principal" name="principal" maxlength="40" value="${principal ?? ''}"></div><div><button type="submit">Filter</button></div></form>`;
      return render('Audit trail', 'audit', filters, auditRegion(listed, withoutCursor(q)));
    }
    throw new NotFoundError(`no console page at ${path}`);
  }

  async function change(request: Request, url: URL, path: string, session: ConsoleSession, viewer: Viewer): Promise<Response> {
    checkOrigin(request, url);
    const form = await formOf(request);
    if (!csrfMatches(await secret(), session, deps.clock.now(), form.get('csrf'))) throw new ConsoleRefusal(403, 'This form has expired or did not come from the console (missing or wrong CSRF token). Reload the page and try again.');
    const ctx = { correlationId: randomUUID() };
    const audit = (action: string, objectId: string, outcome: 'ok' | 'error', started: number, errorCode?: string) =>
      recordAudit(deps, { tenantId: session.tenantId, keyId: session.keyId, role: viewer.actingAs as EndpointId, action, objectId, outcome, ...(errorCode ? { errorCode } : {}), durationMs: Math.round(performance.now() - started), correlationId: ctx.correlationId });
    if (path === '/console/sign-out') {
      await endSession(deps, session);
      return redirect('/console/sign-in', { 'set-cookie': sessionCookie(url, '') });
    }
    const ruling = /^\/console\/decisions\/([^/]+)\/ruling$/.exec(path)?.[1];
    if (ruling !== undefined) {
      const decisionId = idOf(ruling, 'decision');
      const choice = form.get('ruling');
      const rationale = (form.get('rationale') ?? '').trim();
      if (choice !== 'approve' && choice !== 'reject') throw new ConsoleRefusal(400, 'Choose approve or reject.');
      const started = performance.now();
      try {
        if (!rationale || rationale.length > RATIONALE_MAX) throw new ValidationError(`give a rationale of 1 to ${RATIONALE_MAX} characters`);
        const decided = await ruleOnDecision(deps, ctx, { tenantId: session.tenantId, ruler: viewer.actingAs as EndpointId, decisionId, ruling: choice, rationale });
        await audit('console:rule_on_decision', decisionId, 'ok', started);
        return redirect(`/console/decisions/${decisionId}?done=${decided.status}`);
      } catch (error) {
        if (!(error instanceof ConclaveError) || error instanceof NotFoundError) throw error;
        await audit('console:rule_on_decision', decisionId, 'error', started, error.code);
        // Re-render the decision with the reason (already ruled, awaits someone else, bad rationale).
        const context = await decisionContext(deps, { tenantId: session.tenantId, decisionId, viewer: viewer.actingAs as EndpointId });
        return htmlResponse(
          page({ title: `Decision: ${title(context.decision)}`, section: 'queue', viewer, body: html``, live: decisionRegion(context), after: rulingForm(context, viewer), flash: { kind: 'error', text: `Your ruling was not recorded: ${error.message}.` } }),
          error instanceof ConflictError ? 409 : error instanceof ForbiddenError ? 403 : 400,
        );
      }
    }
    const field = path === '/console/organization/authority' ? 'authority' : path === '/console/organization/reports-to' ? 'reports_to' : undefined;
    if (field !== undefined) {
      const role = (form.get('role') ?? '').slice(0, 40);
      const action = field === 'authority' ? 'console:set_authority' : 'console:set_reports_to';
      const started = performance.now();
      try {
        // The same use cases as set_authority / set_reports_to: they validate, refuse a non-board editor and a cycle, audit and publish.
        const by = { kind: 'principal', keyId: session.keyId, human: true, actingAs: viewer.actingAs as EndpointId } as const;
        if (field === 'authority') {
          const raw = (form.get('limit') ?? '').trim();
          await setAuthority(deps, ctx, { tenantId: session.tenantId, role, limit: raw && raw.length <= 20 ? Number(raw) : Number.NaN, by });
        } else {
          await setReportsTo(deps, ctx, { tenantId: session.tenantId, role, reportsTo: (form.get('reports_to') ?? '').slice(0, 40), by });
        }
        await audit(action, role, 'ok', started);
        return redirect(`/console/organization?done=${field === 'authority' ? 'authority_set' : 'reports_to_set'}`);
      } catch (error) {
        if (!(error instanceof ConclaveError)) throw error;
        await audit(action, role || '-', 'error', started, error.code);
        const status = error instanceof ConflictError ? 409 : error instanceof ForbiddenError ? 403 : 400;
        return organizationPage(viewer, false, { kind: 'error', text: `The org chart was not changed: ${error.message}.` }, status);
      }
    }
    const task = /^\/console\/tasks\/([^/]+)\/complete$/.exec(path)?.[1];
    if (task !== undefined) {
      const outcome = form.get('outcome');
      const note = (form.get('note') ?? '').trim();
      if (!outcome || !['approve', 'reject', 'done', 'failed'].includes(outcome)) throw new ConsoleRefusal(400, 'Choose an outcome.');
      if (!note || note.length > RATIONALE_MAX) throw new ConsoleRefusal(400, `Give a note of 1 to ${RATIONALE_MAX} characters.`);
      const started = performance.now();
      try {
        await completeTask(deps, ctx, { tenantId: session.tenantId, actor: viewer.actingAs as EndpointId, taskId: idOf(task, 'task'), outcome: outcome as TaskOutcome, result: { rationale: note } });
        await audit('console:complete_task', task, 'ok', started);
        return redirect(`/console?done=${outcome}`);
      } catch (error) {
        if (error instanceof ConclaveError && !(error instanceof NotFoundError)) await audit('console:complete_task', task, 'error', started, error.code);
        throw error;
      }
    }
    throw new NotFoundError(`nothing to post at ${path}`);
  }

  /** The organization page: the live chart, then (for the board) the forms that edit it. */
  async function organizationPage(viewer: Viewer, live: boolean, flash?: { kind: 'notice' | 'error'; text: string }, status = 200): Promise<Response> {
    const o = await organizationView(deps, viewer.tenantId);
    if (live) return htmlResponse(organizationRegion(o).value);
    return htmlResponse(page({ title: 'Organization', section: 'organization', viewer, body: html``, live: organizationRegion(o), after: chartForms(o, viewer), ...(flash ? { flash } : {}) }), status);
  }

  /**
   * The shared human sign-in form. Before a session exists, its CSRF token is
   * bound to a random HttpOnly, SameSite=Strict cookie set with the form.
   */
  async function signInPage(request: Request, url: URL, error?: string, status = 200): Promise<Response> {
    const existing = readCookie(request, CSRF_COOKIE);
    const binding = existing ?? newCsrfBinding();
    const csrfToken = issueCsrfToken({ secret: await secret(), purpose: SIGN_IN_PURPOSE, binding, now: deps.clock.now() });
    const body = html`<p>The board's console is for people: sign in with a <strong>human</strong> API key of your tenant. Agent keys cannot open it.</p>${renderSignInForm({ action: '/console/sign-in', csrfToken, hint: SIGN_IN_HINT, ...(error ? { error } : {}) })}`;
    const response = htmlResponse(page({ title: 'Sign in to the console', body }), status);
    if (!existing) response.headers.append('set-cookie', bindingCookie(binding, { secure: !isLoopbackHttp(url) }));
    return response;
  }

  async function signIn(request: Request, url: URL): Promise<Response> {
    checkOrigin(request, url);
    const form = await formOf(request);
    const binding = readCookie(request, CSRF_COOKIE) ?? '';
    if (!verifyCsrfToken({ secret: await secret(), purpose: SIGN_IN_PURPOSE, binding, now: deps.clock.now() }, form.get('csrf'))) {
      return signInPage(request, url, 'This form expired or did not come from this page. Try again.', 403);
    }
    const result = await signInHuman((key) => authenticate(deps, key), form.get(API_KEY_FIELD));
    if (!result.ok) return signInPage(request, url, result.message, result.message.startsWith('This is an agent key') ? 403 : 401);
    const token = await startSession(deps, result.person);
    return redirect('/console', { 'set-cookie': sessionCookie(url, token) });
  }

  function failure(error: unknown): Response {
    const status = error instanceof ConsoleRefusal ? error.status : error instanceof NotFoundError ? 404 : error instanceof ValidationError ? 400 : error instanceof ForbiddenError ? 403 : error instanceof ConflictError ? 409 : 500;
    const message = status === 500 ? 'Something went wrong; nothing was changed by this page.' : (error as Error).message;
    if (status === 500) deps.log.error('console error', { error: String(error) });
    const heading = status === 404 ? 'Not found' : status === 403 ? 'Refused' : status === 500 ? 'Error' : 'Cannot do that';
    return htmlResponse(page({ title: heading, body: html`<p><a href="/console">Back to what awaits me</a></p>`, flash: { kind: 'error', text: message } }), status);
  }
}

/** Who the console acts as: the board when the human may, otherwise the first role of the key. */
function actingAs(session: ConsoleSession): EndpointId {
  return session.roles.includes(BOARD) ? BOARD : (session.roles[0] as EndpointId);
}

/** A state change must come from this origin: a browser's Origin (or Fetch Metadata) saying otherwise is refused before anything is read. */
function checkOrigin(request: Request, url: URL): void {
  const origin = request.headers.get('origin');
  const site = request.headers.get('sec-fetch-site');
  if ((origin !== null && origin !== 'null' && origin !== url.origin) || origin === 'null' || site === 'cross-site' || site === 'same-site') {
    throw new ConsoleRefusal(403, 'Cross-site form posts are refused.');
  }
}

async function formOf(request: Request): Promise<URLSearchParams> {
  const form = await readForm(request, MAX_FORM_BYTES);
  if (!form) throw new ConsoleRefusal(400, `Send the form as application/x-www-form-urlencoded, at most ${MAX_FORM_BYTES / 1024} KB.`);
  return form;
}

function idOf(raw: string, what: string): string {
  const id = decodeURIComponent(raw);
  if (!ID_PATTERN.test(id)) throw new NotFoundError(`no ${what} ${id.slice(0, 80)}`);
  return id;
}

function pick<T extends string>(q: URLSearchParams, name: string, allowed: readonly T[]): T | undefined {
  const value = q.get(name);
  if (value === null || value === '') return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new ConsoleRefusal(400, `${name} "${value.slice(0, 40)}" is not one of: ${allowed.join(', ')}`);
  return value as T;
}

function bounded(q: URLSearchParams, name: string, max: number): string | undefined {
  const value = q.get(name);
  if (value === null || value === '') return undefined;
  if (value.length > max) throw new ConsoleRefusal(400, `${name} is longer than ${max} characters`);
  return value;
}

function withoutCursor(q: URLSearchParams): URLSearchParams {
  const copy = new URLSearchParams(q);
  copy.delete('cursor');
  return copy;
}

function flashOf(q: URLSearchParams): { kind: 'notice'; text: string } | undefined {
  const done = q.get('done');
  const texts: Record<string, string> = {
    approved: 'You approved the decision. The initiator has been told.',
    rejected: 'You rejected the decision. The initiator has been told.',
    escalated: 'Your approval exceeded your authority: the decision went further up the chain.',
    approve: 'Task approved.',
    reject: 'Task rejected.',
    done: 'Task marked done.',
    failed: 'Task marked failed.',
    authority_set: 'The authority limit was changed; it applies from the next authority check.',
    reports_to_set: 'The reporting line was changed; escalations follow it from the next request.',
  };
  return done && texts[done] ? { kind: 'notice', text: texts[done] } : undefined;
}

function respond(body: string, status: number, headers: Record<string, string>): Response {
  return new Response(body, { status, headers: { ...SECURITY_HEADERS, ...headers } });
}

function htmlResponse(body: string, status = 200): Response {
  return respond(body, status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
}

function redirect(location: string, headers: Record<string, string> = {}): Response {
  return respond('', 303, { location, 'cache-control': 'no-store', ...headers });
}

