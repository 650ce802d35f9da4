import type { Context, EventBridgeEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { MalformedEventError } from '../../functions/core/errors.js';

/** The Lambda consumer handler, driven like EventBridge drives it (its AWS clients are never reached here). */
describe('consumer Lambda handler', () => {
  let handler: (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<void>;
  const logged: string[] = [];

  beforeAll(async () => {
    vi.stubEnv('CONCLAVE_TABLE_NAME', 'table');
    vi.stubEnv('CONCLAVE_EVENT_BUS_NAME', 'bus');
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'conclave-inbox-fanout');
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk) => {
        logged.push(String(chunk));
        return true;
      });
    }
    handler = (await import('../../functions/handlers/consumers/inbox-fanout.js')).handler as unknown as typeof handler;
  });

  const context = { functionName: 'inbox-fanout', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

  it('rejects a malformed event with a clear log line, so Lambda retries then dead-letters it', async () => {
    const event = {
      version: '0',
      id: 'evt-malformed',
      source: 'conclave',
      'detail-type': 'Message.Sent.v1',
      account: '111122223333',
      time: '2026-11-21T10:00:00Z',
      region: 'eu-west-1',
      resources: [],
      detail: { tenant_id: 'acme', subject: 42 },
    } as EventBridgeEvent<string, unknown>;
    await expect(handler(event, context)).rejects.toBeInstanceOf(MalformedEventError);
    const line = logged
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.message === 'malformed event: sending to the dead-letter queue');
    expect(line).toMatchObject({ level: 'ERROR', consumer: 'inbox-fanout', event_id: 'evt-malformed', detail_type: 'Message.Sent.v1' });
    expect(String(line?.reason)).toContain('subject');
  });

  it('treats an event of another detail-type as malformed too', async () => {
    const event = { id: 'evt-other', source: 'conclave', 'detail-type': 'Agent.Heartbeat.v1', time: '2026-11-21T10:00:00Z', detail: {} } as EventBridgeEvent<string, unknown>;
    await expect(handler(event, context)).rejects.toThrow(/expected Message.Sent.v1/);
  });
});
