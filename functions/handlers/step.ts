import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { MachineId } from '../contracts/workflows.js';
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
 */
export function stepHandler(machine: MachineId) {
  const config = loadAwsConfig();
  const logger = createLogger();
  const deps = buildAwsDeps(config, logger);
  return middy<unknown, Record<string, unknown>>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (payload) => {
      const head = (payload ?? {}) as { step?: unknown; run?: { run_id?: unknown; correlation_id?: unknown } };
      logger.appendKeys({
        machine,
        step: String(head.step),
        ...(typeof head.run?.run_id === 'string' ? { run_id: head.run.run_id } : {}),
        ...(typeof head.run?.correlation_id === 'string' ? { correlation_id: head.run.correlation_id } : {}),
      });
      try {
        const result = await runStep(deps, machine, payload);
        logger.info('step done');
        return result;
      } catch (error) {
        logger.error('step failed', { error: String(error) });
        throw error;
      }
    });
}
