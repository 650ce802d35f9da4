import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../functions/contracts/env.js';
import { DYNAMODB_ACTION, STORE_OPERATIONS } from '../../functions/contracts/table-access.js';
import { FULL_PROPS, asList, arnOf, functionStatements, logicalId, properties, synth, type Json } from './support.js';

const variables = (template: Template, id: string) => (properties(template, 'AWS::Lambda::Function', id).Environment as { Variables: Json }).Variables;

/**
 * The web function: the console and the OAuth authorization server, apart
 * from the MCP function (whose bundle must stay within its budget), with
 * its own Function URL, the least privilege its pages and OAuth records
 * need, a reserved concurrency and its alarms.
 */
describe('web function (console and OAuth authorization server)', () => {
  const { stack, template } = synth();
  const web = logicalId(stack.web.function);
  const mcp = logicalId(stack.mcp.function);
  const webUrl = { 'Fn::GetAtt': [logicalId(stack.web.functionUrl), 'FunctionUrl'] };

  it('is served by its own public RESPONSE_STREAM Function URL, invokable by the public only through it', () => {
    expect(properties(template, 'AWS::Lambda::Url', logicalId(stack.web.functionUrl))).toMatchObject({ AuthType: 'NONE', InvokeMode: 'RESPONSE_STREAM', TargetFunctionArn: arnOf(web) });
    const publicGrants = Object.values(template.findResources('AWS::Lambda::Permission'))
      .map((p) => (p as Json).Properties as Json)
      .filter((p) => p.Principal === '*');
    // Only the two URL-served functions are public, each through its URL alone.
    expect(publicGrants).toHaveLength(4);
    for (const grant of publicGrants) expect([arnOf(mcp), arnOf(web)]).toContainEqual(grant.FunctionName);
    for (const grant of publicGrants.filter((g) => JSON.stringify(g.FunctionName) === JSON.stringify(arnOf(web)))) {
      expect(grant.FunctionUrlAuthType === 'NONE' || grant.InvokedViaFunctionUrl === true).toBe(true);
    }
  });

  it('runs the web handler with its service name, the region\'s Function URL hosts and no custom base URL by default', () => {
    expect(properties(template, 'AWS::Lambda::Function', web)).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
    const env = variables(template, web);
    expect(env).toMatchObject({ [ENV.serviceName]: 'conclave-web', [ENV.allowedHosts]: { 'Fn::Join': ['', ['*.lambda-url.', { Ref: 'AWS::Region' }, '.on.aws']] } });
    expect(env[ENV.publicUrl]).toBeUndefined();
    expect(env[ENV.originSecret]).toBeUndefined();
  });

  it('has the table\'s Store operations, PutEvents on the bus, task callbacks and run descriptions, and nothing else', () => {
    const statements = functionStatements(template, web);
    const actions = statements.flatMap((s) => asList(s.Action));
    const storeActions = [...new Set(STORE_OPERATIONS.map((op) => DYNAMODB_ACTION[op]))].sort();
    expect(statements.find((s) => asList(s.Action).includes('dynamodb:GetItem'))?.Action).toEqual(storeActions);
    expect(actions).toContain('events:PutEvents');
    expect(actions).toEqual(expect.arrayContaining(['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:DescribeExecution']));
    // It starts and stops no run, embeds nothing and touches no vector index (those are the MCP function's and the consumers').
    for (const refused of ['states:StartExecution', 'states:StopExecution', 'bedrock:InvokeModel', 'bedrock:Converse']) expect(actions, refused).not.toContain(refused);
    expect(actions.some((a) => a.startsWith('s3vectors:'))).toBe(false);
    expect(actions.some((a) => a.endsWith('*') && !a.startsWith('xray:'))).toBe(false);
  });

  it('reserves 10 executions by default (a cost ceiling), configurable or off, and alarms on its errors and throttles', () => {
    expect(properties(template, 'AWS::Lambda::Function', web).ReservedConcurrentExecutions).toBe(10);
    const tuned = synth({ webReservedConcurrency: 3 });
    expect(properties(tuned.template, 'AWS::Lambda::Function', logicalId(tuned.stack.web.function)).ReservedConcurrentExecutions).toBe(3);
    const off = synth({ webReservedConcurrency: 'none' });
    expect(properties(off.template, 'AWS::Lambda::Function', logicalId(off.stack.web.function)).ReservedConcurrentExecutions).toBeUndefined();
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => (a as Json).Properties as Json);
    const named = (name: string) => alarms.find((a) => a.AlarmName === name);
    expect(named('Conclave-errors-web')).toMatchObject({ MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: web } }] });
    expect(named('Conclave-web-throttles')).toMatchObject({ MetricName: 'Throttles', Threshold: 1, Dimensions: [{ Name: 'FunctionName', Value: { Ref: web } }] });
  });

  it('is what the MCP function names as its authorization server, and what the console and authorization-server outputs point at', () => {
    expect(variables(template, mcp)[ENV.authorizationServerUrl]).toEqual(webUrl);
    template.hasOutput('WebFunctionUrl', { Value: webUrl });
    template.hasOutput('ConsoleUrl', { Value: { 'Fn::Join': ['', [webUrl, 'console']] } });
    template.hasOutput('OAuthAuthorizationServerMetadataUrl', { Value: { 'Fn::Join': ['', [webUrl, '.well-known/oauth-authorization-server']] } });
    template.hasOutput('OAuthProtectedResourceMetadataUrl', { Value: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(stack.mcp.functionUrl), 'FunctionUrl'] }, '.well-known/oauth-protected-resource']] } });
  });

  it('with a custom domain: shares it with the MCP endpoints (issuer, resources, outputs) and requires the origin secret', () => {
    const custom = synth(FULL_PROPS);
    const base = `https://${FULL_PROPS.customDomain?.domainName}`;
    const webEnv = variables(custom.template, logicalId(custom.stack.web.function));
    const mcpEnv = variables(custom.template, logicalId(custom.stack.mcp.function));
    expect(webEnv[ENV.publicUrl]).toBe(base);
    expect(mcpEnv[ENV.publicUrl]).toBe(base);
    expect(mcpEnv[ENV.authorizationServerUrl]).toBe(base);
    expect(webEnv[ENV.originSecret]).toEqual(mcpEnv[ENV.originSecret]);
    expect(webEnv[ENV.originSecret]).toBeDefined();
    expect(JSON.stringify(webEnv[ENV.allowedHosts])).toContain(FULL_PROPS.customDomain?.domainName);
    custom.template.hasOutput('ConsoleUrl', { Value: `${base}/console` });
    custom.template.hasOutput('OAuthAuthorizationServerMetadataUrl', { Value: `${base}/.well-known/oauth-authorization-server` });
  });
});
