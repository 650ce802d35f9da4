import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { DIMENSION, METRIC, METRICS_NAMESPACE } from '../contracts/observability.js';
import type { ConsumerId } from '../contracts/rules.js';
import { auditedConsumer } from '../core/audit/audited.js';
import { CONSUMER_USE_CASES } from '../core/consumers/consumers.js';
import { MalformedEventError } from '../core/errors.js';
import { buildAwsDeps } from '../runtime/aws.js';
import { loadAwsConfig } from '../runtime/config.js';
import { createLogger } from '../runtime/log.js';

/**
 * Builds the Lambda handler of one bus consumer: parse the EventBridge event,
 * call the consumer's use case, log the outcome. A malformed event is logged
 * with the reason and rethrown, so Lambda's asynchronous retries end in the
 * function's dead-letter queue with the event intact.
 *
 * Observability: logs, metrics and traces carry the event's correlation id
 * (`detail.correlation_id`, set by the MCP request or integration that
 * published it). Every attempt records one of EventsProcessed,
 * EventsMalformed or EventsFailed (dimension `consumer`); the tracer records
 * the invocation and each AWS call, with the consumer and the correlation id
 * as searchable annotations.
 */
export function consumerHandler(consumer: ConsumerId) {
  const config = loadAwsConfig();
  const logger = createLogger();
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, defaultDimensions: { [DIMENSION.consumer]: consumer } });
  const tracer = new Tracer();
  const deps = buildAwsDeps(config, logger, { instrument: (client) => tracer.captureAWSv3Client(client) });
  const useCase = auditedConsumer(consumer, CONSUMER_USE_CASES[consumer]);
  return middy<EventBridgeEvent<string, unknown>, void>()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .handler(async (event) => {
      const detail = event.detail as { correlation_id?: unknown; tenant_id?: unknown } | undefined;
      const correlationId = typeof detail?.correlation_id === 'string' ? detail.correlation_id : undefined;
      logger.appendKeys({
        consumer,
        event_id: event.id,
        detail_type: event['detail-type'],
        ...(correlationId ? { correlation_id: correlationId } : {}),
      });
      tracer.putAnnotation('consumer', consumer);
      if (correlationId) tracer.putAnnotation('correlation_id', correlationId);
      metrics.addMetadata('event_id', event.id);
      if (correlationId) metrics.addMetadata('correlation_id', correlationId);
      if (typeof detail?.tenant_id === 'string') metrics.addMetadata('tenant_id', detail.tenant_id);
      try {
        const result = await useCase(deps, event);
        metrics.addMetric(METRIC.eventsProcessed, MetricUnit.Count, 1);
        logger.info('event consumed', { ...result });
      } catch (error) {
        if (error instanceof MalformedEventError) {
          metrics.addMetric(METRIC.eventsMalformed, MetricUnit.Count, 1);
          logger.error('malformed event: sending to the dead-letter queue', { reason: error.message });
        } else {
          metrics.addMetric(METRIC.eventsFailed, MetricUnit.Count, 1);
          logger.error('event processing failed; it will be retried', { error: String(error) });
        }
        throw error;
      }
    });
}
