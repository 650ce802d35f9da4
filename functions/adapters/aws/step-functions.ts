import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { MachineId } from '../../contracts/workflows.js';
import { DependencyError } from '../../ports/errors.js';
import { TaskTokenError } from '../../ports/errors.js';
import type { ExecutionDescription, Workflows } from '../../ports/workflows.js';

/** Step Functions limits on SendTaskFailure's fields. */
const ERROR_CHARS = 256;
const CAUSE_CHARS = 32_768;

/**
 * The Workflows port on AWS Step Functions (standard workflows). Executions
 * are named by run id; the ARN of each machine comes from configuration
 * (a function is given only the machines it may start or resume).
 */
export class StepFunctionsWorkflows implements Workflows {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArns: Partial<Record<MachineId, string>>,
  ) {}

  async start(machine: MachineId, name: string, input: unknown): Promise<void> {
    try {
      await this.client.send(new StartExecutionCommand({ stateMachineArn: this.arn(machine), name, input: JSON.stringify(input) }));
    } catch (error) {
      // Same name: already started (a retry after a crash, a redelivered event).
      if (error instanceof ExecutionAlreadyExists) return;
      throw new DependencyError(`StartExecution of ${machine} failed`, { cause: error });
    }
  }

  async sendTaskSuccess(token: string, output: unknown): Promise<void> {
    await this.tokenCall(() => this.client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output ?? {}) })));
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    await this.tokenCall(() => this.client.send(new SendTaskFailureCommand({ taskToken: token, error: error.slice(0, ERROR_CHARS), cause: cause.slice(0, CAUSE_CHARS) })));
  }

  async sendTaskHeartbeat(token: string): Promise<void> {
    await this.tokenCall(() => this.client.send(new SendTaskHeartbeatCommand({ taskToken: token })));
  }

  async stop(machine: MachineId, name: string, error: string, cause: string): Promise<void> {
    try {
      await this.client.send(new StopExecutionCommand({ executionArn: executionArn(this.arn(machine), name), error: error.slice(0, ERROR_CHARS), cause: cause.slice(0, CAUSE_CHARS) }));
    } catch (failure) {
      // Never started: nothing to stop. (Stopping an execution that already ended succeeds.)
      if (failure instanceof ExecutionDoesNotExist) return;
      throw new DependencyError(`StopExecution of ${machine} failed`, { cause: failure });
    }
  }

  async describe(machine: MachineId, name: string): Promise<ExecutionDescription | undefined> {
    const machineArn = this.arn(machine);
    try {
      const out = await this.client.send(new DescribeExecutionCommand({ executionArn: executionArn(machineArn, name) }));
      return {
        status: (out.status ?? 'RUNNING') as ExecutionDescription['status'],
        ...(out.error ? { error: out.error } : {}),
        ...(out.cause ? { cause: out.cause } : {}),
        ...(out.startDate ? { startedAt: out.startDate.toISOString() } : {}),
        ...(out.stopDate ? { stoppedAt: out.stopDate.toISOString() } : {}),
      };
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw new DependencyError(`DescribeExecution of ${machine} failed`, { cause: error });
    }
  }

  private arn(machine: MachineId): string {
    const arn = this.stateMachineArns[machine];
    if (!arn) throw new DependencyError(`this function is not configured with the ${machine} state machine`);
    return arn;
  }

  private async tokenCall(call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (error) {
      if (error instanceof TaskDoesNotExist || error instanceof TaskTimedOut || error instanceof InvalidToken) {
        throw new TaskTokenError(`the task token was refused (${error.name})`, { cause: error });
      }
      throw new DependencyError('a Step Functions task callback failed', { cause: error });
    }
  }
}

/** `arn:aws:states:r:a:stateMachine:M` → `arn:aws:states:r:a:execution:M:<name>`. */
export function executionArn(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
