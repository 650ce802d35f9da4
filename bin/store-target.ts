/**
 * The store a command-line tool (`npm run keys`, `npm run memory`) works on:
 * a deployed stack's table (`--table`, with the standard AWS credential
 * chain), or the local data dir — through the running `npm start` server's
 * engine when it is up (the server holds the data dir's lock), else by
 * opening the data dir itself.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readFile } from 'node:fs/promises';
import { DynamoStore, storeClientConfig } from '../functions/adapters/aws/dynamo-store.js';
import { ensureTable, localClient, startDynalite } from '../functions/adapters/local/dynalite.js';
import { loadLocalConfig } from '../functions/runtime/config.js';
import { dataFiles, LOCAL_TABLE } from '../functions/runtime/local.js';

export interface StoreTarget {
  readonly store: DynamoStore;
  /** Where the command works, for its output. */
  readonly description: string;
  /** True for a deployed table. */
  readonly remote: boolean;
  /** The local memory-index directory, when this process owns the data dir (no server running); the server's own otherwise. */
  readonly indexDir?: string;
  close(): Promise<void>;
}

export async function openStoreTarget(table: string | undefined, region: string | undefined): Promise<StoreTarget> {
  if (table) {
    const client = new DynamoDBClient({ ...storeClientConfig, ...(region ? { region } : {}) });
    return { store: new DynamoStore(client, table), description: `DynamoDB table ${table}`, remote: true, close: async () => client.destroy() };
  }
  const { dataDir } = loadLocalConfig();
  const endpoint = await readFile(dataFiles.endpoint(dataDir), 'utf8').then((s) => s.trim(), () => undefined);
  if (endpoint && (await reachable(endpoint))) {
    const client = localClient(endpoint);
    return { store: new DynamoStore(client, LOCAL_TABLE), description: `the running local server (${dataDir})`, remote: false, close: async () => client.destroy() };
  }
  const engine = await startDynalite({ path: dataFiles.engine(dataDir) });
  await ensureTable(engine.client, LOCAL_TABLE);
  return {
    store: new DynamoStore(engine.client, LOCAL_TABLE),
    description: `the local data dir ${dataDir}`,
    remote: false,
    indexDir: dataFiles.memoryIndex(dataDir),
    close: async () => {
      engine.client.destroy();
      await engine.close();
    },
  };
}

async function reachable(endpoint: string): Promise<boolean> {
  try {
    await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}
