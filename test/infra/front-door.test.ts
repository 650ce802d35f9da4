import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../functions/contracts/env.js';
import { ORIGIN_VERIFY_HEADER } from '../../functions/contracts/rate-limits.js';
import { ConclaveStack } from '../../lib/conclave-stack.js';
import { EdgeFirewall } from '../../lib/constructs/edge-firewall.js';
import { CDK_CONTEXT, FULL_PROPS, logicalId, properties, synth, type Json } from './support.js';

const environmentOf = (template: ReturnType<typeof synth>['template'], id: string): Json =>
  ((properties(template, 'AWS::Lambda::Function', id).Environment as Json).Variables as Json) ?? {};

describe('the front door in the stack', () => {
  describe('by default (Function URL only)', () => {
    const { stack, template } = synth();

    it('gives the MCP function its default limits and reserves (caps) its concurrency at 100', () => {
      const mcp = logicalId(stack.mcp.function);
      expect(environmentOf(template, mcp)).toMatchObject({
        [ENV.rateLimits]: 'on',
        [ENV.rateKeyPerMinute]: '120',
        [ENV.rateTenantPerMinute]: '600',
        [ENV.rateBurst]: '20',
        [ENV.rateDailyToolCalls]: '20000',
      });
      expect(environmentOf(template, mcp)[ENV.originSecret]).toBeUndefined();
      expect(properties(template, 'AWS::Lambda::Function', mcp).ReservedConcurrentExecutions).toBe(100);
    });

    it('reserves (caps) 10 concurrent executions for each bus consumer', () => {
      for (const consumer of stack.consumers.consumers) {
        expect(properties(template, 'AWS::Lambda::Function', logicalId(consumer.function)).ReservedConcurrentExecutions, consumer.spec.id).toBe(10);
      }
    });

    it('alarms on 429s and on MCP throttles, and graphs the 429s by limit', () => {
      const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => (a as Json).Properties as Json);
      expect(alarms.find((a) => a.AlarmName === 'Conclave-rate-limited')).toMatchObject({ MetricName: 'RateLimited', Namespace: 'Conclave', Threshold: 100 });
      expect(alarms.find((a) => a.AlarmName === 'Conclave-mcp-throttles')).toMatchObject({ MetricName: 'Throttles', Namespace: 'AWS/Lambda', Threshold: 1 });
      const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
      expect(body).toContain('RateLimited');
      expect(body).toContain('429s by limit');
    });

    it('has no web ACL, origin secret or budget without a custom domain or a budget', () => {
      template.resourceCountIs('AWS::WAFv2::WebACL', 0);
      template.resourceCountIs('AWS::SecretsManager::Secret', 0);
      template.resourceCountIs('AWS::Budgets::Budget', 0);
    });
  });

  describe('with a custom domain (CloudFront in front)', () => {
    const { stack, template } = synth({ ...FULL_PROPS, monthlyBudgetUsd: 200 });

    it('puts a web ACL on the distribution: rate rules per IP and per Authorization header, the AWS managed rule groups', () => {
      const acls = Object.entries(template.findResources('AWS::WAFv2::WebACL'));
      expect(acls).toHaveLength(1);
      const [aclId, acl] = acls[0] as [string, Json];
      const props = acl.Properties as Json;
      expect(props.Scope).toBe('CLOUDFRONT');
      const rules = props.Rules as Json[];
      expect(rules.find((r) => r.Name === 'rate-per-ip')).toMatchObject({
        Action: { Block: {} },
        Statement: { RateBasedStatement: { Limit: 3000, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } },
      });
      expect(rules.find((r) => r.Name === 'rate-per-credential')).toMatchObject({
        Statement: { RateBasedStatement: { Limit: 1500, AggregateKeyType: 'CUSTOM_KEYS', CustomKeys: [{ Header: { Name: 'authorization' } }] } },
      });
      const managed = rules.filter((r) => (r.Statement as Json).ManagedRuleGroupStatement).map((r) => ((r.Statement as Json).ManagedRuleGroupStatement as Json).Name);
      expect(managed).toEqual(['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']);
      // MCP bodies reach 1 MiB: the common set's 8 KB body rule only counts.
      expect(JSON.stringify(rules)).toContain('{"ActionToUse":{"Count":{}},"Name":"SizeRestrictions_BODY"}');
      const distribution = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0] as Json;
      expect(((distribution.Properties as Json).DistributionConfig as Json).WebACLId).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
      template.hasOutput('WebAclArn', {});
    });

    it('sends a generated origin secret from CloudFront and makes the function require it', () => {
      template.resourceCountIs('AWS::SecretsManager::Secret', 1);
      const distribution = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0] as Json;
      const origin = (((distribution.Properties as Json).DistributionConfig as Json).Origins as Json[])[0] as Json;
      const header = (origin.OriginCustomHeaders as Json[])[0] as Json;
      expect(header.HeaderName).toBe(ORIGIN_VERIFY_HEADER);
      const secretReference = JSON.stringify(header.HeaderValue);
      expect(secretReference).toContain('resolve:secretsmanager');
      expect(JSON.stringify(environmentOf(template, logicalId(stack.mcp.function))[ENV.originSecret])).toBe(secretReference);
    });

    it('creates the monthly budget that e-mails the alarm address', () => {
      template.hasResourceProperties('AWS::Budgets::Budget', {
        Budget: { BudgetType: 'COST', TimeUnit: 'MONTHLY', BudgetLimit: { Amount: 200, Unit: 'USD' } },
        NotificationsWithSubscribers: [
          { Notification: { NotificationType: 'ACTUAL', Threshold: 80 }, Subscribers: [{ SubscriptionType: 'EMAIL', Address: 'ops@example.com' }] },
          { Notification: { NotificationType: 'FORECASTED', Threshold: 100 }, Subscribers: [{ SubscriptionType: 'EMAIL', Address: 'ops@example.com' }] },
        ],
      });
    });
  });

  it('turns limits, reservations and the web ACL off when asked, and attaches a given web ACL instead of creating one', () => {
    const arn = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/mine/12345678-1234-1234-1234-123456789012';
    const { stack, template } = synth({ ...FULL_PROPS, rateLimits: 'off', mcpReservedConcurrency: 'none', consumerReservedConcurrency: 'none', webAclArn: arn });
    const mcp = properties(template, 'AWS::Lambda::Function', logicalId(stack.mcp.function));
    expect((mcp.Environment as Json).Variables).toMatchObject({ [ENV.rateLimits]: 'off' });
    expect(mcp.ReservedConcurrentExecutions).toBeUndefined();
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    const distribution = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0] as Json;
    expect(((distribution.Properties as Json).DistributionConfig as Json).WebACLId).toBe(arn);
    const none = synth({ ...FULL_PROPS, edgeFirewall: false }).template;
    none.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });

  it('refuses to create the CloudFront web ACL outside us-east-1, naming the way out', () => {
    const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    expect(() => new ConclaveStack(app, 'Eu', { ...FULL_PROPS, env: { region: 'eu-west-1', account: '123456789012' } })).toThrow(/us-east-1.*webAclArn/);
    expect(() => new EdgeFirewall(new Stack(new App(), 'S'), 'F', { requestsPerIpPer5Min: 5 })).toThrow(/from 10/);
  });

  it('refuses limits out of range and a budget without an alarm address', () => {
    expect(() => synth({ rateLimits: { keyPerMinute: 0, tenantPerMinute: 1, burst: 1, dailyToolCalls: 1 } })).toThrow(/keyPerMinute must be a whole number/);
    expect(() => synth({ monthlyBudgetUsd: 100 })).toThrow(/needs alarmEmail/);
  });
});
