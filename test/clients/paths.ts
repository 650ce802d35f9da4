/**
 * Where the pinned third-party clients live: the MCP Inspector CLI,
 * mcp-remote, the official conformance suite (one package per protocol era)
 * and the Node 22 runtime they need. They are a package of their own
 * (test/clients/package.json and its lockfile), installed by the root
 * package's postinstall (scripts/install-test-clients.ts), so `npm test`
 * runs offline after `npm install` and the Node 22 binary never shadows the
 * project's own Node on the scripts' PATH.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLIENTS_DIR = fileURLToPath(new URL('.', import.meta.url));
const MODULES = join(CLIENTS_DIR, 'node_modules');

/** The MCP Inspector's CLI launcher (`npx @modelcontextprotocol/inspector@2.12.0` as the README shows it). */
export const INSPECTOR_CLI = join(MODULES, '@modelcontextprotocol/inspector/clients/launcher/build/index.js');
/** mcp-remote 0.15.1, what Claude Desktop runs for a remote server: a stdio ↔ Streamable HTTP bridge. */
export const MCP_REMOTE = join(MODULES, 'mcp-remote/dist/proxy.js');

/** The conformance suite's entry point for a package alias in test/clients/package.json. */
export const conformanceCli = (alias: string): string => join(MODULES, alias, 'dist/index.js');

/**
 * The Node these clients run on. The Inspector and the conformance suite
 * declare Node ≥ 22 (the Inspector ≥ 22.19): the pinned `node-<os>-<cpu>`
 * package where one exists for this machine, else this Node when it is new
 * enough.
 */
export function clientNode(): string {
  const pinned = join(MODULES, `node-${process.platform}-${process.arch}`, 'bin', 'node');
  if (existsSync(pinned)) return pinned;
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  throw new Error(
    `The test clients need Node 22 or newer: no pinned node-${process.platform}-${process.arch} in test/clients and this Node is ${process.version}. ` +
      'Run `npm install` (it installs test/clients), or run the tests with Node 22.',
  );
}

/** Fails with the fix when `npm install` has not installed the clients. */
export function requireClient(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm install\` (its postinstall installs test/clients).`);
  return path;
}
