import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueKey, RoleClients, startTestConclave } from '../helpers/conclave.js';
import { launchChromium, seriousViolations } from '../helpers/browser.js';

type Conclave = Awaited<ReturnType<typeof startTestConclave>>;

/** Set CONSOLE_SCREENSHOTS=1 to (re)write the README's screenshots under docs/console/. */
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS ? join(import.meta.dirname, '..', '..', 'docs', 'console') : undefined;

describe('the board console in Chromium', () => {
  let conclave: Conclave;
  let acme: RoleClients;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let boardKey: string;
  let decisionId: string;
  let runId: string;
  const errors: string[] = [];

  beforeAll(async () => {
    conclave = await startTestConclave();
    acme = await RoleClients.of(conclave, 'acme');
    boardKey = await issueKey(conclave, 'acme', ['board'], true);
    // Context for the page: agents alive, a memory about the market, a workflow run.
    for (const role of ['ceo', 'cto', 'chro'] as const) await acme.ok(role, 'heartbeat', { status: 'running' });
    await acme.ok('ceo', 'store_memory', { key: 'japan-market-study', content: 'Market study: the Japanese market for our product is worth $40M a year; entry needs a local office.', tags: ['strategy'] });
    runId = (await acme.ok<{ run_id: string }>('product_manager', 'start_workflow', { workflow: 'feature_development', input: { title: 'Japanese localisation', description: 'Translate the product for Japan.', requirements: ['translate', 'local payments'] } })).run_id;
    // The CEO proposes a collaborative decision; the CTO and the CHRO approve with confidence and rationale;
    // $2.5M is above the CEO's authority, so the approved vote escalates to the board for ratification.
    const proposed = await acme.ok<{ decision_id: string }>('ceo', 'propose_decision', {
      decision_type: 'strategic_initiative',
      mode: 'collaborative',
      context: 'Open a Tokyo office to enter the Japanese market',
      participants: ['cto', 'chro'],
      amount: 2_500_000,
    });
    decisionId = proposed.decision_id;
    await acme.ok('cto', 'vote', { decision_id: decisionId, vote: 'approve', confidence: 0.9, rationale: 'The platform is ready for a second region' });
    await acme.ok('chro', 'vote', { decision_id: decisionId, vote: 'approve', confidence: 0.7, rationale: 'We can hire a local team within two quarters' });
    expect(await acme.ok('board', 'get_decision', { decision_id: decisionId })).toMatchObject({ status: 'escalated', awaiting: 'board' });

    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('console', (m) => {
      // Refused requests (a 403 sign-in, the 404 page) are expected; a CSP violation never is.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    if (SCREENSHOTS) await mkdir(SCREENSHOTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await acme?.close();
    await conclave?.close();
  });

  async function check(name: string): Promise<void> {
    expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  it('refuses an agent key at the sign-in form', async () => {
    await page.goto(`${conclave.url}/console`);
    expect(page.url()).toBe(`${conclave.url}/console/sign-in`);
    await check('sign-in');
    await page.getByLabel('API key').fill(await issueKey(conclave, 'acme', ['ceo'], false));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('This is an agent key');
    expect((await context.cookies()).map((c) => c.name)).not.toContain('conclave_console');
  });

  it('signs in with the keyboard and shows the escalation the CEO created through MCP', async () => {
    await page.getByLabel('API key').fill(boardKey);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${conclave.url}/console`);
    const cookie = (await context.cookies()).find((c) => c.name === 'conclave_console');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await expect.poll(() => page.locator(`[data-decision="${decisionId}"]`).count()).toBe(1);
    expect(await page.locator(`[data-decision="${decisionId}"]`).textContent()).toContain('$2,500,000');
    await check('queue');
  });

  it('opens it: chain with authority against the amount, the amount, the votes with confidence and rationale', async () => {
    await page.locator(`[data-decision="${decisionId}"] a`).click();
    await page.waitForURL(`${conclave.url}/console/decisions/${decisionId}`);
    expect(await page.getByTestId('decision-amount').textContent()).toBe('$2,500,000');
    const chain = page.getByTestId('chain');
    expect(await chain.getByRole('row', { name: /Chief Executive Officer/ }).textContent()).toMatch(/\$1,000,000\s*No: exceeds by \$1,500,000\s*proposed it/);
    expect(await chain.getByRole('row', { name: /The board/ }).textContent()).toMatch(/unlimited\s*Yes\s*must rule now/);
    const votes = page.getByTestId('votes');
    expect(await votes.getByRole('row', { name: /cto/ }).textContent()).toMatch(/approved\s*90%\s*The platform is ready for a second region/);
    expect(await votes.getByRole('row', { name: /chro/ }).textContent()).toMatch(/70%\s*We can hire a local team/);
    expect(await page.textContent('main')).toContain('japan-market-study');
    await check('decision');
  });

  it("approves with a rationale; the MCP side sees the decision approved and the initiator's outcome message", async () => {
    await page.getByLabel('Rationale (required)').fill('Japan is the plan for next year; go ahead.');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL(`${conclave.url}/console/decisions/${decisionId}?done=approved`);
    expect(await page.getByRole('status').first().textContent()).toContain('You approved the decision');
    expect(await page.getByTestId('decision-status').textContent()).toContain('approved');
    expect(await page.getByTestId('no-ruling').textContent()).toContain('already approved');
    const seen = await acme.ok<{ status: string; outcome: string }>('ceo', 'get_decision', { decision_id: decisionId });
    expect(seen.status).toBe('approved');
    expect(seen.outcome).toContain('Japan is the plan for next year');
    // The initiator (the CEO) is told how its request ended: one outcome message on the decision's thread.
    await expect
      .poll(async () => {
        const inbox = await acme.ok<{ threads: { thread_id: string; messages: { subject: string; content: string }[] }[] }>('ceo', 'read_inbox', { limit: 50 });
        return inbox.threads.filter((t) => t.thread_id === decisionId).flatMap((t) => t.messages.map((m) => `${m.subject}\n${m.content}`)).filter((m) => m.startsWith('Outcome:'));
      }, { timeout: 10_000 })
      .toEqual([expect.stringMatching(/approved[\s\S]*Japan is the plan for next year|Japan is the plan for next year[\s\S]*approved/)]);
    await check('decision-ruled');
  });

  it('updates the queue without reloading when something new awaits the board', async () => {
    await page.goto(`${conclave.url}/console`);
    // A value set in the page survives only if the page is never reloaded.
    const marker = await page.evaluate('window.conclaveMarker = 42');
    const escalated = await acme.ok<{ decision_id: string }>('ceo', 'approve_strategic_initiative', { initiative: 'Buy a rival', business_value: 'Market share', budget: 3_000_000 });
    await expect.poll(() => page.locator(`[data-decision="${escalated.decision_id}"]`).count(), { timeout: 15_000 }).toBe(1);
    expect(await page.evaluate('window.conclaveMarker')).toBe(marker);
  });

  it('has no serious or critical accessibility violations on any page', async () => {
    for (const [name, path] of [
      ['organization', '/console/organization'],
      ['decisions', '/console/decisions'],
      ['runs', '/console/runs'],
      ['run', `/console/runs/${runId}`],
      ['audit', '/console/audit'],
      ['not-found', '/console/decisions/nope'],
    ] as const) {
      await page.goto(`${conclave.url}${path}`);
      expect(await page.locator('h1').count(), name).toBe(1);
      await check(name);
    }
    expect(errors, 'no CSP violation or script error in any page').toEqual([]);
  });
});
