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

    it('sends every request to a Function URL over HTTPS (the MCP function\'s by default, the web function\'s for its paths), with a read timeout above the functions\' 30 s', () => {
      const origins = distribution().Origins as Json[];
      expect(origins).toHaveLength(2);
      const domainOf = (url: unknown) => ({ 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [logicalId(url as never), 'FunctionUrl'] }] }] });
      const mcp = origins.find((o) => JSON.stringify(o.DomainName) === JSON.stringify(domainOf(stack.mcp.functionUrl)));
      const web = origins.find((o) => JSON.stringify(o.DomainName) === JSON.stringify(domainOf(stack.web.functionUrl)));
      for (const origin of [mcp, web]) {
        expect(origin).toMatchObject({ CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'], OriginReadTimeout: 60 } });
        // Both functions refuse requests without the origin secret CloudFront adds.
        expect((origin?.OriginCustomHeaders as Json[])[0]).toMatchObject({ HeaderName: 'x-conclave-origin-verify' });
      }
      expect(distribution().DefaultCacheBehavior).toMatchObject({ TargetOriginId: mcp?.Id });
      const behaviors = distribution().CacheBehaviors as Json[];
      expect(behaviors.map((b) => b.PathPattern)).toEqual(['/console', '/console/*', '/oauth/*', '/.well-known/oauth-authorization-server', '/.well-known/oauth-authorization-server/*']);
      for (const b of behaviors) expect(b.TargetOriginId).toBe(web?.Id);
      // The protected-resource metadata stays with the MCP endpoints (the default behaviour).
      expect(behaviors.some((b) => String(b.PathPattern).includes('protected-resource'))).toBe(false);
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
      // The web function's paths are forwarded alike (its pages and OAuth answers are per person and per client).
      for (const behavior of distribution().CacheBehaviors as Json[]) {
        expect(behavior).toMatchObject({ CachePolicyId: CACHING_DISABLED, OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER, ViewerProtocolPolicy: 'https-only', Compress: false });
        expect(behavior.AllowedMethods).toEqual(expect.arrayContaining(['POST', 'OPTIONS', 'GET']));
      }
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
