import type { Progress } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { legacyClient, RoleClients, startTestConclave } from '../helpers/conclave.js';
import { pendingRequirements } from '../helpers/requirements.js';

type Conclave = Awaited<ReturnType<typeof startTestConclave>>;
interface Collected {
  status: string;
  requirements_doc: { answered: string[] };
}

/**
 * Progress over the stream, locally: a collect that waits for answers sends
 * progress notifications on its SSE response before the result, to the SDK
 * v2 client (2026-07-28) and the v1 client (2025-11-25) alike.
 */
describe('progress notifications over the local stream', () => {
  let conclave: Conclave;
  let roles: RoleClients;

  beforeAll(async () => {
    conclave = await startTestConclave();
    roles = await RoleClients.of(conclave, 'progress-co');
  });

  afterAll(async () => {
    await roles?.close();
    await conclave?.close();
  });

  it('streams answered-of-asked progress before the result (SDK v2 client)', async () => {
    const { requestId, answer } = await pendingRequirements(conclave, roles);
    const seen: { progress: Progress; at: number }[] = [];
    const client = await roles.client('product_manager');
    const answering = answer(400);
    const result = await client.callTool(
      { name: 'gather_requirements', arguments: { request_id: requestId, wait_seconds: 15 } },
      { onprogress: (progress) => void seen.push({ progress, at: Date.now() }) },
    );
    const returnedAt = Date.now();
    await answering;
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as unknown as Collected).status).toBe('complete');
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.map((s) => s.progress.progress)).toEqual([0, 1, 2]);
    expect(seen.every((s) => s.progress.total === 2 && s.at <= returnedAt)).toBe(true);
    expect(seen[2]?.progress.message).toBe('2 of 2 stakeholders answered');
  });

  it('streams progress to a 2025-era client too (SDK v1)', async () => {
    const { requestId, answer } = await pendingRequirements(conclave, roles);
    const legacy = await legacyClient(conclave, 'product_manager', roles.key);
    const seen: number[] = [];
    const answering = answer(400);
    const result = await legacy.callTool({ name: 'gather_requirements', arguments: { request_id: requestId, wait_seconds: 15 } }, undefined, {
      onprogress: (p) => void seen.push(p.progress),
    });
    await answering;
    expect((result.structuredContent as unknown as Collected).status).toBe('complete');
    expect(seen).toEqual([0, 1, 2]);
    await legacy.close();
  });

  it('returns at the deadline with what has arrived, and refuses a wait without a request id', async () => {
    const { requestId } = await pendingRequirements(conclave, roles);
    const started = Date.now();
    const result = await roles.ok<Collected>('product_manager', 'gather_requirements', { request_id: requestId, wait_seconds: 1 });
    expect(result.status).toBe('collecting');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const refused = await roles.refused('product_manager', 'gather_requirements', { feature: 'x', stakeholders: ['cto'], wait_seconds: 2 });
    expect(refused).toContain('wait_seconds: only a collect (request_id) waits');
    expect(await roles.refused('product_manager', 'gather_requirements', { request_id: requestId, wait_seconds: 21 })).toContain('wait_seconds');
  });
});
