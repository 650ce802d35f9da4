import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ENDPOINTS } from '../functions/contracts/roles.js';
import { ConclaveBus } from './constructs/bus.js';
import { BusConsumers } from './constructs/consumers.js';
import { McpEndpoint } from './constructs/mcp-endpoint.js';
import { ConclaveTable } from './constructs/table.js';
import { Workflows } from './constructs/workflows.js';
import { CONSUMER_WORKFLOWS, WORKFLOWS } from '../functions/contracts/workflows.js';

export interface ConclaveStackProps extends StackProps {
  /**
   * How long Lambda logs are kept.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Browser origins allowed to call the MCP endpoints (exact origins such as
   * `https://claude.ai`). Non-browser clients send no Origin and are unaffected.
   *
   * @default - none
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * What happens to stateful resources (the table, log groups, dead-letter
   * queues) when they leave the stack. `RETAIN` also turns on the table's
   * deletion protection; use `DESTROY` only for throwaway stacks.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Seconds without a heartbeat after which an agent is reported stale.
   *
   * @default 300
   */
  readonly staleAfterSeconds?: number;
  /**
   * The Bedrock model that embeds memories and search queries (a Titan Text
   * Embeddings v2 model id); the MCP function may invoke exactly this model.
   *
   * @default 'amazon.titan-embed-text-v2:0'
   */
  readonly embeddingModelId?: string;
  /**
   * How long the bus archive keeps Conclave's events for replay.
   *
   * @default Duration.days(30)
   */
  readonly eventArchiveRetention?: Duration;
}

/** `operations_head` → `OperationsHead`: output ids must be alphanumeric. */
function pascal(id: string): string {
  return id
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** Conclave on AWS. Composes one construct per concern; holds no resources of its own. */
export class ConclaveStack extends Stack {
  readonly table: ConclaveTable;
  readonly bus: ConclaveBus;
  readonly mcp: McpEndpoint;
  readonly consumers: BusConsumers;
  readonly workflows: Workflows;

  constructor(scope: Construct, id: string, props: ConclaveStackProps = {}) {
    super(scope, id, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.table = new ConclaveTable(this, 'Data', { removalPolicy });
    this.bus = new ConclaveBus(this, 'Events', { archiveRetention: props.eventArchiveRetention ?? Duration.days(30) });
    this.mcp = new McpEndpoint(this, 'Mcp', {
      table: this.table.table,
      bus: this.bus.bus,
      allowedOrigins: props.allowedOrigins ?? [],
      staleAfterSeconds: props.staleAfterSeconds ?? 300,
      ...(props.embeddingModelId ? { embeddingModelId: props.embeddingModelId } : {}),
      logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy,
    });
    this.consumers = new BusConsumers(this, 'Consumers', {
      table: this.table.table,
      bus: this.bus.bus,
      logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy,
    });

    this.workflows = new Workflows(this, 'Workflows', {
      table: this.table.table,
      bus: this.bus.bus,
      logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy,
    });
    // The MCP tools start the three workflows, complete tasks (task callbacks) and show runs (reconciled with their executions).
    this.workflows.connect('Mcp', this.mcp.function, { start: WORKFLOWS, resume: true, describe: true });
    // Consumers start the escalation, collaborative-decision and incident runs and resume runs waiting on decisions.
    for (const consumer of this.consumers.consumers) {
      const access = CONSUMER_WORKFLOWS[consumer.spec.consumer];
      if (access) this.workflows.connect(consumer.spec.id, consumer.function, access);
    }

    new CfnOutput(this, 'FunctionUrl', { value: this.mcp.url, description: 'The MCP Function URL (root)' });
    for (const endpoint of ENDPOINTS) {
      new CfnOutput(this, `${pascal(endpoint)}McpUrl`, {
        // The Function URL already ends with '/'.
        value: Fn.join('', [this.mcp.url, `mcp/${endpoint}`]),
        description: `MCP endpoint for ${endpoint}`,
      });
    }
    new CfnOutput(this, 'TableName', {
      value: this.table.table.tableName,
      description: 'The Conclave table (npm run keys -- --table <name>)',
    });
    new CfnOutput(this, 'EventBusName', {
      value: this.bus.bus.eventBusName,
      description: "Conclave's EventBridge bus: write rules on it, send Integration.Alert.v1 events to it",
    });
  }
}
