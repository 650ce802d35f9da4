import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientNode, INSPECTOR_CLI, requireClient } from '../clients/paths.js';
import { issueKey, startTestConclave } from '../helpers/conclave.js';

const run = promisify(execFile);

/** The MCP Inspector CLI 2.12.0 the README shows, pinned in test/clients and run on its Node 22. */
async function inspector(url: string, key: string, ...args: string[]): Promise<unknown> {
  const { stdout } = await run(
    clientNode(),
    [requireClient(INSPECTOR_CLI), '--cli', url, '--transport', 'http', '--header', `Authorization: Bearer ${key}`, ...args],
    { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout);
}

describe('MCP Inspector CLI (a real third-party client)', () => {
  let conclave: Awaited<ReturnType<typeof startTestConclave>>;
  let key: string;

  beforeAll(async () => {
    conclave = await startTestConclave();
    key = await issueKey(conclave, 'acme', ['ceo', 'board'], true);
  });
  afterAll(() => conclave.close());

  it("lists the CEO's tools", { timeout: 300_000 }, async () => {
    const result = (await inspector(`${conclave.url}/mcp/ceo`, key, '--method', 'tools/list')) as { tools: { name: string }[] };
    expect(result.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['list_agents', 'heartbeat']));
  });

  it('calls a tool and reads a resource', { timeout: 300_000 }, async () => {
    const called = (await inspector(`${conclave.url}/mcp/ceo`, key, '--method', 'tools/call', '--tool-name', 'heartbeat', '--tool-arg', 'status=idle')) as {
      structuredContent: { role: string; status: string };
    };
    expect(called.structuredContent).toMatchObject({ role: 'ceo', status: 'idle' });
    const chart = (await inspector(`${conclave.url}/mcp/board`, key, '--method', 'resources/read', '--uri', 'conclave://org-chart')) as {
      contents: { text: string }[];
    };
    expect(JSON.parse(chart.contents[0]?.text ?? '{}').top).toBe('board');
  });
});
