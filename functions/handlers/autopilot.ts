/**
 * Lambda entry point of the autopilot consumer (functions/contracts/autopilot.ts
 * AUTOPILOT_RULE): wakes the role agents a task, a vote request or a request
 * message is for, each driven by Bedrock Converse and calling its role's
 * tools in process (functions/mcp/in-process.ts). Its own function with
 * reserved concurrency, so agents can never starve the MCP endpoint.
 *
 * A malformed event is logged and rethrown (it ends in the dead-letter
 * queue); any other failure is rethrown for Lambda's retries, which the
 * activation claim makes safe (functions/core/autopilot/activate.ts).
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { BedrockModel } from '../adapters/aws/bedrock-model.js';
import { EmfMetrics } from '../adapters/aws/emf-metrics.js';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../contracts/observability.js';
import { runAutopilot } from '../core/autopilot/activate.js';
import { MalformedEventError } from '../core/errors.js';
import { AuditTrail } from '../mcp/audit-trail.js';
import { inProcessTools } from '../mcp/in-process.js';
import { buildAwsDeps } from '../runtime/aws.js';
import { loadAwsConfig } from '../runtime/config.js';
import { createLogger } from '../runtime/log.js';

// Built once per cold start.
const config = loadAwsConfig();
const logger = createLogger();
const deps = buildAwsDeps(config, logger);
const metrics = new EmfMetrics({ namespace: METRICS_NAMESPACE, service: SERVICE_NAME.autopilot });
const audit = new AuditTrail(deps);
// maxAttempts 1: the adapter owns retries (backoff with jitter on throttling).
const runtime = { model: new BedrockModel(new BedrockRuntimeClient({ maxAttempts: 1 })), tools: inProcessTools(deps, { audit, metrics }) };

export const handler = middy<EventBridgeEvent<string, unknown>, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const detail = event.detail as { correlation_id?: unknown } | undefined;
    logger.appendKeys({ event_id: event.id, detail_type: event['detail-type'], ...(typeof detail?.correlation_id === 'string' ? { correlation_id: detail.correlation_id } : {}) });
    try {
      const reports = await runAutopilot(deps, runtime, event);
      metrics.record([{ name: METRIC.eventsProcessed, unit: 'Count', value: 1 }], {});
      logger.info('autopilot event consumed', { activations: reports });
    } catch (error) {
      const metric = error instanceof MalformedEventError ? METRIC.eventsMalformed : METRIC.eventsFailed;
      metrics.record([{ name: metric, unit: 'Count', value: 1 }], {});
      logger.error('autopilot event failed', { error: String(error) });
      throw error;
    } finally {
      await audit.flush();
    }
  });
