import { BedrockRuntimeClient, ConverseCommand, type ConverseCommandInput, type ConverseCommandOutput } from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { BedrockModel } from '../../functions/adapters/aws/bedrock-model.js';

/** A tool call the scripted model makes. */
export interface ScriptedCall {
  readonly name: string;
  readonly input: Record<string, unknown>;
}

/** What the scripted model sees of one activation: its role, goal, the details it was given, the results so far. */
export interface Turn {
  readonly role: string;
  readonly goal: string;
  readonly details: Record<string, unknown>;
  /** Tool calls made so far in this activation, with their result text and whether it was an error. */
  readonly history: { call: ScriptedCall; result: string; isError: boolean }[];
  readonly system: string;
}

/** A policy: the next tool call(s) for a turn, or a text (the model stops talking). */
export type Policy = (turn: Turn) => ScriptedCall[] | string;

/** Rough tokens of a text (4 characters a token, the usual English estimate) for the scripted usage figures. */
export const tokensOf = (text: string): number => Math.ceil(text.length / 4);

type Msg = NonNullable<ConverseCommandInput['messages']>[number];

function textOf(message: Msg | undefined): string {
  return (message?.content ?? []).map((b) => b.text ?? '').join('\n');
}

/** Reads a Converse request back into a Turn. */
export function turnOf(input: ConverseCommandInput): Turn {
  const system = (input.system ?? []).map((b) => ('text' in b ? (b.text ?? '') : '')).join('\n');
  const role = /\(([a-z_]+)\) of a Conclave organization/.exec(system)?.[1] ?? 'unknown';
  const opening = textOf(input.messages?.[0]);
  const goal = /Your goal now: (.*)\./.exec(opening)?.[1] ?? '';
  const json = opening.slice(opening.indexOf('Details (data, not instructions):\n') + 'Details (data, not instructions):\n'.length);
  let details: Record<string, unknown> = {};
  try {
    details = JSON.parse(json) as Record<string, unknown>;
  } catch {
    details = {};
  }
  const history: Turn['history'] = [];
  const messages = input.messages ?? [];
  for (let i = 1; i < messages.length; i++) {
    const m = messages[i] as Msg;
    if (m.role !== 'assistant') continue;
    for (const block of m.content ?? []) {
      if (!block.toolUse) continue;
      const result = (messages[i + 1]?.content ?? []).find((b) => b.toolResult?.toolUseId === block.toolUse?.toolUseId)?.toolResult;
      history.push({
        call: { name: block.toolUse.name ?? '', input: (block.toolUse.input ?? {}) as Record<string, unknown> },
        result: (result?.content ?? []).map((c) => c.text ?? '').join(''),
        isError: result?.status === 'error',
      });
    }
  }
  return { role, goal, details, history, system };
}

/** Every Converse call the scripted model answered: the role, the request and response sizes, the tokens reported. */
export interface ScriptedCallRecord {
  readonly role: string;
  readonly goal: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly tools: number;
}

let sequence = 0;

/**
 * A Converse-shaped answer from a policy: tool-use blocks with stop reason
 * `tool_use`, or a text with `end_turn`, with usage estimated from the
 * request and answer sizes (what the README prices).
 */
export function converseAnswer(input: ConverseCommandInput, policy: Policy, records?: ScriptedCallRecord[]): ConverseCommandOutput {
  const turn = turnOf(input);
  const next = policy(turn);
  const content =
    typeof next === 'string'
      ? [{ text: next }]
      : next.map((call) => ({ toolUse: { toolUseId: `tooluse_${++sequence}`, name: call.name, input: call.input as never } }));
  const inputTokens = tokensOf(JSON.stringify({ system: input.system, messages: input.messages, tools: input.toolConfig }));
  const outputTokens = tokensOf(JSON.stringify(content));
  records?.push({ role: turn.role, goal: turn.goal, inputTokens, outputTokens, tools: input.toolConfig?.tools?.length ?? 0 });
  return {
    output: { message: { role: 'assistant', content } },
    stopReason: typeof next === 'string' ? 'end_turn' : 'tool_use',
    usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
    metrics: { latencyMs: 1 },
    $metadata: {},
  } as ConverseCommandOutput;
}

/**
 * The real BedrockModel on the real BedrockRuntimeClient, its Converse calls
 * answered by `policy` through aws-sdk-client-mock (offline).
 */
export function scriptedBedrock(policy: () => Policy) {
  const client = new BedrockRuntimeClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  const mock = mockClient(client);
  const records: ScriptedCallRecord[] = [];
  mock.on(ConverseCommand).callsFake((input: ConverseCommandInput) => converseAnswer(input, policy(), records));
  const model = new BedrockModel(client, { sleep: async () => undefined });
  return { client, mock, model, records };
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * A competent employee: completes its task (approve for approvals, done for
 * work, with a result), votes approve, answers a request — one tool call,
 * then the act that ends the activation. A refused call is not repeated.
 */
export const diligent: Policy = (turn) => {
  const task = (turn.details.task ?? {}) as Record<string, unknown>;
  const decision = (turn.details.decision ?? {}) as Record<string, unknown>;
  const message = (turn.details.message ?? {}) as Record<string, unknown>;
  if (turn.history.some((h) => !h.isError && ['complete_task', 'vote', 'reply'].includes(h.call.name))) return 'Done.';
  if (task.task_id) {
    const outcomes = Array.isArray(task.allowed_outcomes) ? (task.allowed_outcomes as string[]) : [];
    const outcome = outcomes.includes('approve') ? 'approve' : 'done';
    return [{ name: 'complete_task', input: { task_id: str(task.task_id), outcome, result: resultFor(task) } }];
  }
  if (decision.decision_id) return [{ name: 'vote', input: { decision_id: str(decision.decision_id), vote: 'approve', confidence: 0.8, rationale: 'Sound and within budget.' } }];
  if (message.message_id) return [{ name: 'reply', input: { message_id: str(message.message_id), content: 'Noted; handled.' } }];
  return 'Nothing to do.';
};

/** What a competent agent reports for fields it knows (a passing gate, the usual environments, a release name). */
const KNOWN: Readonly<Record<string, unknown>> = {
  release_id: 'v1.0.0',
  tests_total: 500,
  tests_passed: 500,
  coverage_pct: 92,
  performance_p95_ms: 120,
  performance_budget_ms: 300,
  environments: ['staging', 'production'],
};

/** A result for a task: what each stage of the feature run reports (plain notes; a declared schema's fields when the task names them). */
export function resultFor(task: Record<string, unknown>): Record<string, unknown> {
  const schema = (task.result_schema ?? null) as { properties?: Record<string, { type?: string }>; required?: string[] } | null;
  if (schema?.properties) {
    const out: Record<string, unknown> = {};
    for (const [name, prop] of Object.entries(schema.properties)) {
      out[name] =
        KNOWN[name] ?? (prop.type === 'array' ? [`${name} item`] : prop.type === 'number' || prop.type === 'integer' ? 1 : prop.type === 'boolean' ? true : `${name} by autopilot`);
    }
    return out;
  }
  return { summary: `${str(task.stage)} done by autopilot`, rationale: 'meets the acceptance criteria' };
}
