import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiKey } from '../../functions/core/auth/api-keys.js';
import { loadChart } from '../../functions/core/org/authority.js';
import { ASSETS } from '../../functions/web/console/assets.js';
import { issueKey, RoleClients, startTestConclave } from '../helpers/conclave.js';
import { ConsoleSession, signInRequest } from '../helpers/console.js';

type Conclave = Awaited<ReturnType<typeof startTestConclave>>;
interface DecisionView {
  decision_id: string;
  status: string;
  awaiting: string | null;
  outcome: string | null;
}

describe('the board console over HTTP', () => {
  let conclave: Conclave;
  let acme: RoleClients<DecisionView>;
  let board: ConsoleSession;
  let escalated: string;

  beforeAll(async () => {
    conclave = await startTestConclave();
    acme = await RoleClients.of(conclave, 'acme');
    board = await ConsoleSession.signIn(conclave, await issueKey(conclave, 'acme', ['board'], true));
    const result = await acme.ok<{ decision_id: string; status: string }>('ceo', 'approve_strategic_initiative', {
      initiative: 'Enter the Japanese market',
      business_value: 'A new region worth $40M a year',
      budget: 2_500_000,
    });
    expect(result.status).toBe('escalated');
    escalated = result.decision_id;
  });
  afterAll(async () => {
    await acme.close();
    await conclave.close();
  });

  describe('sign-in', () => {
    it('sends a visitor without a session to the sign-in page, which carries a strict CSP and no inline script', async () => {
      const response = await fetch(`${conclave.url}/console`, { redirect: 'manual' });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/console/sign-in');
      const form = await fetch(`${conclave.url}/console/sign-in`);
      const csp = form.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-inline|https?:/);
      const body = await form.text();
      expect(body).toContain('<label for="api_key">Conclave API key</label>');
      expect(body).not.toMatch(/<script>|<style>| on[a-z]+="/);
      expect(form.headers.getSetCookie().join()).toMatch(/conclave_csrf=.*HttpOnly.*SameSite=Strict/);
    });

    it('refuses an agent key with a clear message and sets no cookie', async () => {
      const response = await signInRequest(conclave, await issueKey(conclave, 'acme', ['ceo'], false));
      expect(response.status).toBe(403);
      expect(response.headers.getSetCookie().some((c) => c.startsWith('conclave_console='))).toBe(false);
      expect(await response.text()).toContain('This is an agent key. Only a person may sign in here');
    });

    it('refuses an unknown key', async () => {
      const response = await signInRequest(conclave, 'cnk_not-a-real-key-at-all-000000000000');
      expect(response.status).toBe(401);
      expect(response.headers.getSetCookie().some((c) => c.startsWith('conclave_console='))).toBe(false);
    });

    it('refuses a sign-in post without the form token', async () => {
      const response = await fetch(`${conclave.url}/console/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ api_key: await issueKey(conclave, 'acme', ['board'], true) }).toString(),
        redirect: 'manual',
      });
      expect(response.status).toBe(403);
      expect(response.headers.getSetCookie().some((c) => c.startsWith('conclave_console='))).toBe(false);
    });

    it('refuses a cross-site sign-in post', async () => {
      const key = await issueKey(conclave, 'acme', ['board'], true);
      const response = await signInRequest(conclave, key, { origin: 'https://evil.example' });
      expect(response.status).toBe(403);
      expect(response.headers.getSetCookie().some((c) => c.startsWith('conclave_console='))).toBe(false);
    });

    it('gives a human key an HttpOnly, SameSite=Strict session cookie (not Secure on loopback http)', async () => {
      const response = await signInRequest(conclave, await issueKey(conclave, 'acme', ['board'], true));
      expect(response.status).toBe(303);
      const cookie = response.headers.getSetCookie().find((c) => c.startsWith('conclave_console=')) ?? '';
      expect(cookie).toMatch(/^conclave_console=[A-Za-z0-9_-]{43}; /);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Strict');
      expect(cookie).not.toContain('Secure');
    });

    it('ends the sessions of a revoked key', async () => {
      const key = await issueKey(conclave, 'acme', ['board'], true);
      const session = await ConsoleSession.signIn(conclave, key);
      expect((await session.get('/console')).status).toBe(200);
      await revokeApiKey(conclave.deps, createHash('sha256').update(key).digest('hex').slice(0, 16));
      expect((await session.get('/console')).status).toBe(303);
    });
  });

  describe('what awaits the board', () => {
    it('lists the escalation the CEO created through MCP', async () => {
      const queue = await board.page('/console');
      expect(queue).toContain(`/console/decisions/${escalated}`);
      expect(queue).toContain('$2,500,000');
    });

    it('shows the chain with each authority against the amount', async () => {
      const detail = await board.page(`/console/decisions/${escalated}`);
      expect(detail).toContain('Chain of authority');
      expect(detail).toMatch(/Chief Executive Officer[\s\S]*\$1,000,000[\s\S]*No: exceeds by \$1,500,000/);
      expect(detail).toMatch(/The board[\s\S]*unlimited[\s\S]*must rule now/);
      expect(detail).toContain('name="ruling" value="approve"');
    });

    it('answers the live region alone for polling', async () => {
      const response = await board.get('/console', { 'x-console-live': '1' });
      const body = await response.text();
      expect(response.status).toBe(200);
      expect(body).not.toContain('<html');
      expect(body).toContain(escalated);
    });

    it('refuses a ruling without the CSRF token, or from another origin, and changes nothing', async () => {
      const csrf = await board.csrf(`/console/decisions/${escalated}`);
      const noToken = await board.post(`/console/decisions/${escalated}/ruling`, { ruling: 'approve', rationale: 'forged' });
      expect(noToken.status).toBe(403);
      expect(await noToken.text()).toContain('CSRF');
      const crossSite = await board.post(`/console/decisions/${escalated}/ruling`, { ruling: 'approve', rationale: 'forged', csrf }, { origin: 'https://evil.example' });
      expect(crossSite.status).toBe(403);
      expect((await acme.ok('board', 'get_decision', { decision_id: escalated })).status).toBe('escalated');
    });

    it("gives not-found for another tenant's decision", async () => {
      const globex = await ConsoleSession.signIn(conclave, await issueKey(conclave, 'globex', ['board'], true));
      expect((await globex.get(`/console/decisions/${escalated}`)).status).toBe(404);
      const csrf = await globex.csrf();
      const ruling = await globex.post(`/console/decisions/${escalated}/ruling`, { ruling: 'approve', rationale: 'mine now', csrf });
      expect(ruling.status).toBe(404);
      expect(await globex.page('/console')).not.toContain(escalated);
      expect((await acme.ok('board', 'get_decision', { decision_id: escalated })).status).toBe('escalated');
    });

    it('approves with a rationale through the same use case as rule_on_decision; a second ruling is refused clearly', async () => {
      const csrf = await board.csrf(`/console/decisions/${escalated}`);
      const response = await board.post(`/console/decisions/${escalated}/ruling`, { ruling: 'approve', rationale: 'Japan fits the plan', csrf });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(`/console/decisions/${escalated}?done=approved`);
      const seen = await acme.ok('ceo', 'get_decision', { decision_id: escalated });
      expect(seen).toMatchObject({ status: 'approved', awaiting: null });
      expect(seen.outcome).toContain('Japan fits the plan');
      const again = await board.post(`/console/decisions/${escalated}/ruling`, { ruling: 'reject', rationale: 'changed my mind', csrf });
      expect(again.status).toBe(409);
      expect(await again.text()).toContain('already approved');
      expect(await board.page(`/console/decisions/${escalated}`)).toContain('This decision was already approved');
    });
  });

  describe('editing the org chart', () => {
    it('lets a board session set the CTO limit through the same use case as set_authority', async () => {
      const before = await board.page('/console/organization');
      expect(before).toContain('<label for="authority-limit">');
      const csrf = await board.csrf('/console/organization');
      const response = await board.post('/console/organization/authority', { role: 'cto', limit: '750000', csrf });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/console/organization?done=authority_set');
      const after = await board.page('/console/organization?done=authority_set');
      expect(after).toMatch(/\(cto\)<\/span><\/th><td>ceo<\/td><td class="num">[^<]*750,000/);
      expect(after).toContain('The authority limit was changed');
      expect((await loadChart(conclave.deps, 'acme')).cto.authorityUsd).toBe(750_000);
    });

    it('refuses a reporting cycle with a message and changes nothing', async () => {
      const chartBefore = await loadChart(conclave.deps, 'acme');
      const csrf = await board.csrf('/console/organization');
      const response = await board.post('/console/organization/reports-to', { role: 'cto', reports_to: 'senior_architect', csrf });
      expect(response.status).toBe(400);
      const body = await response.text();
      expect(body).toContain('The org chart was not changed');
      expect(body).toContain('reporting cycle');
      expect((await loadChart(conclave.deps, 'acme')).cto.reportsTo).toBe(chartBefore.cto.reportsTo);
      const bad = await board.post('/console/organization/authority', { role: 'cto', limit: '', csrf });
      expect(bad.status).toBe(400);
      expect((await loadChart(conclave.deps, 'acme')).cto.authorityUsd).toBe(chartBefore.cto.authorityUsd);
    });

    it('refuses a chart post without the CSRF token or from another origin', async () => {
      const before = (await loadChart(conclave.deps, 'acme')).cto.authorityUsd;
      const noToken = await board.post('/console/organization/authority', { role: 'cto', limit: '1' });
      expect(noToken.status).toBe(403);
      const csrf = await board.csrf('/console/organization');
      const crossSite = await board.post('/console/organization/authority', { role: 'cto', limit: '1', csrf }, { origin: 'https://evil.example' });
      expect(crossSite.status).toBe(403);
      expect((await loadChart(conclave.deps, 'acme')).cto.authorityUsd).toBe(before);
    });

    it('shows a non-board human the chart read-only and refuses its post', async () => {
      const cto = await ConsoleSession.signIn(conclave, await issueKey(conclave, 'acme', ['cto'], true));
      const pageHtml = await cto.page('/console/organization');
      expect(pageHtml).toContain('Org chart');
      expect(pageHtml).not.toContain('/console/organization/authority');
      expect(pageHtml).toContain('data-testid="chart-read-only"');
      const before = (await loadChart(conclave.deps, 'acme')).cto.authorityUsd;
      const csrf = await cto.csrf('/console/organization');
      const response = await cto.post('/console/organization/authority', { role: 'cto', limit: '999999', csrf });
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('only a human principal acting as the board');
      expect((await loadChart(conclave.deps, 'acme')).cto.authorityUsd).toBe(before);
    });
  });

  describe('pages and assets', () => {
    it('serves every page with data and refuses unknown filter values', async () => {
      expect(await board.page('/console/organization')).toContain('Organizational health');
      expect(await board.page('/console/decisions?status=approved')).toContain(escalated);
      expect(await board.page('/console/runs')).toContain('Workflow runs');
      expect(await board.page('/console/audit')).toContain('tool:approve_strategic_initiative');
      expect((await board.get('/console/decisions?status=bogus')).status).toBe(400);
      expect((await board.get('/console/nowhere')).status).toBe(404);
    });

    it('serves its assets from this origin as immutable', async () => {
      const response = await fetch(`${conclave.url}${ASSETS.js.path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toContain('immutable');
      expect(response.headers.get('content-type')).toContain('javascript');
    });
  });
});
