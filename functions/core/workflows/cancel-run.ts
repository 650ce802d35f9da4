import { BOARD, type EndpointId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { ConflictError, DependencyError, NotFoundError } from '../errors.js';
import { finishRun, loadRun, refOf } from './runs.js';

/** The error name a cancelled run's execution is stopped with. */
export const CANCELLED_ERROR = 'Conclave.Cancelled';
/** The outcome recorded on a run that was cancelled (its status is `failed`). */
export const CANCELLED_OUTCOME = 'cancelled';

/**
 * Cancels a running workflow run for whoever started it (or the board):
 * the run's failure path first — every open task closed as cancelled, the
 * run recorded `failed` with the cause and outcome `cancelled`,
 * Workflow.Completed published and the initiator told — then the execution
 * is stopped (StopExecution), since a stopped execution runs no Catch.
 * Safe to repeat: a second call finds the run ended and only stops the
 * execution again. Another tenant's run, or one the caller did not start,
 * is "not found".
 */
export async function cancelRun(deps: Deps, ctx: RequestContext, input: { tenantId: string; runId: string; by: EndpointId }): Promise<void> {
  const run = await loadRun(deps, input.tenantId, input.runId);
  if (run.initiator !== input.by && input.by !== BOARD) throw new NotFoundError(`no workflow run ${input.runId}`);
  if (run.status !== 'running' && run.outcome !== CANCELLED_OUTCOME) throw new ConflictError(`workflow run ${input.runId} has already ended (${run.status})`);
  const cause = `cancelled by ${input.by}`;
  await finishRun(deps, ctx, refOf(run), { status: 'failed', cause, outcome: CANCELLED_OUTCOME });
  try {
    await deps.workflows.stop(run.workflow, input.runId, CANCELLED_ERROR, cause);
  } catch (error) {
    throw new DependencyError(`run ${input.runId} is cancelled, but its execution could not be stopped yet; cancel again`, { cause: error });
  }
}
