import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The pure-core rule must actually fire: lint snippets as if they lived in functions/core. */
describe('lint boundaries', () => {
  const eslint = new ESLint();

  async function messagesFor(code: string, filePath: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath });
    return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
  }

  it.each([
    ["import { DynamoDBClient } from '@aws-sdk/client-dynamodb';"],
    ["import middy from '@middy/core';"],
    ["import type { Context } from 'aws-lambda';"],
    ["import { DynamoStore } from '../../adapters/aws/dynamo-store.js';"],
    ["import { loadAwsConfig } from '../../runtime/config.js';"],
  ])('rejects %s in functions/core', async (line) => {
    const messages = await messagesFor(`${line}\nexport const x = 1;\n`, 'functions/core/agents/example.ts');
    expect(messages.join('\n')).toMatch(/no-restricted-imports/);
  });

  it('allows ports and contracts in functions/core', async () => {
    const code = "import type { Store } from '../../ports/store.js';\nimport { ENDPOINTS } from '../../contracts/roles.js';\nexport type S = Store;\nexport const e = ENDPOINTS;\n";
    expect(await messagesFor(code, 'functions/core/agents/example.ts')).toEqual([]);
  });

  it.each([
    ["import { PreconditionFailedError } from '../../core/errors.js';"],
    ["import { keys } from '../../core/keys.js';"],
    ["import { TaskTokenError } from '../../core/workflows/model.js';"],
    ["import { loadAwsConfig } from '../../runtime/config.js';"],
    ["import { buildServer } from '../../mcp/server.js';"],
  ])('rejects %s in functions/adapters', async (line) => {
    const messages = await messagesFor(`${line}\nexport const x = 1;\n`, 'functions/adapters/aws/example.ts');
    expect(messages.join('\n')).toMatch(/no-restricted-imports/);
  });

  it('allows ports, contracts and SDKs in functions/adapters', async () => {
    const code =
      "import { PreconditionFailedError } from '../../ports/errors.js';\nimport type { Store } from '../../ports/store.js';\nimport { TABLE_SCHEMA } from '../../contracts/table.js';\nimport { DynamoDBClient } from '@aws-sdk/client-dynamodb';\n" +
      'export type S = Store;\nexport const e = [PreconditionFailedError, TABLE_SCHEMA, DynamoDBClient];\n';
    expect(await messagesFor(code, 'functions/adapters/aws/example.ts')).toEqual([]);
  });

  it('rejects process.env outside the runtime config', async () => {
    const messages = await messagesFor('export const region = process.env.AWS_REGION;\n', 'functions/mcp/example.ts');
    expect(messages.join('\n')).toMatch(/no-restricted-properties/);
  });

  it.each([
    ['String(item.department)'],
    ['Number(item.allocated_cents)'],
    ["String(item.title ?? '')"],
    ['Number(item?.version)'],
    ['String(item[name])'],
    ["String(item['status'])"],
  ])('rejects the raw field read %s in functions/core outside codec files', async (read) => {
    const code = `import type { Item } from '../../ports/store.js';\nexport const read = (item: Item, name: string): unknown => [name, ${read}];\n`;
    const messages = await messagesFor(code, 'functions/core/finance/example.ts');
    expect(messages.join('\n')).toMatch(/no-restricted-syntax: functions\/core reads stored items through their codec/);
  });

  it('allows raw field reads in codec files, and String()/Number() of a value that is no field read', async () => {
    const raw = "import type { Item } from '../../ports/store.js';\nexport const read = (item: Item): unknown => [String(item.department), Number(item.version)];\n";
    expect(await messagesFor(raw, 'functions/core/finance/budget-record.ts')).toEqual([]);
    expect(await messagesFor(raw, 'functions/core/workflows/records.ts')).toEqual([]);
    expect(await messagesFor(raw, 'functions/core/fields.ts')).toEqual([]);
    const values = "export const show = (error: unknown, m: string[]): unknown => [String(error), Number(m[1]), String(Math.max(1, 2))];\n";
    expect(await messagesFor(values, 'functions/core/finance/example.ts')).toEqual([]);
    // Outside functions/core the rule does not apply.
    expect(await messagesFor(raw, 'functions/mcp/example.ts')).toEqual([]);
  });
});
