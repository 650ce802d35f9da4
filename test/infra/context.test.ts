import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ContextError, stackPropsFromContext } from '../../bin/context.js';
import { DEFAULT_RATE_LIMITS } from '../../functions/contracts/rate-limits.js';
import { CDK_CONTEXT, FULL_PROPS } from './support.js';

const fromContext = (context: Record<string, unknown>) => stackPropsFromContext((key) => context[key]);
const CUSTOM = FULL_PROPS.customDomain as NonNullable<typeof FULL_PROPS.customDomain>;
const ACL_ARN = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/conclave/12345678-1234-1234-1234-123456789012';

describe('stackPropsFromContext (bin/context.ts)', () => {
  it('gives the documented defaults for an empty context', () => {
    expect(fromContext({})).toEqual({
      logRetention: RetentionDays.ONE_MONTH,
      allowedOrigins: [],
      removalPolicy: RemovalPolicy.RETAIN,
      staleAfterSeconds: 300,
      embeddingModelId: 'amazon.titan-embed-text-v2:0',
      rateLimits: DEFAULT_RATE_LIMITS,
      mcpReservedConcurrency: 100,
      consumerReservedConcurrency: 10,
      webReservedConcurrency: 10,
      edgeFirewall: { requestsPerIpPer5Min: 3000, requestsPerCredentialPer5Min: 1500 },
    });
  });

  it('reads every key, as strings (-c key=value) or JSON values (cdk.json)', () => {
    expect(
      fromContext({
        logRetentionDays: '90',
        allowedOrigins: 'https://claude.ai, http://localhost:6274',
        removalPolicy: 'DESTROY',
        staleAfterSeconds: 120,
        embeddingModelId: 'amazon.titan-embed-text-v2:1',
        alarmEmail: ' ops@example.com ',
        customDomainName: 'MCP.example.com',
        customDomainCertificateArn: CUSTOM.certificateArn,
        customDomainHostedZoneId: CUSTOM.hostedZoneId,
        rateKeyPerMinute: '60',
        rateTenantPerMinute: 300,
        rateBurst: '5',
        rateDailyToolCalls: 5000,
        mcpReservedConcurrency: '50',
        consumerReservedConcurrency: 'none',
        webReservedConcurrency: '4',
        wafRequestsPerIp: 1000,
        wafRequestsPerCredential: '500',
        webAclArn: ACL_ARN,
        monthlyBudgetUsd: '250',
      }),
    ).toEqual({
      logRetention: RetentionDays.THREE_MONTHS,
      allowedOrigins: ['https://claude.ai', 'http://localhost:6274'],
      removalPolicy: RemovalPolicy.DESTROY,
      staleAfterSeconds: 120,
      embeddingModelId: 'amazon.titan-embed-text-v2:1',
      alarmEmail: 'ops@example.com',
      customDomain: { domainName: 'mcp.example.com', certificateArn: CUSTOM.certificateArn, hostedZoneId: CUSTOM.hostedZoneId },
      rateLimits: { keyPerMinute: 60, tenantPerMinute: 300, burst: 5, dailyToolCalls: 5000 },
      mcpReservedConcurrency: 50,
      consumerReservedConcurrency: 'none',
      webReservedConcurrency: 4,
      edgeFirewall: { requestsPerIpPer5Min: 1000, requestsPerCredentialPer5Min: 500 },
      webAclArn: ACL_ARN,
      monthlyBudgetUsd: 250,
    });
    expect(fromContext({ rateLimits: 'off', waf: 'OFF' })).toMatchObject({ rateLimits: 'off', edgeFirewall: false });
    expect(fromContext({ allowedOrigins: ['https://a.example'] }).allowedOrigins).toEqual(['https://a.example']);
  });

  it('treats empty values as absent', () => {
    expect(fromContext({ alarmEmail: '', customDomainName: '', customDomainCertificateArn: '' })).toEqual(fromContext({}));
  });

  it.each([
    [{ logRetentionDays: 'thirty' }, 'logRetentionDays', /positive whole number/],
    [{ logRetentionDays: 31 }, 'logRetentionDays', /CloudWatch Logs accepts/],
    [{ allowedOrigins: 'https://a.example/path' }, 'allowedOrigins', /not an origin/],
    [{ removalPolicy: 'snapshot' }, 'removalPolicy', /"retain" or "destroy"/],
    [{ staleAfterSeconds: -1 }, 'staleAfterSeconds', /positive whole number/],
    [{ embeddingModelId: 'cohere.embed-english-v3' }, 'embeddingModelId', /Titan Text Embeddings v2/],
    [{ alarmEmail: 'ops@example.com,dev@example.com' }, 'alarmEmail', /one e-mail address/],
    [{ customDomainName: 'mcp.example.com' }, 'customDomainCertificateArn', /required with customDomainName/],
    [{ customDomainName: 'https://mcp.example.com', customDomainCertificateArn: CUSTOM.certificateArn }, 'customDomainName', /host name/],
    [{ customDomainName: 'mcp.example.com', customDomainCertificateArn: CUSTOM.certificateArn.replace('us-east-1', 'eu-west-1') }, 'customDomainCertificateArn', /us-east-1/],
    [{ customDomainName: 'mcp.example.com', customDomainCertificateArn: CUSTOM.certificateArn, customDomainHostedZoneId: 'example.com' }, 'customDomainHostedZoneId', /hosted zone id/],
    [{ customDomainCertificateArn: CUSTOM.certificateArn }, 'customDomainCertificateArn', /without customDomainName/],
    [{ customDomainHostedZoneId: CUSTOM.hostedZoneId }, 'customDomainHostedZoneId', /without customDomainName/],
    [{ rateLimits: 'maybe' }, 'rateLimits', /"on" or "off"/],
    [{ rateBurst: 0 }, 'rateBurst', /positive whole number/],
    [{ rateKeyPerMinute: 100_001 }, 'rateKeyPerMinute', /from 1 to 100000/],
    [{ mcpReservedConcurrency: 'lots' }, 'mcpReservedConcurrency', /positive whole number/],
    [{ wafRequestsPerIp: 5 }, 'wafRequestsPerIp', /from 10 to/],
    [{ webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/12345678-1234-1234-1234-123456789012' }, 'webAclArn', /CLOUDFRONT \(global\) web ACL ARN in us-east-1/],
    [{ monthlyBudgetUsd: 100 }, 'monthlyBudgetUsd', /needs alarmEmail/],
  ] as const)('refuses %j, naming %s', (context, key, message) => {
    let error: unknown;
    try {
      fromContext(context);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ContextError);
    expect((error as ContextError).key).toBe(key);
    expect((error as Error).message).toMatch(new RegExp(`^invalid context "${key}": `));
    expect((error as Error).message).toMatch(message);
  });
});

describe('bin/app.ts', () => {
  const run = promisify(execFile);
  const APP = fileURLToPath(new URL('../../bin/app.ts', import.meta.url));
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  /** Runs the app as the CDK CLI does (context and output directory in the environment), without bundling. */
  const synthApp = async (context: Record<string, unknown>) => {
    const outdir = await mkdtemp(join(tmpdir(), 'conclave-app-'));
    dirs.push(outdir);
    const env = { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context }) };
    return { outdir, result: run(process.execPath, ['--import', 'tsx', APP], { env }) };
  };

  it('stops with one line naming the bad context key', { timeout: 60_000 }, async () => {
    const { result } = await synthApp({ alarmEmail: 'not-an-address' });
    const error = await result.then(
      () => undefined,
      (e: unknown) => e as { code: number; stderr: string },
    );
    expect(error?.code).toBe(1);
    expect(error?.stderr.trim()).toBe('invalid context "alarmEmail": expected one e-mail address, got "not-an-address"');
  });

  it('synthesizes with every optional key set, cdk-nag included', { timeout: 120_000 }, async () => {
    const { outdir, result } = await synthApp({
      alarmEmail: 'ops@example.com',
      customDomainName: CUSTOM.domainName,
      customDomainCertificateArn: CUSTOM.certificateArn,
      customDomainHostedZoneId: CUSTOM.hostedZoneId,
    });
    await result;
    const template = JSON.parse(await readFile(join(outdir, 'Conclave.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }>; Outputs: Record<string, unknown> };
    const types = Object.values(template.Resources).map((r) => r.Type);
    expect(types).toContain('AWS::CloudFront::Distribution');
    expect(types).toContain('AWS::SNS::Subscription');
    expect(template.Outputs.CustomDomainUrl).toEqual({ Description: expect.any(String), Value: `https://${CUSTOM.domainName}/` });
  });
});
