import type { MachineId } from '../contracts/workflows.js';

/** What the engine knows about one execution. */
export interface ExecutionDescription {
  readonly status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  /** The error name and cause of a failed execution, when the engine reports them. */
  readonly error?: string;
  readonly cause?: string;
  readonly startedAt?: string;
  readonly stoppedAt?: string;
}

/**
 * The workflow-engine port: Step Functions in AWS, the same ASL files run by
 * an in-process interpreter locally. Executions are named by the run id, so
 * each run is at most one execution.
 *
 * Task tokens are opaque: whoever holds one (a task's wait record) may resume
 * the Task state waiting on it, once. A token that is unknown, already used or
 * whose Task state timed out is refused with `TaskTokenError`
 * (functions/ports/errors.ts).
 */
export interface Workflows {
  /**
   * Starts an execution of `machine` named `name` with `input` (JSON).
   * Idempotent: if an execution of that name exists, nothing happens.
   */
  start(machine: MachineId, name: string, input: unknown): Promise<void>;
  /** Resumes the Task state waiting on `token`; its result is `output` (JSON). */
  sendTaskSuccess(token: string, output: unknown): Promise<void>;
  /** Fails the Task state waiting on `token` with an error name its Catch can route on, and a cause. */
  sendTaskFailure(token: string, error: string, cause: string): Promise<void>;
  /** Tells the Task state waiting on `token` that its worker is alive (resets its HeartbeatSeconds clock). */
  sendTaskHeartbeat(token: string): Promise<void>;
  /**
   * Stops a running execution (StopExecution) with an error name and cause;
   * its Catch states do not run, so the caller applies the run's failure
   * path itself. Stopping an execution that has ended or does not exist does nothing.
   */
  stop(machine: MachineId, name: string, error: string, cause: string): Promise<void>;
  /** The engine's view of an execution, or undefined when it has none of that name. */
  describe(machine: MachineId, name: string): Promise<ExecutionDescription | undefined>;
}
