import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clientNode, INSPECTOR_CLI, MCP_REMOTE, requireClient } from '../clients/paths.js';
import { issueKey, modernClient, startTestConclave } from '../helpers/conclave.js';
import { recordingProxy, type RecordingProxy } from '../helpers/recording-proxy.js';

const run = promisify(execFile);

/**
 * Real third-party clients, pinned in test/clients (its own lockfile, installed by `npm install`) and run on the
 * Node 22 they declare: the MCP Inspector CLI 2.12.0, and mcp-remote 0.15.1, what Claude Desktop runs for a
 * remote server (a stdio ↔ Streamable HTTP bridge).
 */
async function client(args: readonly string[]): Promise<unknown> {
  const { stdout } = await run(clientNode(), [requireClient(INSPECTOR_CLI), ...args], { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout);
}

/** The Inspector CLI straight over Streamable HTTP; `--protocol-era` picks the 2025 initialize handshake or the 2026-07-28 per-request envelope. */
const inspector = (url: string, key: string, era: 'legacy' | 'modern', ...args: string[]) =>
  client(['--cli', url, '--transport', 'http', '--protocol-era', era, '--header', `Authorization: Bearer ${key}`, ...args]);

/** The Inspector CLI driving mcp-remote over stdio, the way Claude Desktop launches it; mcp-remote takes `--header "Name: Value"`. */
const throughMcpRemote = (url: string, key: string, ...args: string[]) =>
  client(['--cli', ...args, '--', clientNode(), requireClient(MCP_REMOTE), url, '--header', `Authorization: Bearer ${key}`]);

interface Tools {
  tools: { name: string; inputSchema: { type: string } }[];
}
interface Called {
  isError?: boolean;
  structuredContent: { role: string; status: string };
}
interface Read {
  contents: { uri: string; text: string }[];
}
interface Resources {
  resources: { uri: string }[];
}
interface Prompts {
  prompts: { name: string }[];
}
interface Prompt {
  messages: { content: { text: string } }[];
}

describe('real MCP clients', () => {
  let conclave: Awaited<ReturnType<typeof startTestConclave>>;
  let proxy: RecordingProxy;
  let key: string;

  beforeAll(async () => {
    conclave = await startTestConclave();
    proxy = await recordingProxy(conclave.url);
    key = await issueKey(conclave, 'acme', ['ceo', 'cto', 'board'], true);
  });
  afterAll(async () => {
    await proxy.close();
    await conclave.close();
  });
  beforeEach(() => {
    proxy.requests.length = 0;
  });

  const jsonRpcMethods = () => proxy.requests.flatMap((r) => r.messages.map((m) => m.method)).filter(Boolean);

  describe.each(['legacy', 'modern'] as const)('MCP Inspector CLI (%s era)', (era) => {
    /** What the client put on the wire: the era the test claims it exercised. */
    const expectEraOnTheWire = () => {
      const posts = proxy.requests.filter((r) => r.method === 'POST');
      expect(posts.length).toBeGreaterThan(0);
      expect(posts.every((r) => r.hasAuthorization)).toBe(true);
      if (era === 'legacy') {
        const init = posts.flatMap((r) => r.messages).find((m) => m.method === 'initialize');
        expect(init?.params?.protocolVersion).toMatch(/^2025-/);
        expect(posts.some((r) => r.protocolHeader === '2026-07-28')).toBe(false);
      } else {
        expect(jsonRpcMethods()).not.toContain('initialize');
        const requests = posts.flatMap((r) => r.messages.map((m) => ({ ...m, header: r.protocolHeader }))).filter((m) => m.method && !m.method.startsWith('notifications/'));
        expect(requests.length).toBeGreaterThan(0);
        for (const m of requests) {
          expect(m.header).toBe('2026-07-28');
          expect(m.params?._meta?.['io.modelcontextprotocol/protocolVersion']).toBe('2026-07-28');
        }
      }
    };

    it('lists and calls tools', { timeout: 300_000 }, async () => {
      const listed = (await inspector(`${proxy.url}/mcp/cto`, key, era, '--method', 'tools/list')) as Tools;
      expect(listed.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['list_agents', 'heartbeat', 'review_architecture']));
      expect(listed.tools.every((t) => t.inputSchema.type === 'object')).toBe(true);
      const called = (await inspector(`${proxy.url}/mcp/cto`, key, era, '--method', 'tools/call', '--tool-name', 'heartbeat', '--tool-arg', `status=${era === 'legacy' ? 'idle' : 'running'}`)) as Called;
      expect(called.isError).toBeFalsy();
      expect(called.structuredContent).toMatchObject({ role: 'cto', status: era === 'legacy' ? 'idle' : 'running' });
      expect(jsonRpcMethods()).toEqual(expect.arrayContaining(['tools/list', 'tools/call']));
      expectEraOnTheWire();
    });

    it('lists and reads resources', { timeout: 300_000 }, async () => {
      const listed = (await inspector(`${proxy.url}/mcp/board`, key, era, '--method', 'resources/list')) as Resources;
      expect(listed.resources.map((r) => r.uri)).toEqual(expect.arrayContaining(['conclave://org-chart', 'conclave://agents', 'conclave://audit/today']));
      const read = (await inspector(`${proxy.url}/mcp/board`, key, era, '--method', 'resources/read', '--uri', 'conclave://org-chart')) as Read;
      expect(JSON.parse(read.contents[0]?.text ?? '{}')).toMatchObject({ top: 'board' });
      expectEraOnTheWire();
    });

    it('lists and gets prompts', { timeout: 300_000 }, async () => {
      const listed = (await inspector(`${proxy.url}/mcp/ceo`, key, era, '--method', 'prompts/list')) as Prompts;
      expect(listed.prompts.map((p) => p.name)).toContain('brief');
      const brief = (await inspector(`${proxy.url}/mcp/ceo`, key, era, '--method', 'prompts/get', '--prompt-name', 'brief')) as Prompt;
      expect(brief.messages[0]?.content.text).toContain('Chief Executive Officer');
      expectEraOnTheWire();
    });
  });

  describe('mcp-remote (what Claude Desktop runs), bridged through the Inspector CLI', () => {
    it('lists tools with the key it was given', { timeout: 300_000 }, async () => {
      const listed = (await throughMcpRemote(`${proxy.url}/mcp/ceo`, key, '--method', 'tools/list')) as Tools;
      expect(listed.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['approve_strategic_initiative', 'list_agents']));
      expect(proxy.requests.filter((r) => r.method === 'POST').every((r) => r.hasAuthorization)).toBe(true);
      expect(jsonRpcMethods()).toEqual(expect.arrayContaining(['initialize', 'tools/list']));
    });

    it('calls a tool whose effect another client then sees', { timeout: 300_000 }, async () => {
      const called = (await throughMcpRemote(`${proxy.url}/mcp/cto`, key, '--method', 'tools/call', '--tool-name', 'heartbeat', '--tool-arg', 'status=error', 'version=bridge-1')) as Called;
      expect(called.structuredContent).toMatchObject({ role: 'cto', status: 'error' });
      const ceo = await modernClient(conclave, 'ceo', key);
      const agents = (await ceo.callTool({ name: 'list_agents', arguments: {} })).structuredContent as { agents: { role: string; status: string; version: string | null }[] };
      expect(agents.agents.find((a) => a.role === 'cto')).toMatchObject({ status: 'error', version: 'bridge-1' });
      await ceo.close();
    });

    it('reads a resource and gets a prompt', { timeout: 300_000 }, async () => {
      const read = (await throughMcpRemote(`${proxy.url}/mcp/board`, key, '--method', 'resources/read', '--uri', 'conclave://org-chart')) as Read;
      expect(JSON.parse(read.contents[0]?.text ?? '{}')).toMatchObject({ top: 'board' });
      const brief = (await throughMcpRemote(`${proxy.url}/mcp/board`, key, '--method', 'prompts/get', '--prompt-name', 'brief')) as Prompt;
      expect(brief.messages[0]?.content.text).toContain('board');
    });
  });
});
