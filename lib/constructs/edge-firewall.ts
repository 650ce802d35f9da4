import { Stack, Token } from 'aws-cdk-lib';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface EdgeFirewallProps {
  /**
   * Requests one client IP address may send in 5 minutes before the web ACL
   * blocks it (for the rest of the window). Above the app's own per-key
   * limits, so the app's clear 429s answer normal clients; this rule stops
   * floods before they reach (and bill) the function.
   *
   * @default 3000
   */
  readonly requestsPerIpPer5Min?: number;
  /**
   * Requests one `Authorization` header value (one key or token) may send in
   * 5 minutes before the web ACL blocks it.
   *
   * @default 1500
   */
  readonly requestsPerCredentialPer5Min?: number;
}

/** Body-size rule of the common rule set: MCP requests may carry up to 1 MiB, so it only counts (the app enforces its own limit). */
const LARGE_BODIES_RULE = 'SizeRestrictions_BODY';

/**
 * The web ACL in front of the CloudFront distribution: rate-based rules per
 * client IP and per credential (the Authorization header as a custom
 * aggregation key), and the AWS managed common and known-bad-inputs rule
 * sets. A CLOUDFRONT-scoped web ACL must live in us-east-1, like the
 * distribution's certificate: deploy the stack there, or create the ACL in
 * us-east-1 yourself and pass its ARN as `webAclArn`.
 */
export class EdgeFirewall extends Construct {
  readonly webAcl: CfnWebACL;
  /** The ARN to attach to a distribution. */
  readonly arn: string;

  constructor(scope: Construct, id: string, props: EdgeFirewallProps = {}) {
    super(scope, id);
    const region = Stack.of(this).region;
    if (!Token.isUnresolved(region) && region !== 'us-east-1') {
      throw new Error(
        `the CloudFront web ACL must be created in us-east-1 but this stack deploys to ${region}: deploy the stack to us-east-1, or create a CLOUDFRONT web ACL there and pass its ARN with -c webAclArn=arn:aws:wafv2:us-east-1:…`,
      );
    }
    const perIp = props.requestsPerIpPer5Min ?? 3000;
    const perCredential = props.requestsPerCredentialPer5Min ?? 1500;
    for (const [name, value] of [['requestsPerIpPer5Min', perIp], ['requestsPerCredentialPer5Min', perCredential]] as const) {
      if (!Number.isInteger(value) || value < 10 || value > 2_000_000_000) throw new Error(`${name} must be a whole number from 10 to 2,000,000,000 (WAF's range), got ${value}`);
    }
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({ cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
    const managed = (priority: number, name: string, excluded: readonly string[] = []): CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ...(excluded.length ? { ruleActionOverrides: excluded.map((rule) => ({ name: rule, actionToUse: { count: {} } })) } : {}),
        },
      },
      visibilityConfig: visibility(name),
    });

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      description: 'Conclave MCP edge: rate limits per IP and per credential, AWS managed common and known-bad-inputs rules',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('conclave-edge'),
      rules: [
        {
          name: 'rate-per-ip',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: perIp, evaluationWindowSec: 300, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('rate-per-ip'),
        },
        {
          name: 'rate-per-credential',
          priority: 1,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: perCredential,
              evaluationWindowSec: 300,
              aggregateKeyType: 'CUSTOM_KEYS',
              customKeys: [{ header: { name: 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } }],
            },
          },
          visibilityConfig: visibility('rate-per-credential'),
        },
        managed(2, 'AWSManagedRulesCommonRuleSet', [LARGE_BODIES_RULE]),
        managed(3, 'AWSManagedRulesKnownBadInputsRuleSet'),
      ],
    });
    this.arn = this.webAcl.attrArn;
  }
}
