import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import type { ConsumerId } from '../contracts/rules.js';
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
 */
export function consumerHandler(consumer: ConsumerId) {
  const config = loadAwsConfig();
  const logger = createLogger();
  const deps = buildAwsDeps(config, logger);
  const useCase = CONSUMER_USE_CASES[consumer];
  return middy<EventBridgeEvent<string, unknown>, void>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const detail = event.detail as { correlation_id?: unknown } | undefined;
      logger.appendKeys({
        consumer,
        event_id: event.id,
        detail_type: event['detail-type'],
        ...(typeof detail?.correlation_id === 'string' ? { correlation_id: detail.correlation_id } : {}),
      });
      try {
        const result = await useCase(deps, event);
        logger.info('event consumed', { ...result });
      } catch (error) {
        if (error instanceof MalformedEventError) logger.error('malformed event: sending to the dead-letter queue', { reason: error.message });
        else logger.error('event processing failed; it will be retried', { error: String(error) });
        throw error;
      }
    });
}
