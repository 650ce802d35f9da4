import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type KeysAndAttributes,
  type QueryCommandInput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall as toAttributes, unmarshall } from '@aws-sdk/util-dynamodb';
import { TABLE_SCHEMA } from '../../contracts/table.js';
import { DependencyError, PreconditionFailedError, ValidationError } from '../../ports/errors.js';
import type { Increment, Item, ItemKey, Page, Precondition, Query, Store } from '../../ports/store.js';

type Attributes = Record<string, AttributeValue>;

/**
 * Settings for the DynamoDB client a DynamoStore is given: resolve the
 * middleware stack once per command type (nothing adds middleware after the
 * client is built). Spread into the client's configuration.
 */
export const storeClientConfig = { cacheMiddleware: true } as const;

/**
 * The Store port on DynamoDB. The same code runs against DynamoDB in AWS and
 * against dynalite locally: it uses only single-item conditional writes,
 * queries and batch reads (no transactions, no PartiQL).
 *
 * It sends the client's own commands and converts items itself
 * (`@aws-sdk/util-dynamodb`) rather than going through the document client,
 * so the client can be built with `cacheMiddleware: true`: the middleware
 * stack is then resolved once per command type instead of on every request
 * (the document client refuses that option). Build the client that way (see
 * `storeClientConfig`).
 */
export class DynamoStore implements Store {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(key: ItemKey): Promise<Item | undefined> {
    const out = await this.call(() =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: pickKey(key), ConsistentRead: true })),
    );
    return out.Item ? fromAttributes(out.Item) : undefined;
  }

  async getMany(keys: readonly ItemKey[]): Promise<Item[]> {
    if (keys.length > 100) throw new ValidationError('getMany reads at most 100 items at once');
    if (keys.length === 0) return [];
    let pending: KeysAndAttributes['Keys'] = keys.map(pickKey);
    const found: Item[] = [];
    // Unprocessed keys (throttling) are retried with backoff until none are left.
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt));
      if (attempt > 8) throw new DependencyError(`${pending.length} items could not be read after retries`);
      const out = await this.call(() =>
        this.client.send(new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } })),
      );
      found.push(...(out.Responses?.[this.tableName] ?? []).map(fromAttributes));
      pending = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return found;
  }

  async put(item: Item, precondition?: Precondition): Promise<void> {
    await this.call(() =>
      this.client.send(new PutItemCommand({ TableName: this.tableName, Item: toAttributes(item, MARSHALL), ...conditionFor(precondition) })),
    );
  }

  async putMany(items: readonly Item[]): Promise<void> {
    if (items.length > 25) throw new ValidationError('putMany writes at most 25 items at once');
    let pending: WriteRequest[] = items.map((item) => ({ PutRequest: { Item: toAttributes(item, MARSHALL) } }));
    // Unprocessed writes (throttling) are retried with backoff until none are left.
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt));
      if (attempt > 8) throw new DependencyError(`${pending.length} items could not be written after retries`);
      const out = await this.call(() => this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.tableName]: pending } })));
      pending = out.UnprocessedItems?.[this.tableName] ?? [];
    }
  }

  async increment(increment: Increment): Promise<Item> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const adds: string[] = [];
    const sets: string[] = [];
    const guards: string[] = [];
    Object.entries(increment.add).forEach(([attr, by], i) => {
      names[`#a${i}`] = attr;
      values[`:a${i}`] = by;
      adds.push(`#a${i} :a${i}`);
      const ceiling = increment.ceilings?.[attr];
      if (ceiling !== undefined) {
        values[`:c${i}`] = ceiling - by;
        values[`:z${i}`] = by;
        values[`:m${i}`] = ceiling;
        guards.push(`((attribute_not_exists(#a${i}) AND :z${i} <= :m${i}) OR #a${i} <= :c${i})`);
      }
    });
    Object.entries(increment.set ?? {}).forEach(([attr, value], i) => {
      names[`#s${i}`] = attr;
      values[`:s${i}`] = value;
      sets.push(`#s${i} = :s${i}`);
    });
    const expression = [sets.length ? `SET ${sets.join(', ')}` : '', adds.length ? `ADD ${adds.join(', ')}` : '']
      .filter(Boolean)
      .join(' ');
    const out = await this.call(() =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: pickKey(increment.key),
          UpdateExpression: expression,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: toAttributes(values, MARSHALL),
          ...(guards.length ? { ConditionExpression: guards.join(' AND ') } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    if (!out.Attributes) throw new DependencyError('DynamoDB returned no attributes for an update that asked for them');
    return fromAttributes(out.Attributes);
  }

  async delete(key: ItemKey, precondition?: Precondition): Promise<void> {
    await this.call(() =>
      this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: pickKey(key), ...conditionFor(precondition) })),
    );
  }

  async query(query: Query): Promise<Page<Item>> {
    const index = query.index ? TABLE_SCHEMA.indexes.find((i) => i.name === query.index) : undefined;
    const pkName = index?.partitionKey ?? TABLE_SCHEMA.partitionKey;
    const skName = index?.sortKey ?? TABLE_SCHEMA.sortKey;
    const values: Record<string, unknown> = { ':pk': query.pk };
    let condition = '#pk = :pk';
    if (query.skPrefix !== undefined) {
      condition += ' AND begins_with(#sk, :prefix)';
      values[':prefix'] = query.skPrefix;
    } else if (query.skBetween) {
      condition += ' AND #sk BETWEEN :from AND :to';
      values[':from'] = query.skBetween[0];
      values[':to'] = query.skBetween[1];
    }
    const input: QueryCommandInput = {
      TableName: this.tableName,
      KeyConditionExpression: condition,
      ExpressionAttributeNames: { '#pk': pkName, ...(condition.includes('#sk') ? { '#sk': skName } : {}) },
      ExpressionAttributeValues: toAttributes(values, MARSHALL),
      ScanIndexForward: !query.descending,
      ...(index ? { IndexName: index.name } : { ConsistentRead: true }),
      ...(query.limit === undefined ? {} : { Limit: query.limit }),
      ...(query.cursor === undefined ? {} : { ExclusiveStartKey: toAttributes(decodeCursor(query.cursor, pkName, query.pk), MARSHALL) }),
    };
    const out = await this.call(() => this.client.send(new QueryCommand(input)));
    return {
      items: (out.Items ?? []).map(fromAttributes),
      ...(out.LastEvaluatedKey ? { cursor: encodeCursor(unmarshall(out.LastEvaluatedKey, UNMARSHALL)) } : {}),
    };
  }

  /** Maps SDK failures to domain errors; the SDK has already retried throttling and 5xx. */
  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') {
        throw new PreconditionFailedError('the item changed or exists already', { cause: error });
      }
      if (error instanceof ValidationError) throw error;
      throw new DependencyError(`DynamoDB request failed: ${(error as Error).name}`, { cause: error });
    }
  }
}

