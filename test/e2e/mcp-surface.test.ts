import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueKey, legacyClient, modernClient, startTestConclave } from '../helpers/conclave.js';
import { hashingEmbedder } from '../helpers/embedders.js';

type Conclave = Awaited<ReturnType<typeof startTestConclave>>;

const json = (result: { contents: unknown[] }) => JSON.parse(String((result.contents[0] as { text?: string }).text)) as Record<string, unknown>;

/**
 * The MCP surface beyond tools, through the SDK v2 client (2026-07-28) and
 * the v1 client (2025-11-25): resources and templates, completions, server
 * instructions, honest capabilities, and strict tool arguments.
 */
describe('MCP surface: resources, templates, completions, instructions, strict arguments', () => {
  let conclave: Conclave;
  let ceoA: Client;
  let ctoA: Client;
  let ceoB: Client;
  let decisionId: string;
  let runId: string;

  beforeAll(async () => {
    conclave = await startTestConclave({ embedder: hashingEmbedder() });
    const keyA = await issueKey(conclave, 'surface-a', ['all'], true);
    const keyB = await issueKey(conclave, 'surface-b', ['all'], true);
    ceoA = await modernClient(conclave, 'ceo', keyA);
    ctoA = await modernClient(conclave, 'cto', keyA);
    ceoB = await modernClient(conclave, 'ceo', keyB);
    const decision = await ctoA.callTool({ name: 'propose_decision', arguments: { decision_type: 'purchase', mode: 'hierarchical', context: 'Buy a build farm', amount: 400_000 } });
    decisionId = String((decision.structuredContent as { decision_id: string }).decision_id);
    await ctoA.callTool({ name: 'store_memory', arguments: { key: 'runbooks/deploy', content: 'Deploy on Tuesdays', tags: ['ops'] } });
    await ctoA.callTool({ name: 'store_memory', arguments: { key: 'runbooks/rollback', content: 'Roll back with the previous image', tags: ['ops'] } });
    const run = await ctoA.callTool({
      name: 'start_workflow',
      arguments: { workflow: 'feature_development', input: { title: 'Saved searches', description: 'Save a search', requirements: [] } },
    });
    runId = String((run.structuredContent as { run_id: string }).run_id);
  });

  afterAll(async () => {
    for (const client of [ceoA, ctoA, ceoB]) await client?.close();
    await conclave?.close();
  });

  it('lists the templates and reads each one for the caller', async () => {
    const { resourceTemplates } = await ceoA.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual(['conclave://audit/{date}', 'conclave://decisions/{id}', 'conclave://memories/{key}', 'conclave://runs/{id}']);

    const decision = json(await ceoA.readResource({ uri: `conclave://decisions/${decisionId}` }));
    expect(decision).toMatchObject({ decision_id: decisionId, context: 'Buy a build farm', status: 'pending' });
    const run = json(await ceoA.readResource({ uri: `conclave://runs/${runId}` }));
    expect(run).toMatchObject({ run_id: runId, workflow: 'feature_development', title: 'Saved searches' });
    expect(run.stages).toBeInstanceOf(Array);
    const memory = json(await ceoA.readResource({ uri: `conclave://memories/${encodeURIComponent('runbooks/deploy')}` }));
    expect(memory).toMatchObject({ key: 'runbooks/deploy', content: 'Deploy on Tuesdays' });
  });

  it("reads the caller's inbox and open tasks", async () => {
    await ctoA.callTool({ name: 'send_message', arguments: { to: 'ceo', subject: 'Build farm', content: `About decision ${decisionId}` } });
    await expect.poll(async () => JSON.stringify(json(await ceoA.readResource({ uri: 'conclave://inbox' })))).toContain(decisionId);
    const tasks = json(await ceoA.readResource({ uri: 'conclave://tasks' }));
    expect(tasks.tasks).toBeInstanceOf(Array);
    const product = await modernClient(conclave, 'product_manager', await issueKey(conclave, 'surface-a', ['product_manager']));
    // The feature run's first stage is the product manager's.
    await expect.poll(async () => JSON.stringify(json(await product.readResource({ uri: 'conclave://tasks' }))), { timeout: 10_000 }).toContain(runId);
    await product.close();
  });

  it('lists fixed and concrete resources a page at a time', async () => {
    const first = await ceoA.listResources({ cursor: undefined as unknown as string });
    const uris = first.resources.map((r) => r.uri);
    for (const uri of ['conclave://org-chart', 'conclave://agents', 'conclave://inbox', 'conclave://tasks', 'conclave://audit/today']) expect(uris).toContain(uri);
    const all = [...uris];
    let cursor = first.nextCursor;
    for (let pages = 0; cursor && pages < 20; pages++) {
      const page = await ceoA.listResources({ cursor });
      all.push(...page.resources.map((r) => r.uri));
      cursor = page.nextCursor;
    }
    expect(cursor).toBeUndefined();
    expect(all).toContain(`conclave://decisions/${decisionId}`);
    expect(all).toContain(`conclave://runs/${runId}`);
    expect(all).toContain(`conclave://memories/${encodeURIComponent('runbooks/rollback')}`);
    await expect(ceoA.listResources({ cursor: 'not-a-cursor' })).rejects.toThrow(/cursor/);
  });

  it('completes a decision id, a run id and a memory key from a prefix', async () => {
    const decision = await ceoA.complete({ ref: { type: 'ref/resource', uri: 'conclave://decisions/{id}' }, argument: { name: 'id', value: decisionId.slice(0, 12) } });
    expect(decision.completion.values).toContain(decisionId);
    const run = await ceoA.complete({ ref: { type: 'ref/resource', uri: 'conclave://runs/{id}' }, argument: { name: 'id', value: runId.slice(0, 8) } });
    expect(run.completion.values).toContain(runId);
    const memory = await ceoA.complete({ ref: { type: 'ref/resource', uri: 'conclave://memories/{key}' }, argument: { name: 'key', value: 'runbooks/r' } });
    expect(memory.completion.values).toEqual(['runbooks/rollback']);
    const none = await ceoA.complete({ ref: { type: 'ref/resource', uri: 'conclave://decisions/{id}' }, argument: { name: 'id', value: 'not-an-id!' } });
    expect(none.completion.values).toEqual([]);
  });

  it('completes prompt arguments: role names for the brief', async () => {
    const roles = await ceoA.complete({ ref: { type: 'ref/prompt', name: 'brief' }, argument: { name: 'role', value: 'senior_' } });
    expect(roles.completion.values).toEqual(['senior_architect', 'senior_developer']);
    const brief = await ceoA.getPrompt({ name: 'brief', arguments: { role: 'cto' } });
    expect(JSON.stringify(brief.messages)).toContain('Chief Technology Officer');
    const own = await ceoA.getPrompt({ name: 'brief' });
    expect(JSON.stringify(own.messages)).toContain('Chief Executive Officer');
  });

  it("neither completes nor reads another tenant's ids", async () => {
    const decision = await ceoB.complete({ ref: { type: 'ref/resource', uri: 'conclave://decisions/{id}' }, argument: { name: 'id', value: decisionId.slice(0, 12) } });
    expect(decision.completion.values).toEqual([]);
    const run = await ceoB.complete({ ref: { type: 'ref/resource', uri: 'conclave://runs/{id}' }, argument: { name: 'id', value: '' } });
    expect(run.completion.values).not.toContain(runId);
    const memory = await ceoB.complete({ ref: { type: 'ref/resource', uri: 'conclave://memories/{key}' }, argument: { name: 'key', value: 'runbooks' } });
    expect(memory.completion.values).toEqual([]);
    for (const uri of [`conclave://decisions/${decisionId}`, `conclave://runs/${runId}`, `conclave://memories/${encodeURIComponent('runbooks/deploy')}`]) {
      await expect(ceoB.readResource({ uri })).rejects.toThrow(/not found/i);
    }
    const inboxB = JSON.stringify(json(await ceoB.readResource({ uri: 'conclave://inbox' })));
    expect(inboxB).not.toContain(decisionId);
  });

  it('shows each endpoint its instructions: role, authority and how to start', async () => {
    const ceo = ceoA.getInstructions() ?? '';
    expect(ceo).toContain('Chief Executive Officer');
    expect(ceo).toContain('$1,000,000');
    expect(ceo).toMatch(/How to start: read conclave:\/\/inbox/);
    expect(ctoA.getInstructions()).toContain('$500,000');
    const legacy = await legacyClient(conclave, 'board', await issueKey(conclave, 'surface-a', ['board'], true));
    expect(legacy.getInstructions()).toContain('board');
    await legacy.close();
  });

  it('advertises only what it honours: no listChanged, completions on, no logging', async () => {
    const caps = ceoA.getServerCapabilities() ?? {};
    expect(caps.tools?.listChanged).toBe(false);
    expect(caps.resources?.listChanged).toBe(false);
    expect(caps.resources?.subscribe).toBeFalsy();
    expect(caps.prompts?.listChanged).toBe(false);
    expect(caps.completions).toBeDefined();
    expect(caps.logging).toBeUndefined();
  });

  it('refuses an unknown tool argument as invalid_input naming it, and changes nothing', async () => {
    const result = await ctoA.callTool({ name: 'store_memory', arguments: { key: 'strict/one', content: 'x', colour: 'blue' } });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ error: { code: 'invalid_input' } });
    expect((result.content as { text: string }[])[0]?.text).toBe('invalid_input: invalid arguments for store_memory: unknown argument "colour"');
    const missing = await ctoA.callTool({ name: 'get_memory', arguments: { key: 'strict/one' } });
    expect(missing.isError).toBe(true);
    const two = await ctoA.callTool({ name: 'list_agents', arguments: { a: 1, b: 2 } });
    expect((two.content as { text: string }[])[0]?.text).toContain('unknown arguments "a", "b"');
  });
});
