import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleHandler } from '../../scripts/bundle.js';

const ENTRY = fileURLToPath(new URL('../../functions/handlers/consumers/inbox-fanout.ts', import.meta.url));

describe('Lambda bundling (scripts/bundle.ts)', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('bundles a handler into one ESM file without zod locales or Ajv that still loads and validates', { timeout: 60_000 }, async () => {
    // Inside the repo, so the runtime-provided AWS SDK resolves from node_modules as it does on Lambda.
    const parent = fileURLToPath(new URL('../../.bench', import.meta.url));
    await mkdir(parent, { recursive: true });
    const out = await mkdtemp(join(parent, 'bundle-test-'));
    dirs.push(out);
    const metafile = await bundleHandler(ENTRY, out);
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((i) => /zod\/v4\/locales\/(de|fr|ja)\.js$/.test(i))).toBe(false);
    expect(inputs.some((i) => /zod\/v4\/locales\/en\.js$/.test(i))).toBe(true);
    expect(inputs.some((i) => /ajvProvider/.test(i) && !i.startsWith('no-ajv:'))).toBe(false);
    expect(inputs.some((i) => i.includes('node_modules/@aws-sdk/credential-provider-sso'))).toBe(false);
    expect(inputs.some((i) => i.includes('node_modules/@aws-sdk/credential-provider-env'))).toBe(true);
    expect((await stat(join(out, 'index.mjs'))).size).toBeGreaterThan(10_000);
    // The bundle runs: loading it builds the handler (config from the environment it needs).
    const saved = { ...process.env };
    Object.assign(process.env, { CONCLAVE_TABLE_NAME: 't', CONCLAVE_EVENT_BUS_NAME: 'b', AWS_REGION: 'us-east-1' });
    try {
      const module = (await import(pathToFileURL(join(out, 'index.mjs')).href)) as { handler: unknown };
      expect(typeof module.handler).toBe('function');
    } finally {
      process.env = saved;
    }
  });
});
