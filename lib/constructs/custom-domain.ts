import { Duration, Token, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  OriginRequestPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { FunctionUrlOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IFunctionUrl } from 'aws-cdk-lib/aws-lambda';
import { WEB_PATHS } from './web-endpoint.js';
import { AaaaRecord, ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { CloudFrontTarget } from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { ORIGIN_VERIFY_HEADER } from '../../functions/contracts/rate-limits.js';

/** What the custom-domain settings must look like (also checked where bin/app.ts reads them from context). */
export const CUSTOM_DOMAIN_PATTERNS = {
  /** A host name such as `mcp.example.com` (lower-case labels, at least two). */
  domainName: /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
  /** CloudFront takes certificates from ACM in us-east-1 only. */
  certificateArn: /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/,
  /** A Route 53 hosted zone id. */
  hostedZoneId: /^Z[A-Z0-9]{1,31}$/,
} as const;

export interface McpCustomDomainProps {
  /** The MCP endpoint's Function URL (the default origin). */
  readonly functionUrl: IFunctionUrl;
  /**
   * The web function's Function URL (the console and the OAuth authorization
   * server): the WEB_PATHS behaviours route to it, so one host serves both.
   *
   * @default - none: every path goes to the MCP function
   */
  readonly webFunctionUrl?: IFunctionUrl;
  /** The host name clients use, e.g. `mcp.example.com`. */
  readonly domainName: string;
  /**
   * An ACM certificate in us-east-1 (CloudFront's region) covering
   * `domainName`, issued before the deploy.
   */
  readonly certificateArn: string;
  /**
   * A Route 53 public hosted zone that `domainName` belongs to: A and AAAA
   * alias records are created in it.
   *
   * @default - no records: point a CNAME at the DistributionDomainName output yourself
   */
  readonly hostedZoneId?: string;
  /**
   * The WAF web ACL (CLOUDFRONT scope, in us-east-1) to attach.
   *
   * @default - none
   */
  readonly webAclArn?: string;
  /**
   * A value CloudFront adds to every request in `x-conclave-origin-verify`,
   * so the function can refuse calls that bypass the distribution.
   *
   * @default - none
   */
  readonly originSecret?: string;
}

/**
 * The MCP endpoint under a custom domain: a CloudFront distribution in front
 * of the Function URL that caches nothing, forwards every viewer header but
 * Host (Authorization, MCP-Protocol-Version, Mcp-Session-Id, Mcp-Method,
 * Mcp-Name, Accept, Content-Type, Origin, x-correlation-id…) and the query
 * string to the function, allows POST (and the OPTIONS preflight), and passes
 * the streamed response through as it arrives. HTTPS only, TLS 1.2 or later.
 *
 * The Function URL stays reachable directly: its auth type must stay NONE,
 * because CloudFront's origin access control for Function URLs would require
 * every client to sign the body hash of each POST (x-amz-content-sha256),
 * which no MCP client does. Authentication is the app's bearer keys either way.
 */
export class McpCustomDomain extends Construct {
  readonly distribution: Distribution;
  /** `https://<domainName>/`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: McpCustomDomainProps) {
    super(scope, id);
    const check = (value: string, pattern: RegExp, what: string) => {
      if (!Token.isUnresolved(value) && !pattern.test(value)) throw new Error(`custom domain: ${JSON.stringify(value)} is not ${what}`);
    };
    check(props.domainName, CUSTOM_DOMAIN_PATTERNS.domainName, 'a lower-case host name such as mcp.example.com');
    check(props.certificateArn, CUSTOM_DOMAIN_PATTERNS.certificateArn, 'an ACM certificate ARN in us-east-1 (CloudFront only uses certificates from there)');
    if (props.hostedZoneId !== undefined) check(props.hostedZoneId, CUSTOM_DOMAIN_PATTERNS.hostedZoneId, 'a Route 53 hosted zone id (Z…)');

    // Every behaviour forwards alike: nothing cached, every viewer header but Host, any method, HTTPS only, no compression.
    const forward = (functionUrl: IFunctionUrl) => ({
      // Read timeout above the function's 30 s, so a slow tool call ends as the function's answer, not CloudFront's 504.
      origin: new FunctionUrlOrigin(functionUrl, {
        readTimeout: Duration.seconds(60),
        ...(props.originSecret ? { customHeaders: { [ORIGIN_VERIFY_HEADER]: props.originSecret } } : {}),
      }),
      // Every MCP request is a POST with a bearer key, every console page a signed-in person's: nothing may be cached or shared.
      cachePolicy: CachePolicy.CACHING_DISABLED,
      // All viewer headers but Host (the Function URL answers its own host name only). An
      // allow-list policy could not carry Authorization: CloudFront refuses it there.
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      // A redirect would turn a client's POST into a GET: plain HTTP is refused instead.
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      // Compression would hold back a streamed (SSE) response until it could be compressed.
      compress: false,
    });
    const web = props.webFunctionUrl ? forward(props.webFunctionUrl) : undefined;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Conclave MCP endpoint at ${props.domainName}`,
      domainNames: [props.domainName],
      certificate: Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn),
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: HttpVersion.HTTP2_AND_3,
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
      defaultBehavior: forward(props.functionUrl),
      // The console and the OAuth authorization server are the web function's.
      ...(web ? { additionalBehaviors: Object.fromEntries(WEB_PATHS.map((path) => [path, web])) } : {}),
    });
    this.url = `https://${props.domainName}/`;

    if (props.hostedZoneId !== undefined) {
      const zone = HostedZone.fromHostedZoneId(this, 'Zone', props.hostedZoneId);
      const target = RecordTarget.fromAlias(new CloudFrontTarget(this.distribution));
      // The trailing dot makes the name absolute: the zone's own name is not needed (nor looked up).
      new ARecord(this, 'Alias', { zone, recordName: `${props.domainName}.`, target });
      new AaaaRecord(this, 'AliasIpv6', { zone, recordName: `${props.domainName}.`, target });
    }

    if (!props.webAclArn) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason: 'The web ACL was turned off (-c waf=off): every request is still authenticated and rate-limited by the app, and CloudFront has AWS Shield Standard.',
      });
    }
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'MCP clients (Claude Code, Claude Desktop, agents) connect from anywhere; access is controlled by per-tenant bearer keys, not by geography.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'The MCP function logs every request that reaches it (structured JSON with the correlation id) and audits every tool call in the table; nothing is served from the edge, and standard access logs would need an ACL-enabled S3 bucket of their own.',
      },
    );
  }
}
