import { McpUiResourceMetaSchema, McpUiToolMetaSchema, RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARD_URI } from '../../functions/web/card/card.js';
import { buildCard } from '../../scripts/build-card.js';
import { legacyClient, RoleClients, startTestConclave } from '../helpers/conclave.js';
import { launchChromium } from '../helpers/browser.js';
import { readFile } from 'node:fs/promises';

type Conclave = Awaited<ReturnType<typeof startTestConclave>>;

/**
 * A minimal MCP Apps host for the browser, built with the extension's own
 * AppBridge: it frames the card in a sandboxed iframe, forwards the card's
 * tool calls to the test (which sends them to the real server) and delivers
 * a tool result, as Claude does.
 */
const HOST = `
import { AppBridge, PostMessageTransport } from '@modelcontextprotocol/ext-apps/app-bridge';
window.startHost = async (html, toolResult) => {
  const iframe = document.createElement('iframe');
  iframe.title = 'Approval card';
  iframe.setAttribute('sandbox', 'allow-scripts');
  iframe.style.width = '800px';
  iframe.style.height = '700px';
  document.body.append(iframe);
  const bridge = new AppBridge(null, { name: 'conclave-test-host', version: '1.0.0' }, { serverTools: {} });
  bridge.oncalltool = async (params) => window.hostCallTool(params);
  const initialized = new Promise((resolve) => { bridge.oninitialized = resolve; });
  await bridge.connect(new PostMessageTransport(iframe.contentWindow, iframe.contentWindow));
  iframe.srcdoc = html;
  await initialized;
  await bridge.sendToolResult(toolResult);
};`;

describe('the approval card (MCP Apps)', () => {
  let conclave: Conclave;
  let acme: RoleClients;
  let browser: Browser | undefined;
  let decisionId: string;

  beforeAll(async () => {
    conclave = await startTestConclave();
    acme = await RoleClients.of(conclave, 'acme');
    decisionId = (await acme.ok<{ decision_id: string }>('ceo', 'approve_strategic_initiative', { initiative: 'Open a Tokyo office', business_value: 'Japan', budget: 2_500_000 })).decision_id;
  });
  afterAll(async () => {
    await browser?.close();
    await acme.close();
    await conclave.close();
  });

  it("names the card from board_queue and get_decision with metadata that passes the extension's schema", async () => {
    const { tools } = await (await acme.client('board')).listTools();
    for (const name of ['board_queue', 'get_decision']) {
      const tool = tools.find((t) => t.name === name);
      const ui = McpUiToolMetaSchema.parse((tool?._meta as { ui?: unknown } | undefined)?.ui);
      expect(ui.resourceUri, name).toBe(CARD_URI);
      expect(tool?._meta?.['ui/resourceUri'], name).toBe(CARD_URI);
    }
  });

  it("serves the card as one HTML resource of the extension's MIME type, metadata valid, no other origin", async () => {
    const client = await acme.client('board');
    const listed = (await client.listResources()).resources.find((r) => r.uri === CARD_URI);
    expect(listed?.mimeType).toBe(RESOURCE_MIME_TYPE);
    McpUiResourceMetaSchema.parse((listed?._meta as { ui?: unknown }).ui);
    const { contents } = await client.readResource({ uri: CARD_URI });
    const content = contents[0] as unknown as { mimeType: string; text: string; _meta: { ui: unknown } };
    expect(content.mimeType).toBe(RESOURCE_MIME_TYPE);
    expect(McpUiResourceMetaSchema.parse(content._meta.ui)).toMatchObject({ csp: { connectDomains: [], resourceDomains: [] } });
    expect(content.text.startsWith('<!doctype html>')).toBe(true);
    // Everything is inline: the markup and style load no script, stylesheet, image or font (the host's CSP, from the empty domain lists, forbids any fetch too).
    const markup = content.text.replace(/<script>[\s\S]*<\/script>/, '<script></script>');
    expect(markup.length).toBeLessThan(5000);
    expect(/\ssrc=|\shref=|@import|url\(/.test(markup)).toBe(false);
  });

  it('gives clients without MCP Apps the text and the structured result', async () => {
    const legacy = await legacyClient(conclave, 'board', acme.key);
    const result = await legacy.callTool({ name: 'board_queue', arguments: {} });
    const structured = result.structuredContent as { decisions: { decision_id: string; chain: { role: string; covers_amount: boolean }[] }[] };
    expect(structured.decisions.map((d) => d.decision_id)).toEqual([decisionId]);
    expect(structured.decisions[0]?.chain).toEqual([
      expect.objectContaining({ role: 'ceo', covers_amount: false }),
      expect.objectContaining({ role: 'board', covers_amount: true }),
    ]);
    expect(JSON.parse((result.content as { text: string }[])[0]?.text ?? '{}')).toEqual(structured);
    await legacy.close();
  });

  it('renders in Chromium inside an AppBridge host and approves through rule_on_decision', async () => {
    const board = await acme.client('board');
    const queue = await board.callTool({ name: 'board_queue', arguments: {} });
    const html = ((await board.readResource({ uri: CARD_URI })).contents[0] as { text: string }).text;
    const host = await build({ stdin: { contents: HOST, resolveDir: process.cwd(), loader: 'js' }, bundle: true, format: 'iife', write: false, platform: 'browser', logLevel: 'silent' });
    browser = await launchChromium();
    const page = await browser.newPage();
    const calls: unknown[] = [];
    await page.exposeFunction('hostCallTool', async (params: { name: string; arguments: Record<string, unknown> }) => {
      calls.push(params);
      return board.callTool(params);
    });
    await page.setContent('<!doctype html><html lang="en"><head><title>Test host</title></head><body></body></html>');
    await page.addScriptTag({ content: host.outputFiles[0]?.text ?? '' });
    await page.evaluate(([h, r]) => (globalThis as unknown as { startHost: (h: string, r: unknown) => Promise<void> }).startHost(h as string, r), [html, queue] as const);
    const card = page.frameLocator('iframe[title="Approval card"]');
    await expect.poll(() => card.getByRole('heading', { level: 1 }).textContent()).toBe('Awaiting the board (1)');
    expect(await card.locator(`[data-decision="${decisionId}"]`).textContent()).toMatch(/strategic initiative · \$2,500,000[\s\S]*exceeds/);
    if (process.env.CONSOLE_SCREENSHOTS) await page.locator('iframe').screenshot({ path: new URL('../../docs/console/approval-card.png', import.meta.url).pathname });
    await card.getByLabel('Rationale').fill('Approved from the card');
    await card.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => card.getByRole('status').textContent()).toBe('Decision approved.');
    expect(calls).toEqual([expect.objectContaining({ name: 'rule_on_decision', arguments: { decision_id: decisionId, ruling: 'approve', rationale: 'Approved from the card' } })]);
    expect(await acme.ok('ceo', 'get_decision', { decision_id: decisionId })).toMatchObject({ status: 'approved', outcome: expect.stringContaining('Approved from the card') });
  });

  it('ships the bundle built from the card source (npm run build:card)', async () => {
    expect(await readFile(new URL('../../functions/web/card/card-bundle.ts', import.meta.url), 'utf8')).toBe(await buildCard());
  });
});
