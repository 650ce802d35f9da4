import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import type { CfnEventBus } from 'aws-cdk-lib/aws-events';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ENV, STATE_MACHINE_ARN_ENV } from '../../functions/contracts/env.js';
import { CONSUMER_WORKFLOWS, MACHINES, STEP_FUNCTION_SUBSTITUTION, WORKFLOWS, type MachineId } from '../../functions/contracts/workflows.js';
import { ConclaveStack } from '../../lib/conclave-stack.js';
import { aslPath } from '../../lib/constructs/workflows.js';
import { bundleHandler } from '../../scripts/bundle.js';
import { acknowledgements } from './support.js';

const CDK_CONTEXT = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;

function synth(): { app: App; stack: ConclaveStack; template: Template } {
  const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const stack = new ConclaveStack(app, 'Conclave');
  return { app, stack, template: Template.fromStack(stack) };
}

type Json = Record<string, unknown>;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function logicalId(construct: IConstruct): string {
  return Stack.of(construct).resolve((construct.node.defaultChild as CfnFunction).logicalId) as string;
}

function properties(template: Template, type: string, id: string): Json {
  const resource = template.findResources(type)[id] as Json | undefined;
  if (!resource) throw new Error(`no ${type} ${id}`);
  return resource.Properties as Json;
}

