import { LocalWorkflowEngine, loadDefinitions, localFunctionArn, type LocalFunction } from '../adapters/local/asl-runner.js';
import { MACHINES, STEP_FUNCTION_SUBSTITUTION, type MachineId } from '../contracts/workflows.js';
import type { Deps } from '../core/context.js';
import { runRef } from '../core/workflows/model.js';
import { reconcileRun } from '../core/workflows/runs.js';
import { auditedStep } from '../core/audit/audited.js';
import { runStep } from '../core/workflows/steps.js';
import type { Log } from '../ports/logger.js';
import type { Store } from '../ports/store.js';

export interface LocalWorkflowOptions {
  /**
   * Multiplies every workflow wait — heartbeats (reminders), task timeouts,
   * Wait states, retry intervals — so tests see a day pass in milliseconds.
   * Tests only; default 1 (`npm start` never sets it).
   */
  readonly timeScale?: number;
  /** Wraps every step call (tests only: a step that throws, to exercise Retry and Catch). */
  readonly interceptStep?: (machine: MachineId, payload: unknown, run: () => Promise<unknown>) => Promise<unknown>;
}

/**
 * The local workflow engine wired to the core: the statemachines/ ASL files
 * with `${StepFunctionArn}` resolved to one in-process function per machine,
 * each running `runStep` — the code the Lambda step handlers run. An
 * execution that ends without its run recording it (an error no Catch
 * routed) is reconciled at once.
 */
export async function buildLocalWorkflows(deps: () => Deps, store: Store, log: Log, options: LocalWorkflowOptions = {}): Promise<LocalWorkflowEngine> {
  const definitions = await loadDefinitions((machine) => ({ [STEP_FUNCTION_SUBSTITUTION]: localFunctionArn(machine) }));
  const functions: Record<string, LocalFunction> = {};
  const intercept = options.interceptStep;
  for (const machine of MACHINES) {
    const step = (payload: unknown) => auditedStep(deps(), machine, payload, () => runStep(deps(), machine, payload));
    functions[localFunctionArn(machine)] = intercept ? (payload) => intercept(machine, payload, () => step(payload)) : step;
  }
  return new LocalWorkflowEngine({
    definitions,
    functions,
    store,
    log,
    ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
    onExecutionEnded: async (_machine, _name, end, input) => {
      const ref = runRef.safeParse((input as { run?: unknown } | null)?.run);
      if (ref.success) await reconcileRun(deps(), ref.data, end);
    },
  });
}
