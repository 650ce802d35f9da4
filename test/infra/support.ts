import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnResource } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { readFileSync } from 'node:fs';
import { ConclaveStack, type ConclaveStackProps } from '../../lib/conclave-stack.js';

/** The feature flags `cdk synth` runs with, so the tests see the same template. */
export const CDK_CONTEXT = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;

/** An app that skips asset bundling (no esbuild run), with cdk.json's context. */
export function newApp(): App {
  return new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
}

export function synth(props?: ConclaveStackProps): { app: App; stack: ConclaveStack; template: Template } {
  const app = newApp();
  const stack = new ConclaveStack(app, 'Conclave', props);
  return { app, stack, template: Template.fromStack(stack) };
}

/** Every optional prop set: an alarm e-mail and a custom domain with a hosted zone. */
export const FULL_PROPS: ConclaveStackProps = {
  alarmEmail: 'ops@example.com',
  customDomain: {
    domainName: 'mcp.example.com',
    certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  },
};

export type Json = Record<string, unknown>;

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: unknown;
}

export const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The logical id of a construct's CloudFormation resource (its default child, or itself). */
export function logicalId(construct: IConstruct): string {
  const child = (construct.node.defaultChild ?? construct) as CfnResource;
  return Stack.of(construct).resolve(child.logicalId) as string;
}

export const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

export function properties(template: Template, type: string, id: string): Json {
  const resource = template.findResources(type)[id] as Json | undefined;
  if (!resource) throw new Error(`no ${type} ${id}`);
  return resource.Properties as Json;
}

/** Every statement of every identity policy attached to a role. */
export function roleStatements(template: Template, roleId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .map((p) => (p as Json).Properties as Json)
    .filter((p) => (p.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => (p.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** Every statement of every identity policy attached to a function's role. */
export function functionStatements(template: Template, functionId: string): Statement[] {
  const roleId = (properties(template, 'AWS::Lambda::Function', functionId).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return roleStatements(template, roleId);
}

/**
 * Every policy document in the template, wherever it lives: identity
 * policies, inline role policies and trust policies, and the resource
 * policies of queues, topics and keys.
 */
export function everyPolicyStatement(template: Template): { resource: string; type: string; statement: Statement }[] {
  const documents: { resource: string; type: string; document: unknown }[] = [];
  for (const [id, resource] of Object.entries(template.toJSON().Resources as Record<string, { Type: string; Properties?: Json }>)) {
    const p = resource.Properties ?? {};
    const add = (document: unknown) => documents.push({ resource: id, type: resource.Type, document });
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') add(p.PolicyDocument);
    if (resource.Type === 'AWS::IAM::Role') {
      add(p.AssumeRolePolicyDocument);
      for (const inline of asList(p.Policies as { PolicyDocument: unknown }[] | undefined)) add(inline.PolicyDocument);
    }
    if (['AWS::SQS::QueuePolicy', 'AWS::SNS::TopicPolicy', 'AWS::Events::EventBusPolicy'].includes(resource.Type)) add(p.PolicyDocument);
    if (resource.Type === 'AWS::KMS::Key') add(p.KeyPolicy);
  }
  return documents.flatMap(({ resource, type, document }) =>
    asList((document as { Statement?: Statement | Statement[] } | undefined)?.Statement).map((statement) => ({ resource, type, statement })),
  );
}

/** Every `Validations.of(x).acknowledge()` in the tree: `<construct path> <rule id>` → reason. */
export function acknowledgements(root: IConstruct): Map<string, string> {
  const found = new Map<string, string>();
  for (const node of root.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) found.set(`${node.node.path} ${id.replace(/^annotation::/i, '')}`, reason);
    }
  }
  return found;
}

/** cdk-nag AwsSolutions findings that are not acknowledged, as `rule at path` lines. */
export function unacknowledgedFindings(app: App): string[] {
  const report = new AwsSolutionsChecks().validateScope(app);
  return report.violations.map((v) => `${v.ruleName} (${v.severity}) at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
}

/**
 * Every raw finding, acknowledgements ignored. This shadows cdk-nag's private
 * NagPack.isAcknowledged (cdk-nag 3.0.2); should it be renamed, the
 * acknowledgements would apply again and the tests comparing raw findings
 * with acknowledgements would fail, not pass.
 */
export function rawFindings(app: App): { rule: string; path: string }[] {
  const unacknowledging = new AwsSolutionsChecks();
  Object.defineProperty(unacknowledging, 'isAcknowledged', { value: () => false });
  return unacknowledging
    .validateScope(app)
    .violations.flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '' })));
}

/**
 * A template value with its intrinsic functions rendered as text (Ref and
 * GetAtt as `${id}` / `${id.Attr}`, Join concatenated): for asserting on
 * documents CloudFormation assembles from parts, such as a dashboard body.
 */
export function renderIntrinsics(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const v = value as Json;
  if (v && typeof v === 'object') {
    if ('Ref' in v) return `\${${String(v.Ref)}}`;
    if ('Fn::GetAtt' in v) return `\${${(v['Fn::GetAtt'] as string[]).join('.')}}`;
    if ('Fn::Join' in v) {
      const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(renderIntrinsics).join(separator);
    }
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}