/** Every statement of every identity policy attached to a role. */
function statementsOfRole(template: Template, roleId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .map((p) => (p as Json).Properties as Json)
    .filter((p) => (p.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => (p.PolicyDocument as { Statement: Statement[] }).Statement);
}

function functionRoleId(template: Template, functionId: string): string {
  return (properties(template, 'AWS::Lambda::Function', functionId).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
}

const statesStatements = (statements: Statement[]) => statements.filter((s) => asList(s.Action).some((a) => a.startsWith('states:')));
// CDK renders actions sorted.
const CALLBACKS = ['states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess'];

describe('Workflows', () => {
  const { stack, template } = synth();
  const workflows = stack.workflows;
  const machineId = (m: MachineId) => logicalId(workflows.machines[m].stateMachine);
  const stepId = (m: MachineId) => logicalId(workflows.machines[m].stepFunction);
  const tableId = stack.resolve((stack.table.table.node.defaultChild as CfnTable).logicalId) as string;
  const busId = stack.resolve((stack.bus.bus.node.defaultChild as CfnEventBus).logicalId) as string;

  it('deploys one standard state machine per ASL file, named after the stack', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', MACHINES.length);
    for (const m of MACHINES) {
      expect(properties(template, 'AWS::StepFunctions::StateMachine', machineId(m))).toMatchObject({ StateMachineName: `Conclave-${m}`, StateMachineType: 'STANDARD' });
    }
  });

  it.each(MACHINES)('%s: the definition is the file, and the stack provides every ${Substitution} it uses', (m) => {
    const file = readFileSync(aslPath(m), 'utf8');
    const props = properties(template, 'AWS::StepFunctions::StateMachine', machineId(m));
    expect(props.DefinitionString).toBe(file);
    const used = new Set([...file.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((x) => x[1]));
    expect([...used]).toEqual([STEP_FUNCTION_SUBSTITUTION]);
    const provided = props.DefinitionSubstitutions as Json;
    for (const name of used) expect(provided[name as string]).toBeDefined();
    // `${StepFunctionArn}` is this machine's own step function.
    expect(provided[STEP_FUNCTION_SUBSTITUTION]).toEqual({ 'Fn::GetAtt': [stepId(m), 'Arn'] });
  });

  it.each(MACHINES)('%s: logs ALL events with execution data to its own log group, and traces', (m) => {
    const props = properties(template, 'AWS::StepFunctions::StateMachine', machineId(m));
    expect(props.TracingConfiguration).toEqual({ Enabled: true });
    const logging = props.LoggingConfiguration as { Level: string; IncludeExecutionData: boolean; Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: unknown } }[] };
    expect(logging.Level).toBe('ALL');
    expect(logging.IncludeExecutionData).toBe(true);
    expect(logging.Destinations).toEqual([{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logicalId(workflows.machines[m].executionLogs), 'Arn'] } } }]);
    expect(properties(template, 'AWS::Logs::LogGroup', logicalId(workflows.machines[m].executionLogs))).toMatchObject({ LogGroupName: `/aws/vendedlogs/states/Conclave-${m}`, RetentionInDays: 30 });
  });

  it.each(MACHINES)('%s: the machine may invoke its own step function and no other', (m) => {
    const roleId = (properties(template, 'AWS::StepFunctions::StateMachine', machineId(m)).RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const invokes = statementsOfRole(template, roleId).filter((s) => asList(s.Action).includes('lambda:InvokeFunction'));
    expect(invokes).toHaveLength(1);
    // Unqualified, as the ASL names it: no `:*` over versions and aliases.
    expect(invokes[0]).toEqual({ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [stepId(m), 'Arn'] } });
  });

  it.each(MACHINES)('%s: the step function runs Node.js 22 on arm64 with tracing, inside the Task timeout, with the table, the bus and its own machine', (m) => {
    const props = properties(template, 'AWS::Lambda::Function', stepId(m));
    expect(props).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: 50, TracingConfig: { Mode: 'Active' }, Handler: 'index.handler' });
    expect((props.Environment as { Variables: Json }).Variables).toMatchObject({
      [ENV.tableName]: { Ref: tableId },
      [ENV.eventBusName]: { Ref: busId },
      [STATE_MACHINE_ARN_ENV[m]]: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:stateMachine:Conclave-${m}`]] },
    });
    const statements = statementsOfRole(template, functionRoleId(template, stepId(m)));
    // Task callbacks on its own machine only; it starts nothing.
    expect(statesStatements(statements)).toEqual([
      { Effect: 'Allow', Action: CALLBACKS, Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:stateMachine:Conclave-${m}`]] } },
    ]);
    expect(statements.filter((s) => asList(s.Action).includes('events:PutEvents'))).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [busId, 'Arn'] } }]);
    for (const s of statements) {
      for (const action of asList(s.Action)) expect(action).not.toContain('*');
      if (asList(s.Resource).includes('*')) expect(asList(s.Action).every((a) => a.startsWith('xray:'))).toBe(true);
    }
  });

  it('lets the MCP function start the three workflows only, answer task tokens of every machine, describe executions and stop its workflows', () => {
    const mcpId = logicalId(stack.mcp.function);
    const statements = statesStatements(statementsOfRole(template, functionRoleId(template, mcpId)));
    const arnOf = (m: MachineId) => ({ Ref: machineId(m) });
    const starts = statements.filter((s) => asList(s.Action).includes('states:StartExecution'));
    const sorted = (values: unknown[]) => values.map((v) => JSON.stringify(v)).sort();
    expect(sorted(starts.flatMap((s) => asList(s.Resource)))).toEqual(sorted(WORKFLOWS.map(arnOf)));
    const callbacks = statements.filter((s) => asList(s.Action).includes('states:SendTaskSuccess'));
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]?.Action).toEqual(CALLBACKS);
    expect(sorted(asList(callbacks[0]?.Resource))).toEqual(sorted(MACHINES.map(arnOf)));
    const describes = statements.filter((s) => asList(s.Action).includes('states:DescribeExecution'));
    expect(describes).toHaveLength(1);
    expect(asList(describes[0]?.Resource)).toHaveLength(MACHINES.length);
    expect(JSON.stringify(describes[0]?.Resource)).toContain(':execution:Conclave-escalation:*');
    // tasks/cancel stops the executions of the workflows it starts, and no other machine's.
    const stops = statements.filter((s) => asList(s.Action).includes('states:StopExecution'));
    expect(stops).toHaveLength(1);
    expect(stops[0]?.Action).toEqual('states:StopExecution');
    expect(asList(stops[0]?.Resource)).toHaveLength(WORKFLOWS.length);
    expect(JSON.stringify(stops[0]?.Resource)).toContain(':execution:Conclave-feature_development:*');
    expect(JSON.stringify(stops[0]?.Resource)).not.toContain('Conclave-escalation');
    const env = (properties(template, 'AWS::Lambda::Function', mcpId).Environment as { Variables: Json }).Variables;
    for (const m of MACHINES) expect(env[STATE_MACHINE_ARN_ENV[m]]).toEqual(arnOf(m));
  });

  it('lets each consumer start exactly the machines of its contract, and resume runs only if it says so', () => {
    for (const consumer of stack.consumers.consumers) {
      const access = CONSUMER_WORKFLOWS[consumer.spec.consumer];
      const statements = statesStatements(statementsOfRole(template, functionRoleId(template, logicalId(consumer.function))));
      const started = statements.filter((s) => asList(s.Action).includes('states:StartExecution')).flatMap((s) => asList(s.Resource));
      expect(started).toEqual((access?.start ?? []).map((m) => ({ Ref: machineId(m) })));
      const callbacks = statements.filter((s) => asList(s.Action).includes('states:SendTaskSuccess'));
      expect(callbacks).toHaveLength(access?.resume ? 1 : 0);
      expect(statements.some((s) => asList(s.Action).includes('states:DescribeExecution'))).toBe(false);
    }
    // The external event that opens an incident reaches the incident machine through the inbound-alert consumer.
    expect(CONSUMER_WORKFLOWS['inbound-alert']?.start).toEqual(['incident_response']);
    expect(CONSUMER_WORKFLOWS['escalation-starter']?.start).toEqual(['escalation']);
  });

  it('raises no CDK warnings or errors', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });
});


