import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { executionArn, StepFunctionsWorkflows } from '../../functions/adapters/aws/step-functions.js';
import { DependencyError } from '../../functions/core/errors.js';
import { TaskTokenError } from '../../functions/core/workflows/model.js';

const sfn = mockClient(SFNClient);
const client = new SFNClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const ESCALATION = 'arn:aws:states:eu-west-1:111122223333:stateMachine:Conclave-escalation';
const adapter = new StepFunctionsWorkflows(client, { escalation: ESCALATION });
const meta = { $metadata: {} };

describe('StepFunctionsWorkflows (at the SDK boundary)', () => {
  beforeEach(() => sfn.reset());
  afterAll(() => sfn.restore());

  it('starts an execution named by the run id with the JSON input', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'x', startDate: new Date() });
    await adapter.start('escalation', 'run-1', { run: { run_id: 'run-1' } });
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({ stateMachineArn: ESCALATION, name: 'run-1', input: '{"run":{"run_id":"run-1"}}' });
  });

  it('treats an existing execution of that name as started (idempotent)', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', ...meta }));
    await expect(adapter.start('escalation', 'run-1', {})).resolves.toBeUndefined();
  });

  it('refuses a machine it was not configured with, and reports other failures as DependencyError', async () => {
    await expect(adapter.start('feature_development', 'run-1', {})).rejects.toBeInstanceOf(DependencyError);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    sfn.on(StartExecutionCommand).rejects(new Error('throttled'));
    await expect(adapter.start('escalation', 'run-1', {})).rejects.toBeInstanceOf(DependencyError);
  });

  it('sends task success with JSON output, failure with error and cause (bounded), and heartbeats', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    sfn.on(SendTaskFailureCommand).resolves({});
    sfn.on(SendTaskHeartbeatCommand).resolves({});
    await adapter.sendTaskSuccess('tok', { outcome: 'approve' });
    await adapter.sendTaskFailure('tok', 'Conclave.StageFailed', 'x'.repeat(40_000));
    await adapter.sendTaskHeartbeat('tok');
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input).toEqual({ taskToken: 'tok', output: '{"outcome":"approve"}' });
    const failure = sfn.commandCalls(SendTaskFailureCommand)[0]?.args[0].input;
    expect(failure?.error).toBe('Conclave.StageFailed');
    expect(failure?.cause).toHaveLength(32_768);
    expect(sfn.commandCalls(SendTaskHeartbeatCommand)[0]?.args[0].input).toEqual({ taskToken: 'tok' });
  });

  it.each([
    ['TaskDoesNotExist', new TaskDoesNotExist({ message: 'gone', ...meta })],
    ['TaskTimedOut', new TaskTimedOut({ message: 'late', ...meta })],
    ['InvalidToken', new InvalidToken({ message: 'bad', ...meta })],
  ])('maps %s to TaskTokenError (the run moved on without this token)', async (_, error) => {
    sfn.on(SendTaskSuccessCommand).rejects(error);
    await expect(adapter.sendTaskSuccess('tok', {})).rejects.toBeInstanceOf(TaskTokenError);
  });

  it('reports other callback failures as DependencyError', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new Error('network'));
    await expect(adapter.sendTaskSuccess('tok', {})).rejects.toBeInstanceOf(DependencyError);
  });

  it('describes an execution by its ARN, and says undefined when there is none', async () => {
    sfn.on(DescribeExecutionCommand).resolvesOnce({ status: 'FAILED', error: 'States.Runtime', cause: 'bad path', startDate: new Date('2026-11-21T10:00:00Z'), executionArn: 'x', stateMachineArn: ESCALATION })
      .rejectsOnce(new ExecutionDoesNotExist({ message: 'none', ...meta }));
    expect(await adapter.describe('escalation', 'run-1')).toEqual({ status: 'FAILED', error: 'States.Runtime', cause: 'bad path', startedAt: '2026-11-21T10:00:00.000Z' });
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toEqual({ executionArn: 'arn:aws:states:eu-west-1:111122223333:execution:Conclave-escalation:run-1' });
    expect(await adapter.describe('escalation', 'run-2')).toBeUndefined();
  });

  it('builds execution ARNs from state machine ARNs', () => {
    expect(executionArn(ESCALATION, 'abc')).toBe('arn:aws:states:eu-west-1:111122223333:execution:Conclave-escalation:abc');
  });
});
