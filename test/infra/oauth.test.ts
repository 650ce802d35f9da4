import { describe, expect, it } from 'vitest';
import { ENV } from '../../functions/contracts/env.js';
import { TABLE_SCHEMA } from '../../functions/contracts/table.js';
import { FULL_PROPS, logicalId, properties, synth, type Json } from './support.js';

/** Issue #18's CDK: the OAuth state's TTL, the public base URL from configuration, and outputs naming the well-known URLs. */
describe('OAuth in the stack', () => {
  it('expires OAuth items (codes, tokens, grants, clients) through the table TTL attribute', () => {
    const { stack, template } = synth();
    const table = properties(template, 'AWS::DynamoDB::Table', logicalId(stack.table.table));
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: TABLE_SCHEMA.ttlAttribute, Enabled: true });
  });

  it('takes the public base URL from the custom domain when there is one, and never sets it otherwise (Lambda reports the Function URL domain)', () => {
    const env = (props?: typeof FULL_PROPS) => {
      const { stack, template } = synth(props);
      return ((properties(template, 'AWS::Lambda::Function', logicalId(stack.mcp.function)).Environment as Json).Variables as Json);
    };
    expect(env()[ENV.publicUrl]).toBeUndefined();
    expect(env(FULL_PROPS)[ENV.publicUrl]).toBe('https://mcp.example.com');
    expect(env(FULL_PROPS)[ENV.oauthLoopbackClients]).toBeUndefined();
  });

  it('outputs the well-known OAuth discovery URLs', () => {
    const plain = synth().template.findOutputs('*');
    expect(JSON.stringify(plain.OAuthProtectedResourceMetadataUrl)).toContain('.well-known/oauth-protected-resource');
    expect(JSON.stringify(plain.OAuthAuthorizationServerMetadataUrl)).toContain('.well-known/oauth-authorization-server');
    const custom = synth(FULL_PROPS).template.findOutputs('*');
    expect(JSON.stringify(custom.OAuthAuthorizationServerMetadataUrl)).toContain('https://mcp.example.com/.well-known/oauth-authorization-server');
  });
});
