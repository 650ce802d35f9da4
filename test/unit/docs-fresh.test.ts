import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { allTools } from '../../functions/mcp/tools/index.js';
import { renderToolReference, replaceSection } from '../../scripts/tool-reference.js';

/** Every tool Conclave serves (the roles' own load on demand). */
const TOOLS = await allTools();

describe('README tool reference', () => {
  it('is what the registry generates (run `npm run docs` after changing a tool)', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    expect(replaceSection(readme, renderToolReference())).toBe(readme);
  });

  it('names every registered tool', () => {
    const reference = renderToolReference();
    for (const tool of TOOLS) expect(reference).toContain(`\`${tool.name}\``);
  });
});
