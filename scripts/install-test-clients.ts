/**
 * The root package's postinstall: installs test/clients (the Inspector CLI,
 * mcp-remote, the conformance suite and a Node 22 runtime, pinned by its own
 * lockfile) so `npm test` needs no network after `npm install`. A separate
 * package keeps that Node 22 out of node_modules/.bin, where it would replace
 * the project's Node in every npm script.
 *
 * Skipped when npm installs without dev dependencies (`--omit=dev`, or
 * NODE_ENV=production), or with CONCLAVE_SKIP_TEST_CLIENTS=1.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../test/clients/', import.meta.url));
const env = process.env;
const omitted = (env.npm_config_omit ?? '').split(/[\s,]+/).includes('dev') || env.NODE_ENV === 'production';
if (omitted || env.CONCLAVE_SKIP_TEST_CLIENTS === '1') process.exit(0);

// npm hands every non-default setting to lifecycle scripts as npm_config_*; a child npm reads them as command-line
// flags, and some (allow-scripts, omit, global, prefix) mean something else or are refused in a project install.
const childEnv = Object.fromEntries(Object.entries(env).filter(([name]) => !/^npm_config_/i.test(name) || /^npm_config_(registry|cache|userconfig|globalconfig|proxy|https_proxy|noproxy|strict_ssl|cafile|ca)$/i.test(name)));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// The clients declare Node ≥ 22 and run on the pinned Node 22, so npm's engine warnings here say nothing about this machine.
const result = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env: childEnv, stdio: 'inherit' });
if (result.status !== 0) {
  process.stderr.write(`Installing the test clients in test/clients failed (exit ${result.status ?? result.signal}). Rerun \`npm install\`; set CONCLAVE_SKIP_TEST_CLIENTS=1 to install without them.\n`);
  process.exit(result.status ?? 1);
}
