import { describe, expect, it } from 'vitest';
import { ENDPOINTS } from '../../functions/contracts/roles.js';
import { FULL_PROPS, acknowledgements, logicalId, rawFindings, synth, type Json } from './support.js';

const CUSTOM = FULL_PROPS.customDomain as NonNullable<typeof FULL_PROPS.customDomain>;
/** AWS managed policies (ids fixed by CloudFront). */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

describe('McpCustomDomain', () => {
  it('is absent unless configured: no distribution, no records, no custom outputs', () => {
    const { stack, template } = synth();
    expect(stack.customDomain).toBeUndefined();
    template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    expect(Object.keys(template.findOutputs('*')).filter((o) => /Custom|Distribution/.test(o))).toEqual([]);
  });

  describe('when configured', () => {
    const { stack, template, app } = synth(FULL_PROPS);
    const distribution = () => {
      const all = Object.values(template.findResources('AWS::CloudFront::Distribution'));
      expect(all).toHaveLength(1);
      return ((all[0] as Json).Properties as Json).DistributionConfig as Json;
    };

    it('serves the domain with the us-east-1 certificate, TLS 1.2+ only, over HTTP/2 and 3', () => {
      expect(distribution()).toMatchObject({
        Aliases: [CUSTOM.domainName],
        ViewerCertificate: { AcmCertificateArn: CUSTOM.certificateArn, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
        HttpVersion: 'http2and3',
        Enabled: true,
      });
    });

    it('sends every request to the Function URL over HTTPS, with a read timeout above the function\'s 30 s', () => {
      const origins = distribution().Origins as Json[];
      expect(origins).toHaveLength(1);
      expect(origins[0]).toMatchObject({
        DomainName: { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [logicalId(stack.mcp.functionUrl), 'FunctionUrl'] }] }] },
        CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'], OriginReadTimeout: 60 },
      });
    });

    it('caches nothing, forwards all viewer headers but Host, allows POST, refuses plain HTTP and does not compress (streaming)', () => {
      expect(distribution().DefaultCacheBehavior).toMatchObject({
        CachePolicyId: CACHING_DISABLED,
        // All viewer headers but Host: Authorization, MCP-Protocol-Version, Mcp-Session-Id, Accept, Content-Type, Origin, x-correlation-id…
        OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
        AllowedMethods: expect.arrayContaining(['POST', 'OPTIONS', 'GET']),
        ViewerProtocolPolicy: 'https-only',
        Compress: false,
      });
      expect((distribution().CacheBehaviors as unknown[] | undefined) ?? []).toEqual([]);
    });

    it('leaves the Function URL in RESPONSE_STREAM mode behind it', () => {
      template.hasResourceProperties('AWS::Lambda::Url', { InvokeMode: 'RESPONSE_STREAM', AuthType: 'NONE' });
    });

    it('creates A and AAAA alias records in the hosted zone', () => {
      const records = Object.values(template.findResources('AWS::Route53::RecordSet')).map((r) => (r as Json).Properties as Json);
      expect(records.map((r) => r.Type).sort()).toEqual(['A', 'AAAA']);
      for (const r of records) {
        expect(r).toMatchObject({ Name: `${CUSTOM.domainName}.`, HostedZoneId: CUSTOM.hostedZoneId });
        expect(JSON.stringify(r.AliasTarget)).toContain(logicalId(stack.customDomain?.distribution as never));
      }
    });

    it('outputs the custom URLs: root, one per endpoint, and the distribution domain', () => {
      template.hasOutput('CustomDomainUrl', { Value: `https://${CUSTOM.domainName}/` });
      for (const endpoint of ENDPOINTS) {
        const pascal = endpoint
          .split('_')
          .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
          .join('');
        template.hasOutput(`${pascal}CustomMcpUrl`, { Value: `https://${CUSTOM.domainName}/mcp/${endpoint}` });
      }
      template.hasOutput('DistributionDomainName', { Value: { 'Fn::GetAtt': [logicalId(stack.customDomain?.distribution as never), 'DomainName'] } });
    });

    it('acknowledges exactly CFR1 and CFR3 on the distribution (it has a web ACL), each with a reason and a real finding', () => {
      const acks = [...acknowledgements(app)].filter(([key]) => key.startsWith('Conclave/CustomDomain/'));
      expect(acks.map(([key]) => key).sort()).toEqual(['AwsSolutions-CFR1', 'AwsSolutions-CFR3'].map((r) => `Conclave/CustomDomain/Distribution ${r}`));
      const findings = rawFindings(app);
      for (const [key, reason] of acks) {
        expect(reason.length).toBeGreaterThan(60);
        const [path, rule] = key.split(' ') as [string, string];
        expect(findings.some((f) => f.rule === rule && f.path.startsWith(`${path}/`)), key).toBe(true);
      }
    });
  });

  it('creates no records without a hosted zone (point a CNAME at the distribution yourself)', () => {
    const { template } = synth({ customDomain: { domainName: CUSTOM.domainName, certificateArn: CUSTOM.certificateArn } });
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    template.hasOutput('DistributionDomainName', {});
  });

  it('refuses a certificate outside us-east-1, a malformed domain or hosted zone id', () => {
    expect(() => synth({ customDomain: { ...CUSTOM, certificateArn: CUSTOM.certificateArn.replace('us-east-1', 'eu-west-1') } })).toThrow(/us-east-1/);
    expect(() => synth({ customDomain: { ...CUSTOM, domainName: 'https://mcp.example.com' } })).toThrow(/host name/);
    expect(() => synth({ customDomain: { ...CUSTOM, hostedZoneId: 'example.com' } })).toThrow(/hosted zone id/);
  });
});
