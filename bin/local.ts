/**
 * `npm start`: serves every Conclave endpoint on 127.0.0.1 with embedded
 * stand-ins for AWS (SPEC "Local run contract").
 */
import { ENDPOINTS } from '../functions/contracts/roles.js';
import { ConfigError, loadLocalConfig } from '../functions/runtime/config.js';
import { startLocal } from '../functions/runtime/local.js';
import { localAutopilotModel } from '../functions/runtime/autopilot-model.js';
import { createLogger, powertoolsLog } from '../functions/runtime/log.js';

// The SDK's advisory about future Node releases is noise for a local tool whose SDK version the lockfile pins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const config = loadLocalConfig();
  const logger = createLogger('conclave-local');
  const autopilotModel = localAutopilotModel(config.autopilot);
  const conclave = await startLocal({
    ...config,
    log: powertoolsLog(logger),
    autopilotModelIds: config.autopilot.modelIds,
    ...(autopilotModel ? { autopilotModel } : {}),
  });
  const ceo = `${conclave.url}/mcp/ceo`;
  const lines = [
    `Conclave is serving on ${conclave.url} (data in ${config.dataDir})`,
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

  const stop = async (): Promise<void> => {
    await conclave.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
