import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { DIMENSION, METRIC, METRICS_NAMESPACE } from '../contracts/observability.js';
import type { MachineId } from '../contracts/workflows.js';
import { auditedStep } from '../core/audit/audited.js';
import { runStep } from '../core/workflows/steps.js';
import { buildAwsDeps } from '../runtime/aws.js';
import { loadAwsConfig } from '../runtime/config.js';
import { createLogger } from '../runtime/log.js';

/**
 * Builds the Lambda handler of one state machine's steps: the Task states
 * invoke it (`arn:aws:states:::lambda:invoke[.waitForTaskToken]`) with
 * `{ step, run, ... }`; it runs that step's use case and returns its result
 * (Step Functions wraps it in `Payload`). A thrown error is the function
 * error the machine's Retry and Catch route on (its name is the error name).
 *
 * Observability: logs, metrics and traces carry the run's correlation id
 * (`run.correlation_id`: the MCP request or event that started the run) and
 * run id. Every invocation records StepFailures, 1 when the step threw
 * (dimension `machine`; the step name is a record key); the tracer records
 * the invocation and each AWS call, never the step's result.
 */
export function stepHandler(machine: MachineId) {
  const config = loadAwsConfig();
  const logger = createLogger();
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, defaultDimensions: { [DIMENSION.machine]: machine } });
  const tracer = new Tracer();
  const deps = buildAwsDeps(config, logger, { instrument: (client) => tracer.captureAWSv3Client(client) });
  return middy<unknown, Record<string, unknown>>()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .handler(async (payload) => {
      const head = (payload ?? {}) as { step?: unknown; run?: { run_id?: unknown; correlation_id?: unknown; tenant_id?: unknown } };
      const step = String(head.step);
      const runId = typeof head.run?.run_id === 'string' ? head.run.run_id : undefined;
      const correlationId = typeof head.run?.correlation_id === 'string' ? head.run.correlation_id : undefined;
      logger.appendKeys({
        machine,
        step,
        ...(runId ? { run_id: runId } : {}),
        ...(correlationId ? { correlation_id: correlationId } : {}),
      });
      tracer.putAnnotation('machine', machine);
      tracer.putAnnotation('step', step);
      if (runId) tracer.putAnnotation('run_id', runId);
      if (correlationId) tracer.putAnnotation('correlation_id', correlationId);
      metrics.addMetadata('step', step);
      if (runId) metrics.addMetadata('run_id', runId);
      if (correlationId) metrics.addMetadata('correlation_id', correlationId);
      if (typeof head.run?.tenant_id === 'string') metrics.addMetadata('tenant_id', head.run.tenant_id);
      try {
        const result = await auditedStep(deps, machine, payload, () => runStep(deps, machine, payload));
        metrics.addMetric(METRIC.stepFailures, MetricUnit.Count, 0);
        logger.info('step done');
        return result;
      } catch (error) {
        metrics.addMetric(METRIC.stepFailures, MetricUnit.Count, 1);
        logger.error('step failed', { error: String(error) });
        throw error;
      }
    });
}
