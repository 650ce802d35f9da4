/**
 * `npm start`: serves every Conclave endpoint on 127.0.0.1 with embedded
 * stand-ins for AWS (SPEC "Local run contract").
 */
import { createServer } from 'node:net';
import { ENDPOINTS } from '../functions/contracts/roles.js';
import { ConfigError, loadLocalConfig } from '../functions/runtime/config.js';
import { DataDirError, describeHolder, liveHolder, prepareDataDir } from '../functions/runtime/data-dir.js';

// Everything the server writes (database, keys, lock) is for this user only.
process.umask(0o077);

// The SDK's advisory about future Node releases is noise for a local tool whose SDK version the lockfile pins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** How long a stop lets requests in flight finish before cutting them off. */
const SHUTDOWN_GRACE_MS = 10_000;

let port: number | undefined;

async function main(): Promise<void> {
  const config = loadLocalConfig();
  port = config.port;
  // The checks that can fail a start run before the server's modules load (seconds on a busy machine), so a failed start says so at once.
  await prepareDataDir(config.dataDir);
  const holder = await liveHolder(config.dataDir);
  if (holder) throw new DataDirError(`data dir ${config.dataDir} is in use by ${describeHolder(holder)}; stop it (kill ${holder.pid}) or set CONCLAVE_DATA_DIR to another directory`);
  if (config.port !== 0) await portFree(config.port);
  const { startLocal } = await import('../functions/runtime/local.js');
  const { createLogger, powertoolsLog } = await import('../functions/runtime/log.js');
  const logger = createLogger('conclave-local');
  const log = powertoolsLog(logger);
  const { localAutopilotModel } = await import('../functions/runtime/autopilot-model.js');
  const autopilotModel = localAutopilotModel(config.autopilot);
  const conclave = await startLocal({
    ...config,
    log,
    shutdownGraceMs: SHUTDOWN_GRACE_MS,
    autopilotModelIds: config.autopilot.modelIds,
    ...(autopilotModel ? { autopilotModel } : {}),
  });
  const ceo = `${conclave.url}/mcp/ceo`;
  const lines = [
    `Conclave is serving on ${conclave.url} (data in ${config.dataDir})`,
    '',
    `Board console (sign in with a human key, e.g. the dev key): ${conclave.url}/console`,
    '',
    'Endpoints:',
    ...ENDPOINTS.map((e) => `  ${conclave.url}/mcp/${e}`),
    `  ${conclave.url}/healthz`,
    '',
    autopilotModel
      ? `Autopilot: roles you turn on with set_autopilot act through ${config.autopilot.provider === 'openai' ? `the model server at ${config.autopilot.openAiUrl}` : 'Amazon Bedrock'}.`
      : 'Autopilot: off (set CONCLAVE_AUTOPILOT_OPENAI_URL for a local model server such as Ollama, or provide AWS credentials for Bedrock).',
    '',
  ];
  if (conclave.firstStart || config.showKey) {
    lines.push(
      conclave.firstStart ? 'A key was generated for the "dev" tenant (every role and the board); it is kept in the data dir:' : 'Dev key:',
      `  ${conclave.devKey}`,
      '',
      'Claude Code:',
      `  claude mcp add --transport http conclave-ceo ${ceo} --header "Authorization: Bearer ${conclave.devKey}"`,
      '',
      'Claude Desktop (claude_desktop_config.json, through mcp-remote):',
      JSON.stringify(
        { mcpServers: { 'conclave-ceo': { command: 'npx', args: ['-y', 'mcp-remote@0.15.1', ceo, '--header', `Authorization: Bearer ${conclave.devKey}`] } } },
        null,
        2,
      )
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
      '',
      'MCP Inspector (CLI):',
      `  npx -y @modelcontextprotocol/inspector@2.12.0 --cli ${ceo} --transport http --header "Authorization: Bearer ${conclave.devKey}" --method tools/list`,
      '',
    );
  } else {
    lines.push(`Dev key: in ${config.dataDir}/dev-key (or run with CONCLAVE_SHOW_KEY=1 to print it with client commands)`, '');
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  // A stop: no new connections, requests in flight finish (up to the grace), the audit is flushed, the engine closed, the lock released.
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting without waiting\n`);
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`${signal}: stopping (requests in flight get up to ${SHUTDOWN_GRACE_MS / 1000} s)\n`);
    const hard = setTimeout(() => {
      process.stderr.write('the stop took too long; exiting\n');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS + 5_000);
    hard.unref();
    conclave.close().then(
      () => {
        process.stdout.write('Conclave stopped\n');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`the stop failed: ${oneLine(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Fails with EADDRINUSE (or EACCES) if the port cannot be bound; the server binds it for real later. */
function portFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/** A failed start as one line that says what to do. */
function explain(error: unknown): string {
  if (error instanceof ConfigError || error instanceof DataDirError) return error.message;
  if ((error as Error)?.name === 'EngineOpenError') return `${(error as Error).message}; is another process using the data dir? Set CONCLAVE_DATA_DIR to another directory`;
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE') return `port ${port} is already in use on 127.0.0.1 (another Conclave or another program); stop it or choose another port: PORT=${(port ?? 8787) + 1} npm start`;
  if (code === 'EACCES' && port !== undefined) return `port ${port} needs privileges this user lacks; choose a port of 1024 or above: PORT=8787 npm start`;
  return `Conclave could not start: ${oneLine(error)}`;
}

function oneLine(error: unknown): string {
  return String((error as Error)?.message ?? error).replace(/\s+/g, ' ').trim();
}

main().catch((error: unknown) => {
  process.stderr.write(`${explain(error)}\n`);
  process.exit(1);
});