describe('cdk-nag AwsSolutions on the workflows', () => {
  it('finds nothing unacknowledged', () => {
    const { app } = synth();
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  it('acknowledges only findings that exist, each with a reason', () => {
    const { app } = synth();
    const unacknowledging = new AwsSolutionsChecks();
    Object.defineProperty(unacknowledging, 'isAcknowledged', { value: () => false });
    const findings = unacknowledging
      .validateScope(app)
      .violations.flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '' })))
      .filter((f) => f.path.startsWith('Conclave/Workflows/'));
    const acks = [...acknowledgements(app).entries()].filter(([key]) => key.startsWith('Conclave/Workflows/'));
    expect(acks.length).toBeGreaterThan(0);
    for (const [key, reason] of acks) {
      expect(reason.length).toBeGreaterThan(20);
      const [path, rule] = key.split(' ') as [string, string];
      expect(findings.some((f) => f.rule === rule && f.path.startsWith(`${path}/`)), `${key} covers a real finding`).toBe(true);
    }
  });
});

describe('step function bundle', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('bundles a step handler without the local engine, and it loads', { timeout: 60_000 }, async () => {
    const out = await mkdtemp(join(tmpdir(), 'conclave-steps-'));
    dirs.push(out);
    const metafile = await bundleHandler(fileURLToPath(new URL('../../functions/handlers/steps/escalation.ts', import.meta.url)), out);
    expect(Object.keys(metafile.inputs).some((i) => i.includes('aws-local-stepfunctions') || i.includes('asl-runner'))).toBe(false);
    const saved = { ...process.env };
    Object.assign(process.env, { CONCLAVE_TABLE_NAME: 't', CONCLAVE_EVENT_BUS_NAME: 'b', AWS_REGION: 'us-east-1' });
    try {
      const module = (await import(pathToFileURL(join(out, 'index.mjs')).href)) as { handler: unknown };
      expect(typeof module.handler).toBe('function');
    } finally {
      process.env = saved;
    }
  });
});
