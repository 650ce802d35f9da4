import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_ROLES, ENDPOINTS } from '../../functions/contracts/roles.js';
import { allTools } from '../../functions/mcp/tools/index.js';
import { eventually, issueKey, legacyClient, modernClient, startTestConclave } from '../helpers/conclave.js';

/** Every tool Conclave serves (the roles' own load on demand). */
const TOOLS = await allTools();

type Conclave = Awaited<ReturnType<typeof startTestConclave>>;

describe('MCP endpoints over HTTP', () => {
  let conclave: Conclave;
  let key: string;

  beforeAll(async () => {
    conclave = await startTestConclave();
    key = await issueKey(conclave, 'acme', ['all'], true);
  });
  afterAll(() => conclave.close());

  describe.each([
    ['modern (2026-07-28, SDK v2)', modernClient],
    ['legacy (2025-era, SDK v1)', legacyClient],
  ] as const)('%s client', (_era, connect) => {
    it.each(ENDPOINTS)('lists exactly the registry tools for %s', async (endpoint) => {
      const client = await connect(conclave, endpoint, key);
      const { tools } = await client.listTools();
      const expected = TOOLS.filter((t) => t.availableTo.includes(endpoint)).map((t) => t.name);
      expect(tools.map((t) => t.name).sort()).toEqual([...expected].sort());
      const heartbeat = tools.find((t) => t.name === 'heartbeat');
      if (endpoint !== 'board') expect(Object.keys(heartbeat?.inputSchema.properties ?? {}).sort()).toEqual(['capabilities', 'status', 'version']);
      for (const tool of tools) {
        expect(tool.outputSchema, `${tool.name} declares an output schema`).toBeDefined();
        expect(tool.description?.length ?? 0).toBeGreaterThan(40);
      }
      await client.close();
    });

    it('serves heartbeat to agents but not to the board', async () => {
      const board = await connect(conclave, 'board', key);
      expect((await board.listTools()).tools.map((t) => t.name)).not.toContain('heartbeat');
      // The v2 client reports an unknown tool as an error result, v1 as a thrown protocol error.
      const outcome = await board.callTool({ name: 'heartbeat', arguments: {} }).then(
        (result) => (result.isError ? 'refused' : 'served'),
        () => 'refused',
      );
      expect(outcome).toBe('refused');
      await board.close();
    });

    it('calls a tool and returns structured content matching the text', async () => {
      const client = await connect(conclave, 'cto', key);
      const beat = await client.callTool({ name: 'heartbeat', arguments: { status: 'idle', capabilities: ['architecture'], version: '1.2.3' } });
      expect(beat.isError).toBeFalsy();
      expect(beat.structuredContent).toMatchObject({ role: 'cto', status: 'idle', capabilities: ['architecture'], version: '1.2.3' });
      const listed = await client.callTool({ name: 'list_agents', arguments: {} });
      const agents = (listed.structuredContent as { agents: { role: string; status: string }[] }).agents;
      expect(agents.map((a) => a.role)).toEqual([...AGENT_ROLES]);
      expect(agents.find((a) => a.role === 'cto')?.status).toBe('idle');
      expect(agents.find((a) => a.role === 'test_lead')?.status).toBe('stale');
      const text = (listed.content as { type: string; text: string }[])[0]?.text ?? '';
      expect(JSON.parse(text)).toEqual(listed.structuredContent);
      await client.close();
    });

    it('rejects arguments of the wrong type with a tool error', async () => {
      const client = await connect(conclave, 'ceo', key);
      const result = await client.callTool({ name: 'heartbeat', arguments: { status: 'sleeping', capabilities: 'all' } });
      expect(result.isError).toBe(true);
      const text = JSON.stringify(result.content);
      expect(text).toContain('invalid_input');
      expect(text).toContain('status');
      expect(text).toContain('capabilities');
      await client.close();
    });

    it('serves the org chart and agents resources and the role brief prompt', async () => {
      const client = await connect(conclave, 'senior_developer', key);
      const { resources } = await client.listResources();
      expect(resources.map((r) => r.uri).sort()).toEqual(['conclave://agents', 'conclave://inbox', 'conclave://org-chart', 'conclave://tasks', 'ui://conclave/approval-card.html']);
      const chart = await client.readResource({ uri: 'conclave://org-chart' });
      const roles = JSON.parse((chart.contents[0] as { text: string }).text).roles as { id: string; reportsTo: string; authorityUsd: number }[];
      expect(roles.find((r) => r.id === 'senior_developer')).toMatchObject({ reportsTo: 'senior_architect', authorityUsd: 10_000 });
      expect(roles.find((r) => r.id === 'ceo')).toMatchObject({ reportsTo: 'board', authorityUsd: 1_000_000 });
      const { prompts } = await client.listPrompts();
      expect(prompts.map((p) => p.name)).toEqual(['brief']);
      const brief = await client.getPrompt({ name: 'brief' });
      const text = (brief.messages[0]?.content as { text: string }).text;
      expect(text).toContain('Senior Developer');
      expect(text).toContain('$10,000');
      expect(text).toContain('senior_architect → cto → ceo → board');
      await client.close();
    });
  });

  it('records every tool call in the audit trail, readable by the board', async () => {
    const client = await modernClient(conclave, 'ceo', key);
    await client.callTool({ name: 'list_agents', arguments: {} });
    await client.callTool({ name: 'heartbeat', arguments: { capabilities: [''] } });
    const board = await modernClient(conclave, 'board', key);
    // Audit entries are written right after the response (off its path).
    await eventually(async () => {
      const audit = await board.readResource({ uri: 'conclave://audit/today' });
      const entries = JSON.parse((audit.contents[0] as { text: string }).text).entries as Record<string, unknown>[];
      const ceoCalls = entries.filter((e) => e.role === 'ceo');
      expect(ceoCalls[0]).toMatchObject({ action: 'tool:heartbeat', outcome: 'error', error_code: 'invalid_input' });
      expect(ceoCalls[1]).toMatchObject({ action: 'tool:list_agents', outcome: 'ok', error_code: null });
      expect(typeof ceoCalls[1]?.duration_ms).toBe('number');
      expect(JSON.stringify(entries)).not.toContain(key);
    });
    await client.close();
    await board.close();
  });
});
