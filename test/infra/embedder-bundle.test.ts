import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleHandler } from '../../scripts/bundle.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MCP_ENTRY = join(ROOT, 'functions/handlers/mcp.ts');

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

describe('the offline embedding model stays out of Lambda', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('is imported by the local composition root only', async () => {
    const importers: string[] = [];
    for (const file of await sources(join(ROOT, 'functions'))) {
      const text = await readFile(file, 'utf8');
      if (/from '[^']*packaged-embedder\.js'|import\('@energetic-ai\/|from '@energetic-ai\//.test(text)) importers.push(relative(ROOT, file));
    }
    expect(importers.sort()).toEqual(['functions/adapters/local/packaged-embedder.ts', 'functions/runtime/local.ts']);
  });

  it('is not in the MCP handler bundle, which embeds with Bedrock', { timeout: 120_000 }, async () => {
    const out = await mkdtemp(join(tmpdir(), 'conclave-embedder-bundle-'));
    dirs.push(out);
    const inputs = Object.keys((await bundleHandler(MCP_ENTRY, out)).inputs);
    expect(inputs.filter((i) => /energetic-ai|tensorflow|packaged-embedder/.test(i))).toEqual([]);
    expect(inputs.some((i) => i.endsWith('functions/adapters/aws/bedrock-embedder.ts'))).toBe(true);
  });
});
