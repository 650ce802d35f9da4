import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Effect, Policy, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFn, IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { STATE_MACHINE_ARN_ENV } from '../../functions/contracts/env.js';
import { SERVICE_NAME } from '../../functions/contracts/observability.js';
import { STORE_OPERATIONS } from '../../functions/contracts/table-access.js';
import { aslFileName, MACHINES, STEP_FUNCTION_SUBSTITUTION, type MachineId } from '../../functions/contracts/workflows.js';
import { ConclaveFunction } from './conclave-function.js';

/** A machine's ASL file, resolved from this module so synth works from any working directory. */
export function aslPath(machine: MachineId): string {
  return fileURLToPath(new URL(`../../statemachines/${aslFileName(machine)}`, import.meta.url));
}

/** A machine's step handler (one Lambda entry point per machine). */
function stepEntry(machine: MachineId): string {
  return fileURLToPath(new URL(`../../functions/handlers/steps/${machine.replace(/_/g, '-')}.ts`, import.meta.url));
}

/** `escalation` → `Escalation`, `feature_development` → `FeatureDevelopment` (construct ids). */
function pascal(id: string): string {
  return id
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

const TASK_CALLBACKS = ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'];

export interface WorkflowsProps {
  /** The single table; the step functions read and write runs, waits, tasks, decisions and messages. */
  readonly table: ITable;
  /** The bus; the step functions publish workflow, task and decision events on it (and only on it). */
  readonly bus: IEventBus;
  /**
   * How long the step functions' logs and the executions' logs are kept.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * What happens to the log groups when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** One machine and everything deployed for it. */
export interface WorkflowMachine {
  readonly machine: MachineId;
  readonly stateMachine: StateMachine;
  /** The Lambda function every Task state of this machine invokes (`${StepFunctionArn}`). */
  readonly stepFunction: LambdaFn;
  /** Where the machine logs every execution event (level ALL, with execution data). */
  readonly executionLogs: LogGroup;
}

/**
 * The workflows: one Step Functions standard state machine per ASL file in
 * `statemachines/`, its `${StepFunctionArn}` substituted with the ARN of its
 * own step function, logging everything to its own log group, with X-Ray
 * tracing. Each machine may invoke only its own step function; each step
 * function may use the table, publish on the bus and answer its own
 * machine's task tokens. Functions that start or resume runs are connected
 * with `connect`, which sets the ARNs they read and grants exactly that.
 */
export class Workflows extends Construct {
  readonly machines: Readonly<Record<MachineId, WorkflowMachine>>;

  constructor(scope: Construct, id: string, props: WorkflowsProps) {
    super(scope, id);
    this.machines = Object.fromEntries(MACHINES.map((machine) => [machine, this.machine(machine, props)])) as Record<MachineId, WorkflowMachine>;
  }

  /** The name of a machine's state machine: fixed, so its ARN is known without referring to it (no dependency cycles). */
  private static nameOf(scope: Construct, machine: MachineId): string {
    return `${Stack.of(scope).stackName}-${machine}`;
  }

  /** `arn:…:stateMachine:<name>` of a machine, built from its name. */
  stateMachineArn(machine: MachineId): string {
    return Stack.of(this).formatArn({ service: 'states', resource: 'stateMachine', resourceName: Workflows.nameOf(this, machine), arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  /** `arn:…:execution:<name>:*`: every execution of a machine. */
  executionsArn(machine: MachineId): string {
    return Stack.of(this).formatArn({ service: 'states', resource: 'execution', resourceName: `${Workflows.nameOf(this, machine)}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  private machine(machine: MachineId, props: WorkflowsProps): WorkflowMachine {
    const scope = new Construct(this, pascal(machine));
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const retention = props.logRetention ?? RetentionDays.ONE_MONTH;

    const steps = new ConclaveFunction(scope, 'StepFunction', {
      entry: stepEntry(machine),
      description: `Conclave ${machine} workflow steps (the Task states of statemachines/${aslFileName(machine)})`,
      serviceName: SERVICE_NAME.steps(machine),
      // Below the Task states' TimeoutSeconds (60), so a slow step fails as a Lambda error the machine retries.
      timeout: Duration.seconds(50),
      logRetention: retention,
      removalPolicy,
    });
    const stepFunction = steps.function;
    // Steps read and write runs, waits, tasks, decisions and messages: every Store operation.
    steps.useTable(props.table, STORE_OPERATIONS);
    steps.useBus(props.bus, { publish: true });
    // A wait resolved before its Task state (re-)entered is delivered by the step at once: callbacks on its own machine only.
    stepFunction.addEnvironment(STATE_MACHINE_ARN_ENV[machine], this.stateMachineArn(machine));
    steps.role.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: TASK_CALLBACKS, resources: [this.stateMachineArn(machine)] }));

    const executionLogs = new LogGroup(scope, 'ExecutionLogs', {
      // The /aws/vendedlogs/ prefix keeps the CloudWatch Logs resource policy small (Step Functions' recommendation).
      logGroupName: `/aws/vendedlogs/states/${Workflows.nameOf(this, machine)}`,
      retention,
      removalPolicy,
    });
    const stateMachine = new StateMachine(scope, 'StateMachine', {
      stateMachineName: Workflows.nameOf(this, machine),
      stateMachineType: StateMachineType.STANDARD,
      // Inline (not an S3 asset): the template carries exactly the file.
      definitionBody: DefinitionBody.fromString(readFileSync(aslPath(machine), 'utf8')),
      definitionSubstitutions: { [STEP_FUNCTION_SUBSTITUTION]: stepFunction.functionArn },
      logs: { destination: executionLogs, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    // The machine invokes its own step function, unqualified as the ASL names it, and nothing else
    // (not grantInvoke, which adds every version and alias with `:*`).
    stateMachine.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['lambda:InvokeFunction'], resources: [stepFunction.functionArn] }));

    Validations.of(stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions logging (logs:CreateLogDelivery and the other log-delivery actions) and X-Ray tracing support no resource-level permissions; CDK adds exactly these for logs and tracingEnabled.',
    });
    return { machine, stateMachine, stepFunction, executionLogs };
  }

  /**
   * Connects a function that starts or resumes runs: for each machine it
   * `start`s, the ARN variable and states:StartExecution; if it `resume`s,
   * the task callbacks (SendTaskSuccess/Failure/Heartbeat) on every machine;
   * if it `describe`s, the ARNs of every machine and DescribeExecution on
   * their executions (a separate policy in this construct, `<id>ExecutionRead`);
   * for each machine it may `stop` (MCP tasks/cancel), StopExecution on that
   * machine's executions (`<id>ExecutionStop`).
   */
  connect(
    id: string,
    fn: LambdaFn,
    access: { readonly start: readonly MachineId[]; readonly resume: boolean; readonly describe?: boolean; readonly stop?: readonly MachineId[] },
  ): void {
    for (const machine of access.start) {
      fn.addEnvironment(STATE_MACHINE_ARN_ENV[machine], this.machines[machine].stateMachine.stateMachineArn);
      this.machines[machine].stateMachine.grantStartExecution(fn);
    }
    if (access.resume) {
      fn.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: TASK_CALLBACKS, resources: MACHINES.map((m) => this.machines[m].stateMachine.stateMachineArn) }));
    }
    if (access.describe) {
      for (const machine of MACHINES) fn.addEnvironment(STATE_MACHINE_ARN_ENV[machine], this.machines[machine].stateMachine.stateMachineArn);
      const role = fn.role as IRole;
      const policy = new Policy(this, `${id}ExecutionRead`, {
        statements: [new PolicyStatement({ effect: Effect.ALLOW, actions: ['states:DescribeExecution'], resources: MACHINES.map((m) => this.executionsArn(m)) })],
        roles: [role],
      });
      Validations.of(policy).acknowledge(
        ...MACHINES.map((m) => ({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${Workflows.nameOf(this, m)}:*]`,
          reason: `Executions are named by run id at run time: the wildcard covers the executions of the ${m} state machine only, for workflow_status to reconcile a run with its execution.`,
        })),
      );
    }
    if (access.stop?.length) {
      const stoppable = access.stop;
      const policy = new Policy(this, `${id}ExecutionStop`, {
        statements: [new PolicyStatement({ effect: Effect.ALLOW, actions: ['states:StopExecution'], resources: stoppable.map((m) => this.executionsArn(m)) })],
        roles: [fn.role as IRole],
      });
      Validations.of(policy).acknowledge(
        ...stoppable.map((m) => ({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${Workflows.nameOf(this, m)}:*]`,
          reason: `Executions are named by run id at run time: the wildcard covers the executions of the ${m} state machine only, for tasks/cancel to stop a run it started.`,
        })),
      );
    }
  }

  /** Every machine's step function (for alarms and tests). */
  get stepFunctions(): IFunction[] {
    return MACHINES.map((m) => this.machines[m].stepFunction);
  }
}
