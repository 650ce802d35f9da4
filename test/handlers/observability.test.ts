import type { Context, EventBridgeEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../functions/core/errors.js';

/**
 * The consumer and step handlers' logs and metrics, driven as EventBridge and
 * Step Functions drive them (their AWS clients are never reached here; the
 * tracer is off outside Lambda — test/infra/bundle.test.ts runs a bundle with
 * it on).
 */
describe('Lambda handler observability', () => {
  type Handler<E, R> = (event: E, context: Context) => Promise<R>;
  let consumer: Handler<EventBridgeEvent<string, unknown>, void>;
  let step: Handler<unknown, Record<string, unknown>>;
  const written: string[] = [];
  const records = () =>
    written
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const metricRecords = (name: string) => records().filter((r) => name in r && '_aws' in r);

  beforeAll(async () => {
    vi.stubEnv('CONCLAVE_TABLE_NAME', 'table');
    vi.stubEnv('CONCLAVE_EVENT_BUS_NAME', 'bus');
    vi.stubEnv('AWS_REGION', 'us-east-1');
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk) => {
        written.push(String(chunk));
        return true;
      });
    }
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'conclave-vote-notifier');
    consumer = (await import('../../functions/handlers/consumers/vote-notifier.js')).handler as unknown as typeof consumer;
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'conclave-escalation-steps');
    step = (await import('../../functions/handlers/steps/escalation.js')).handler as unknown as typeof step;
  });

  const context = (name: string) => ({ functionName: name, awsRequestId: `req-${name}`, getRemainingTimeInMillis: () => 30_000 }) as unknown as Context;

  it('a consumer counts a malformed event as EventsMalformed (dimension consumer), with the event\'s correlation id and tenant as keys', async () => {
    const event = {
      id: 'evt-1',
      source: 'conclave',
      'detail-type': 'Decision.VoteRequired.v1',
      time: '2026-11-21T10:00:00Z',
      detail: { tenant_id: 'acme', correlation_id: 'corr-42' },
    } as EventBridgeEvent<string, unknown>;
    await expect(consumer(event, context('vote-notifier'))).rejects.toThrow();
    const [metric] = metricRecords('EventsMalformed');
    expect(metric).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'Conclave', Dimensions: [['service', 'consumer']], Metrics: [{ Name: 'EventsMalformed', Unit: 'Count' }] }] },
      service: 'conclave-vote-notifier',
      consumer: 'vote-notifier',
      EventsMalformed: 1,
      correlation_id: 'corr-42',
      tenant_id: 'acme',
      event_id: 'evt-1',
    });
    expect(metricRecords('EventsProcessed')).toEqual([]);
    const log = records().find((r) => r.message === 'malformed event: sending to the dead-letter queue');
    expect(log).toMatchObject({ correlation_id: 'corr-42', consumer: 'vote-notifier', event_id: 'evt-1' });
  });

  it('a step that throws counts StepFailures 1 (dimension machine), logs the run\'s correlation id and run id, and keeps the error\'s name for Retry/Catch', async () => {
    const payload = { step: 'no_such_step', run: { run_id: 'run-7', tenant_id: 'acme', workflow: 'escalation', initiator: 'ceo', correlation_id: 'corr-7' } };
    const error = await step(payload, context('escalation-steps')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).name).toBe('ValidationError');
    const [metric] = metricRecords('StepFailures');
    expect(metric).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'Conclave', Dimensions: [['service', 'machine']], Metrics: [{ Name: 'StepFailures', Unit: 'Count' }] }] },
      service: 'conclave-escalation-steps',
      machine: 'escalation',
      StepFailures: 1,
      step: 'no_such_step',
      run_id: 'run-7',
      correlation_id: 'corr-7',
      tenant_id: 'acme',
    });
    const log = records().find((r) => r.message === 'step failed');
    expect(log).toMatchObject({ level: 'ERROR', machine: 'escalation', step: 'no_such_step', run_id: 'run-7', correlation_id: 'corr-7' });
  });
});
