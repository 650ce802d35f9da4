import type { AgentIdentity, AgentTools } from '../../ports/agent-tools.js';
import type { ContentBlock, Model, ModelMessage, ModelToolSpec, ToolUseBlock } from '../../ports/model.js';
import { endsActivation, type Wake } from './wake.js';

/** How one activation's loop ended. */
export type LoopEnd = 'done' | 'max_steps' | 'budget_exhausted' | 'failed';

export interface LoopResult {
  readonly end: LoopEnd;
  readonly steps: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly toolCalls: number;
  /** The last model error when `failed`. */
  readonly error?: string;
}

export interface LoopInput {
  readonly agent: AgentIdentity;
  readonly wake: Wake;
  readonly system: string;
  /** The first user message: what woke the agent and what ends the activation. */
  readonly opening: string;
  readonly tools: readonly ModelToolSpec[];
  readonly maxSteps: number;
  readonly maxTokensPerStep: number;
  /** Called before each model call: false stops the loop (the daily budget is spent). */
  readonly withinBudget: () => Promise<boolean>;
  /** Called after each model call with its tokens (metering). */
  readonly meter: (tokens: number) => Promise<void>;
  /** Model failures in a row before giving up (the adapter has already retried throttling). */
  readonly maxFailures: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Wall clock for step durations. */
  readonly now: () => number;
}

const RESULT_CHARS = 8000;

/**
 * The agent loop: call the model with the role's tools; run each tool call
 * it asks for through the role's tools (as the agent principal; errors go
 * back as tool results, never widen anything); stop when the act that ends
 * the activation succeeded, the budget is spent, max steps are reached, or
 * the model keeps failing. A model that stops talking without finishing is
 * told what is still to do and counts a step.
 */
export async function runLoop(model: Model, tools: AgentTools, input: LoopInput): Promise<LoopResult> {
  const messages: ModelMessage[] = [{ role: 'user', content: [{ type: 'text', text: input.opening }] }];
  let steps = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let toolCalls = 0;
  let failures = 0;
  const result = (end: LoopEnd, error?: string): LoopResult => ({ end, steps, inputTokens, outputTokens, toolCalls, ...(error ? { error } : {}) });
  while (steps < input.maxSteps) {
    if (!(await input.withinBudget())) return result('budget_exhausted');
    const started = input.now();
    let response;
    try {
      response = await model.converse({ modelId: input.agent.modelId, system: input.system, messages, tools: input.tools, maxTokens: input.maxTokensPerStep });
    } catch (error) {
      failures++;
      if (failures >= input.maxFailures) return result('failed', error instanceof Error ? error.message : String(error));
      await input.sleep(200 * 2 ** failures);
      continue;
    }
    failures = 0;
    steps++;
    inputTokens += response.usage.inputTokens;
    outputTokens += response.usage.outputTokens;
    tools.recordStep(input.agent, {
      step: steps,
      inputTokens: response.usage.inputTokens,
      outputTokens: response.usage.outputTokens,
      stopReason: response.stopReason,
      durationMs: input.now() - started,
    });
    await input.meter(response.usage.inputTokens + response.usage.outputTokens);
    messages.push({ role: 'assistant', content: response.content });
    const uses = response.content.filter((b): b is ToolUseBlock => b.type === 'tool_use');
    if (!uses.length) {
      messages.push({ role: 'user', content: [{ type: 'text', text: 'You have not finished yet. Use your tools to do it now, or reply explaining why you cannot.' }] });
      continue;
    }
    const results: ContentBlock[] = [];
    let done = false;
    for (const use of uses) {
      toolCalls++;
      const outcome = await tools.call(input.agent, use.name, use.input);
      results.push({ type: 'tool_result', toolUseId: use.id, content: outcome.text.slice(0, RESULT_CHARS), isError: outcome.isError });
      if (endsActivation(input.wake, use.name, use.input, outcome)) done = true;
    }
    messages.push({ role: 'user', content: results });
    if (done) return result('done');
  }
  return result('max_steps');
}
