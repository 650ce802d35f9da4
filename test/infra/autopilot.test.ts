import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { stackPropsFromContext } from '../../bin/context.js';
import { AUTOPILOT_RULE } from '../../functions/contracts/autopilot.js';
import { ENV } from '../../functions/contracts/env.js';
import { ConclaveStack } from '../../lib/conclave-stack.js';
import { asList, functionStatements, logicalId, newApp, properties, synth, type Json } from './support.js';

const MODELS = ['anthropic.claude-3-5-haiku-20241022-v1:0', 'us.anthropic.claude-sonnet-4-20250514-v1:0'];

describe('Autopilot construct', () => {
  const { stack, template } = synth({ autopilotModelIds: MODELS, autopilotConcurrency: 3 });
  const fnId = logicalId(stack.autopilot.function);

  it('grants bedrock:InvokeModel (Converse) on exactly the configured models and inference profiles, nothing wider', () => {
    const bedrock = functionStatements(template, fnId).filter((s) => asList(s.Action).some((a) => a.startsWith('bedrock:')));
    expect(bedrock).toHaveLength(1);
    expect(asList(bedrock[0]?.Action)).toEqual(['bedrock:InvokeModel']);
    const resources = JSON.stringify(bedrock[0]?.Resource);
    expect(resources).toContain('foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0');
    expect(resources).toContain('inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0');
    expect(resources).toContain(':bedrock:*::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0');
    expect(resources).not.toMatch(/foundation-model\/\*|foundation-model\/"/);
    expect(asList(bedrock[0]?.Resource)).toHaveLength(3);
    // No other function may call a chat model.
    const others = [stack.mcp.function, ...stack.consumers.consumers.map((c) => c.function)];
    for (const fn of others) {
      const text = JSON.stringify(functionStatements(template, logicalId(fn)));
      expect(text).not.toContain('claude');
    }
  });

  it('runs on its own function with reserved concurrency, a rule with the contract pattern and dead-letter queues', () => {
    const fn = properties(template, 'AWS::Lambda::Function', fnId);
    expect(fn.ReservedConcurrentExecutions).toBe(3);
    expect(((fn.Environment as Json).Variables as Json)[ENV.autopilotModelIds]).toBe(MODELS.join(','));
    const mcpEnv = (properties(template, 'AWS::Lambda::Function', logicalId(stack.mcp.function)).Environment as Json).Variables as Json;
    expect(mcpEnv[ENV.autopilotModelIds]).toBe(MODELS.join(','));
    const rule = properties(template, 'AWS::Events::Rule', logicalId(stack.autopilot.rule));
    expect(rule.EventPattern).toEqual(JSON.parse(JSON.stringify(AUTOPILOT_RULE.pattern)));
    const target = (rule.Targets as Json[])[0] as Json;
    expect(target.DeadLetterConfig).toBeDefined();
    expect(target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 3 });
  });

  it('alarms on agents that gave up and on spent budgets, to the stack’s alarm topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => (a as Json).Properties as Json);
    for (const metricName of ['AutopilotFailures', 'AutopilotBudgetExhausted']) {
      const alarm = alarms.find((a) => a.MetricName === metricName);
      expect(alarm, metricName).toMatchObject({ Namespace: 'Conclave', Dimensions: [{ Name: 'service', Value: 'conclave-autopilot' }], Threshold: 1 });
      expect(JSON.stringify(alarm?.AlarmActions)).toContain(logicalId(stack.alarms.topic));
    }
  });

  it('is cdk-nag clean with the models from context, and refuses a wildcard model', () => {
    const app = newApp();
    new ConclaveStack(app, 'Conclave', stackPropsFromContext((key) => ({ autopilotModelIds: MODELS.join(',') })[key]));
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
    expect(() => stackPropsFromContext((key) => ({ autopilotModelIds: 'anthropic.*' })[key])).toThrow(/autopilotModelIds/);
  });
});
