import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, issueKey, modernClient, startTestConclave } from '../helpers/conclave.js';

type Conclave = Awaited<ReturnType<typeof startTestConclave>>;

describe('tenant isolation', () => {
  let conclave: Conclave;
  let keyA: string;
  let keyB: string;

  beforeAll(async () => {
    conclave = await startTestConclave();
    keyA = await issueKey(conclave, 'tenant-a', ['all'], true);
    keyB = await issueKey(conclave, 'tenant-b', ['all'], true);
    const a = await modernClient(conclave, 'cto', keyA);
    await a.callTool({ name: 'heartbeat', arguments: { status: 'running', capabilities: ['secret-capability-a'], version: 'a-1' } });
    await a.close();
  });
  afterAll(() => conclave.close());

  it("does not show tenant A's agents to tenant B through list_agents or the agents resource", async () => {
    const b = await modernClient(conclave, 'cto', keyB);
    const listed = await b.callTool({ name: 'list_agents', arguments: {} });
    const cto = (listed.structuredContent as { agents: { role: string; status: string; capabilities: string[] }[] }).agents.find((x) => x.role === 'cto');
    // B's own call is B's cto heartbeat; A's capabilities and version stay A's.
    expect(cto).toMatchObject({ capabilities: [], version: null });
    const resource = await b.readResource({ uri: 'conclave://agents' });
    expect(JSON.stringify(resource)).not.toContain('secret-capability-a');
    await b.close();

    const a = await modernClient(conclave, 'ceo', keyA);
    const seenByA = await a.callTool({ name: 'list_agents', arguments: {} });
    expect(JSON.stringify(seenByA.structuredContent)).toContain('secret-capability-a');
    await a.close();
  });

  it("does not show tenant A's audit trail to tenant B", async () => {
    const b = await modernClient(conclave, 'board', keyB);
    const audit = await b.readResource({ uri: 'conclave://audit/today' });
    const entries = JSON.parse((audit.contents[0] as { text: string }).text).entries as { key_id: string }[];
    const a = await modernClient(conclave, 'board', keyA);
    let auditA: { key_id: string }[] = [];
    await eventually(async () => {
      auditA = JSON.parse(((await a.readResource({ uri: 'conclave://audit/today' })).contents[0] as { text: string }).text).entries as { key_id: string }[];
      expect(auditA.length).toBeGreaterThan(0);
    });
    const keyIdsOfA = new Set(auditA.map((e) => e.key_id));
    expect(entries.some((e) => keyIdsOfA.has(e.key_id))).toBe(false);
    await a.close();
    await b.close();
  });

  it("cannot reach tenant A's endpoints' data by heartbeat: B's heartbeat only changes B", async () => {
    const b = await modernClient(conclave, 'cto', keyB);
    await b.callTool({ name: 'heartbeat', arguments: { status: 'error', capabilities: ['b-only'] } });
    await b.close();
    const a = await modernClient(conclave, 'ceo', keyA);
    const cto = (
      (await a.callTool({ name: 'list_agents', arguments: {} })).structuredContent as { agents: { role: string; status: string; capabilities: string[] }[] }
    ).agents.find((x) => x.role === 'cto');
    expect(cto).toMatchObject({ status: 'running', capabilities: ['secret-capability-a'] });
    await a.close();
  });
});
