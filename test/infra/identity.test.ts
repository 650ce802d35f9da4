import { describe, expect, it } from 'vitest';
import { stackPropsFromContext } from '../../bin/context.js';
import { ENV } from '../../functions/contracts/env.js';
import { FULL_PROPS, functionStatements, logicalId, properties, synth, type Json } from './support.js';

/** Issue #18's upstream identity in the stack: a Cognito user pool or a trusted issuer, wired to the web function (the consent page's) with least privilege. */
describe('the consent page identity provider in the stack', () => {
  const env = (s: ReturnType<typeof synth>) => ((properties(s.template, 'AWS::Lambda::Function', logicalId(s.stack.web.function)).Environment as Json).Variables as Json);

  it('adds nothing without identity', () => {
    const s = synth();
    expect(Object.keys(s.template.findResources('AWS::Cognito::UserPool'))).toEqual([]);
    expect(env(s)[ENV.oidcIssuer]).toBeUndefined();
  });

  it('identity=cognito: an invitation-only pool with MFA, a hosted UI, and a public code+PKCE client whose callback is the Function URL\'s /oauth/callback', () => {
    const s = synth({ upstreamIdentity: { kind: 'cognito' } });
    const pool = Object.values(s.template.findResources('AWS::Cognito::UserPool'))[0] as Json;
    const poolProps = pool.Properties as Json;
    expect((poolProps.AdminCreateUserConfig as Json).AllowAdminCreateUserOnly).toBe(true);
    expect(poolProps.MfaConfiguration).toBe('ON');
    expect(pool.DeletionPolicy).toBe('Retain');
    s.template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    const client = Object.values(s.template.findResources('AWS::Cognito::UserPoolClient'))[0] as Json;
    const clientProps = client.Properties as Json;
    expect(clientProps.GenerateSecret).toBe(false);
    expect(clientProps.AllowedOAuthFlows).toEqual(['code']);
    expect(clientProps.AllowedOAuthScopes).toEqual(['openid', 'email']);
    const callback = JSON.stringify(clientProps.CallbackURLs);
    expect(callback).toContain(`${logicalId(s.stack.web.functionUrl)}`);
    expect(callback).toContain('oauth/callback');

    const variables = env(s);
    expect(JSON.stringify(variables[ENV.oidcIssuer])).toContain('https://cognito-idp.');
    expect(variables[ENV.oidcGroupsClaim]).toBe('cognito:groups');
    expect(variables[ENV.oidcClientId]).toBeUndefined();
    // No dependency cycle: the function names the settings secret by its fixed name, never the client or the secret resource.
    const rendered = JSON.stringify(variables);
    expect(rendered).not.toContain(logicalId(s.stack.upstreamIdentity?.client as never));
    expect(rendered).not.toContain('ClientSettings');
    expect(JSON.stringify(variables[ENV.oidcClientSecretId])).toContain('/conclave/cognito-client');
    // Least privilege: GetSecretValue on that one secret name, nothing else of Secrets Manager or Cognito.
    const statements = functionStatements(s.template, logicalId(s.stack.web.function)).filter((st) => JSON.stringify(st.Action).match(/secretsmanager|cognito/));
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Action).toBe('secretsmanager:GetSecretValue');
    expect(JSON.stringify(statements[0]?.Resource)).toMatch(/secret:.*\/conclave\/cognito-client-\?{6}"/);

    const outputs = s.template.findOutputs('*');
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['IdentityIssuer', 'IdentityCallbackUrl', 'CognitoUserPoolId', 'CognitoHostedUiUrl']));
    // The MCP function has no consent page: neither the settings nor the secret.
    const mcp = (properties(s.template, 'AWS::Lambda::Function', logicalId(s.stack.mcp.function)).Environment as Json).Variables as Json;
    expect(mcp[ENV.oidcIssuer]).toBeUndefined();
    expect(JSON.stringify(functionStatements(s.template, logicalId(s.stack.mcp.function)))).not.toContain('secretsmanager');
  });

  it('has no dependency cycle in the template (the client needs the Function URL, the function must not need the client)', () => {
    for (const props of [{ upstreamIdentity: { kind: 'cognito' as const } }, { ...FULL_PROPS, upstreamIdentity: { kind: 'cognito' as const } }]) {
      const resources = synth(props).template.toJSON().Resources as Record<string, Json>;
      const edges = new Map<string, Set<string>>();
      const collect = (value: unknown, into: Set<string>): void => {
        if (Array.isArray(value)) value.forEach((v) => collect(v, into));
        else if (value && typeof value === 'object') {
          for (const [k, v] of Object.entries(value)) {
            if (k === 'Ref' && typeof v === 'string' && v in resources) into.add(v);
            else if (k === 'Fn::GetAtt' && Array.isArray(v) && typeof v[0] === 'string') into.add(v[0]);
            else collect(v, into);
          }
        }
      };
      for (const [id, resource] of Object.entries(resources)) {
        const deps = new Set<string>();
        collect(resource.Properties, deps);
        for (const d of [resource.DependsOn ?? []].flat() as string[]) deps.add(d);
        edges.set(id, deps);
      }
      const state = new Map<string, 'visiting' | 'done'>();
      const visit = (id: string, path: string[]): void => {
        if (state.get(id) === 'done') return;
        if (state.get(id) === 'visiting') throw new Error(`cycle: ${[...path, id].join(' -> ')}`);
        state.set(id, 'visiting');
        for (const d of edges.get(id) ?? []) visit(d, [...path, id]);
        state.set(id, 'done');
      };
      expect(() => [...edges.keys()].forEach((id) => visit(id, []))).not.toThrow();
    }
  });

  it('registers the custom domain\'s callback when one is configured', () => {
    const s = synth({ ...FULL_PROPS, upstreamIdentity: { kind: 'cognito', domainPrefix: 'acme-conclave' } });
    const client = Object.values(s.template.findResources('AWS::Cognito::UserPoolClient'))[0] as Json;
    expect((client.Properties as Json).CallbackURLs).toEqual(['https://mcp.example.com/oauth/callback']);
    expect((Object.values(s.template.findResources('AWS::Cognito::UserPoolDomain'))[0] as Json).Properties).toMatchObject({ Domain: 'acme-conclave' });
  });

  it('identity=oidc: the named issuer and client, and read access to exactly the client secret', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:conclave-oidc-AbCdEf';
    const s = synth({ upstreamIdentity: { kind: 'oidc', issuer: 'https://login.example.com/oauth2/default/', clientId: 'conclave-app', clientSecretArn: arn, name: 'Okta' } });
    expect(Object.keys(s.template.findResources('AWS::Cognito::UserPool'))).toEqual([]);
    expect(env(s)).toMatchObject({
      [ENV.oidcIssuer]: 'https://login.example.com/oauth2/default',
      [ENV.oidcClientId]: 'conclave-app',
      [ENV.oidcClientSecretId]: arn,
      [ENV.oidcName]: 'Okta',
      [ENV.oidcGroupsClaim]: 'groups',
    });
    expect(env(s)[ENV.oidcClientSecret]).toBeUndefined();
    const statements = functionStatements(s.template, logicalId(s.stack.web.function)).filter((st) => JSON.stringify(st.Action).includes('secretsmanager'));
    expect(statements).toEqual([expect.objectContaining({ Action: 'secretsmanager:GetSecretValue', Resource: arn })]);
    // A partial ARN (no suffix) is matched with the six characters Secrets Manager appends.
    const partial = synth({ upstreamIdentity: { kind: 'oidc', issuer: 'https://login.example.com', clientId: 'c', clientSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:conclave/oidc' } });
    const partialStatements = functionStatements(partial.template, logicalId(partial.stack.web.function)).filter((st) => JSON.stringify(st.Action).includes('secretsmanager'));
    expect(partialStatements[0]?.Resource).toBe('arn:aws:secretsmanager:eu-west-1:123456789012:secret:conclave/oidc-??????');
  });

  it('reads the context keys and names the one at fault', () => {
    const read = (context: Record<string, string>) => stackPropsFromContext((key) => context[key]);
    expect(read({}).upstreamIdentity).toBeUndefined();
    expect(read({ identity: 'cognito' }).upstreamIdentity).toEqual({ kind: 'cognito' });
    expect(read({ identity: 'cognito', cognitoDomainPrefix: 'acme-sso' }).upstreamIdentity).toEqual({ kind: 'cognito', domainPrefix: 'acme-sso' });
    expect(read({ identity: 'oidc', oidcIssuer: 'https://id.example.com', oidcClientId: 'c', oidcGroupsClaim: 'roles' }).upstreamIdentity).toEqual({ kind: 'oidc', issuer: 'https://id.example.com', clientId: 'c', groupsClaim: 'roles' });
    expect(() => read({ identity: 'oidc', oidcClientId: 'c' })).toThrow(/"oidcIssuer".*required/);
    expect(() => read({ identity: 'oidc', oidcIssuer: 'http://id.example.com', oidcClientId: 'c' })).toThrow(/"oidcIssuer".*https/);
    expect(() => read({ identity: 'oidc', oidcIssuer: 'https://id.example.com', oidcClientId: 'c', oidcClientSecretArn: 'my-secret' })).toThrow(/"oidcClientSecretArn"/);
    expect(() => read({ identity: 'cognito', oidcIssuer: 'https://id.example.com' })).toThrow(/"oidcIssuer".*identity=oidc/);
    expect(() => read({ identity: 'cognito', cognitoDomainPrefix: 'my-cognito' })).toThrow(/"cognitoDomainPrefix"/);
    expect(() => read({ oidcClientId: 'c' })).toThrow(/"oidcClientId".*without identity/);
    expect(() => read({ identity: 'saml' })).toThrow(/"identity"/);
  });
});
