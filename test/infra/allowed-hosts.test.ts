import { describe, expect, it } from 'vitest';
import { ENV } from '../../functions/contracts/env.js';
import { hostMatcher } from '../../functions/mcp/host-check.js';
import { FULL_PROPS, logicalId, properties, renderIntrinsics, synth, type Json } from './support.js';

function allowedHosts(props?: Parameters<typeof synth>[0]): string {
  const { stack, template } = synth(props);
  const variables = (properties(template, 'AWS::Lambda::Function', logicalId(stack.mcp.function)).Environment as { Variables: Json }).Variables;
  return renderIntrinsics(variables[ENV.allowedHosts]);
}

describe('the MCP function Host allow-list', () => {
  it('serves the Function URL host of its own region only, by default', () => {
    const hosts = allowedHosts();
    expect(hosts).toContain('*.lambda-url.');
    expect(hosts).toContain('.on.aws');
    expect(hosts.split(',')).toHaveLength(1);
  });

  it('adds the custom domain when one is configured', () => {
    expect(allowedHosts(FULL_PROPS).split(',')).toContain('mcp.example.com');
  });

  it('matches Function URL hosts and refuses others', () => {
    const allowed = hostMatcher(['*.lambda-url.eu-west-1.on.aws', 'mcp.example.com']);
    expect(allowed('abcdefghijklmnop.lambda-url.eu-west-1.on.aws')).toBe(true);
    expect(allowed('MCP.example.com')).toBe(true);
    expect(allowed('lambda-url.eu-west-1.on.aws')).toBe(false);
    expect(allowed('abc.lambda-url.us-east-1.on.aws')).toBe(false);
    expect(allowed('evil.example')).toBe(false);
    expect(allowed('mcp.example.com.evil.example')).toBe(false);
    expect(allowed(null)).toBe(false);
    expect(hostMatcher([])('anything')).toBe(true);
  });
});
