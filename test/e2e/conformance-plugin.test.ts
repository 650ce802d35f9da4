import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../functions/contracts/env.js';
import { ConfigError, loadAwsConfig, loadLocalConfig } from '../../functions/runtime/config.js';
import { bundleHandler } from '../../scripts/bundle.js';
import { startConformanceServer } from '../conformance/suite.js';
import { issueKey, memoryLog, modernClient, post, startTestConclave } from '../helpers/conclave.js';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

type Conclave = Awaited<ReturnType<typeof startTestConclave>>;

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'plugin-test', version: '1' } },
});

/** A modern client on the keyless conformance endpoint. */
async function keyless(url: string): Promise<Client> {
  const client = new Client({ name: 'plugin-test', version: '1' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

describe('conformance fixtures flag', () => {
  describe('configuration', () => {
    it('is off unless the local config is given CONCLAVE_CONFORMANCE_FIXTURES=1 (or true)', () => {
      expect(loadLocalConfig({}).conformanceFixtures).toBe(false);
      expect(loadLocalConfig({ [ENV.conformanceFixtures]: '0' }).conformanceFixtures).toBe(false);
      expect(loadLocalConfig({ [ENV.conformanceFixtures]: '1' }).conformanceFixtures).toBe(true);
      expect(loadLocalConfig({ [ENV.conformanceFixtures]: 'true' }).conformanceFixtures).toBe(true);
      expect(() => loadLocalConfig({ [ENV.conformanceFixtures]: 'yes' })).toThrow(ConfigError);
    });

    it('is refused by the AWS config, naming the variable', () => {
      const aws = { [ENV.tableName]: 't', [ENV.eventBusName]: 'b' };
      expect(() => loadAwsConfig({ ...aws, [ENV.conformanceFixtures]: '1' })).toThrow(/CONCLAVE_CONFORMANCE_FIXTURES.*refused in AWS/);
      expect(() => loadAwsConfig({ ...aws, [ENV.conformanceFixtures]: 'true' })).toThrow(ConfigError);
      expect(loadAwsConfig({ ...aws, [ENV.conformanceFixtures]: '0' })).not.toHaveProperty('conformanceFixtures');
      expect(loadAwsConfig(aws)).not.toHaveProperty('conformanceFixtures');
    });

    it('never reaches the Lambda: the MCP handler passes no plugin and its bundle does not contain the fixtures', { timeout: 120_000 }, async () => {
      const source = await readFile(new URL('../../functions/handlers/mcp.ts', import.meta.url), 'utf8');
      expect(source).not.toMatch(/plugin|conformance/i);
      const parent = fileURLToPath(new URL('../../.bench', import.meta.url));
      await mkdir(parent, { recursive: true });
      const out = await mkdtemp(join(parent, 'bundle-mcp-'));
      try {
        const metafile = await bundleHandler(fileURLToPath(new URL('../../functions/handlers/mcp.ts', import.meta.url)), out);
        const inputs = Object.keys(metafile.inputs);
        expect(inputs.some((i) => i.endsWith('functions/mcp/http.ts'))).toBe(true);
        expect(inputs.filter((i) => i.includes('conformance'))).toEqual([]);
      } finally {
        await rm(out, { recursive: true, force: true });
      }
    });
  });

  describe('a normal start', () => {
    let conclave: Conclave;
    beforeAll(async () => {
      conclave = await startTestConclave();
    });
    afterAll(() => conclave.close());

    it('does not serve /mcp/conformance', async () => {
      const res = await post(conclave, '/mcp/conformance', initialize);
      expect(res.status).toBe(404);
      expect(conclave.log.lines.some((l) => l.message.includes('conformance'))).toBe(false);
    });

    it('lists none of the fixtures on any endpoint', async () => {
      const key = await issueKey(conclave, 'acme', ['all'], true);
      for (const endpoint of ['ceo', 'board'] as const) {
        const client = await modernClient(conclave, endpoint, key);
        const tools = (await client.listTools()).tools.map((t) => t.name);
        const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
        const resources = (await client.listResources()).resources.map((r) => r.uri);
        expect(tools.length).toBeGreaterThan(0);
        expect([...tools, ...prompts].filter((n) => n.startsWith('test_') || n.includes('json_schema'))).toEqual([]);
        expect(resources.filter((u) => u.startsWith('test://'))).toEqual([]);
        // Conclave's own prompt only (completions are Conclave's own now: ids, keys and role names complete).
        expect(prompts).toEqual(['brief']);
        await client.close();
      }
    });
  });

  describe('a start with the flag', () => {
    let conclave: Awaited<ReturnType<typeof startConformanceServer>>;
    beforeAll(async () => {
      conclave = await startConformanceServer(memoryLog());
    });
    afterAll(() => conclave.close());

    it("serves the fixtures and the CEO's own surface on /mcp/conformance without a key", async () => {
      const client = await keyless(conclave.conformanceUrl);
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toEqual(expect.arrayContaining(['test_simple_text', 'test_input_required_result_elicitation', 'list_agents', 'approve_strategic_initiative']));
      const called = await client.callTool({ name: 'test_simple_text', arguments: {} });
      expect(called.content).toEqual([{ type: 'text', text: 'This is a simple text response for testing.' }]);
      await client.close();
    });

    it('keeps the edge rules on the keyless endpoint: Origin, method, body size, parse errors', async () => {
      const path = '/mcp/conformance';
      expect((await post(conclave, path, initialize, { origin: 'https://evil.example' })).status).toBe(403);
      expect((await fetch(conclave.conformanceUrl, { method: 'GET' })).status).toBe(405);
      expect((await post(conclave, path, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(1024 * 1024) } }))).status).toBe(413);
      const broken = await post(conclave, path, '{"jsonrpc":');
      expect(broken.status).toBe(400);
      expect(await broken.json()).toMatchObject({ error: { code: -32700 } });
      expect((await post(conclave, path, initialize)).status).toBe(200);
    });

    it('still requires a key on every role endpoint', async () => {
      for (const endpoint of ['ceo', 'board', 'cto']) expect((await post(conclave, `/mcp/${endpoint}`, initialize)).status).toBe(401);
    });

    it("acts only in the conformance tenant: another tenant's data is not visible", async () => {
      const key = await issueKey(conclave, 'acme', ['all'], true);
      const acme = await modernClient(conclave, 'cto', key);
      await acme.callTool({ name: 'heartbeat', arguments: { status: 'running', capabilities: ['acme-only-capability'] } });
      await acme.close();
      const client = await keyless(conclave.conformanceUrl);
      const agents = await client.callTool({ name: 'list_agents', arguments: {} });
      expect(JSON.stringify(agents)).not.toContain('acme-only-capability');
      await client.close();
    });
  });
});