/**
 * How items become attribute values: undefined attributes are left out (as
 * the port's items may carry optional fields), and class instances are
 * refused rather than flattened into maps.
 */
const MARSHALL = { removeUndefinedValues: true, convertClassInstanceToMap: false } as const;
/** Numbers come back as JS numbers (the port's items hold only safe integers and doubles). */
const UNMARSHALL = { wrapNumbers: false } as const;

function fromAttributes(attributes: Attributes): Item {
  return unmarshall(attributes, UNMARSHALL) as Item;
}

function pickKey(key: ItemKey): Attributes {
  return { [TABLE_SCHEMA.partitionKey]: { S: key.pk }, [TABLE_SCHEMA.sortKey]: { S: key.sk } };
}

function conditionFor(precondition: Precondition | undefined): {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Attributes;
} {
  if (!precondition) return {};
  switch (precondition.kind) {
    case 'absent':
      return { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': TABLE_SCHEMA.partitionKey } };
    case 'present':
      return { ConditionExpression: 'attribute_exists(#pk)', ExpressionAttributeNames: { '#pk': TABLE_SCHEMA.partitionKey } };
    case 'version':
      return {
        ConditionExpression: '#v = :v',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: toAttributes({ ':v': precondition.version }, MARSHALL),
      };
    case 'equals': {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const parts = Object.entries(precondition.attributes).map(([attr, value], i) => {
        names[`#e${i}`] = attr;
        values[`:e${i}`] = value;
        return `#e${i} = :e${i}`;
      });
      return { ConditionExpression: parts.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: toAttributes(values, MARSHALL) };
    }
  }
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** A cursor is only accepted for the partition it was issued for, so it cannot reach other data. */
function decodeCursor(cursor: string, pkName: string, pk: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (key && typeof key === 'object' && (key as Record<string, unknown>)[pkName] === pk) return key as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('invalid cursor: pass back the cursor of the previous page unchanged');
}

function backoffMs(attempt: number): number {
  return Math.min(1000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
