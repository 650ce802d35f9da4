import {
  ConverseCommand,
  type BedrockRuntimeClient,
  type ContentBlock as BedrockBlock,
  type Message as BedrockMessage,
  type Tool as BedrockTool,
  type ToolUseBlock as BedrockToolUse,
} from '@aws-sdk/client-bedrock-runtime';
import { DependencyError } from '../../ports/errors.js';
import { bedrockRetry, TRANSIENT_BEDROCK_ERRORS, type BedrockRetry, type BedrockRetryOptions } from './bedrock-retry.js';
import type { ContentBlock, Model, ModelRequest, ModelResponse, StopReason, TextBlock, ToolUseBlock } from '../../ports/model.js';

/** How the Converse adapter retries a turn; defaults: baseDelayMs 250, maxDelayMs 8000. */
export type BedrockModelOptions = BedrockRetryOptions;

/** A JSON document as the SDK types it. */
type DocumentType = BedrockToolUse['input'];

function toBedrock(block: ContentBlock): BedrockBlock {
  switch (block.type) {
    case 'text':
      return { text: block.text };
    case 'tool_use':
      return { toolUse: { toolUseId: block.id, name: block.name, input: (block.input ?? {}) as NonNullable<DocumentType> } };
    case 'tool_result':
      return { toolResult: { toolUseId: block.toolUseId, content: [{ text: block.content }], status: block.isError ? 'error' : 'success' } };
  }
}

function stopReasonOf(reason: string | undefined): StopReason {
  return reason === 'end_turn' || reason === 'tool_use' || reason === 'max_tokens' ? reason : reason === 'stop_sequence' ? 'end_turn' : 'other';
}

/**
 * The Model port on Amazon Bedrock's Converse API (tool use): any model that
 * supports Converse with tools (Claude, Nova, Llama 3.1+, Mistral Large…).
 *
 * The client is injected and should be built with `maxAttempts: 1`: this
 * adapter owns the retry policy (exponential backoff with full jitter on
 * throttling and transient faults). Access problems are not retried: they
 * become a DependencyError naming the model and how to enable it.
 */
export class BedrockModel implements Model {
  readonly provider = 'bedrock';
  private readonly retry: BedrockRetry;

  constructor(
    private readonly client: BedrockRuntimeClient,
    options: BedrockModelOptions = {},
  ) {
    this.retry = bedrockRetry(options, { baseDelayMs: 250, maxDelayMs: 8000 });
  }

  async converse(request: ModelRequest): Promise<ModelResponse> {
    const command = new ConverseCommand({
      modelId: request.modelId,
      system: [{ text: request.system }],
      messages: request.messages.map((m): BedrockMessage => ({ role: m.role, content: m.content.map(toBedrock) })),
      toolConfig: {
        tools: request.tools.map((t): BedrockTool => ({ toolSpec: { name: t.name, description: t.description, inputSchema: { json: t.inputSchema as NonNullable<DocumentType> } } })),
      },
      inferenceConfig: { maxTokens: request.maxTokens },
    });
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await this.client.send(command);
        const content: (TextBlock | ToolUseBlock)[] = [];
        for (const block of out.output?.message?.content ?? []) {
          if (block.text !== undefined) content.push({ type: 'text', text: block.text });
          else if (block.toolUse) content.push({ type: 'tool_use', id: block.toolUse.toolUseId ?? `tool-${content.length}`, name: block.toolUse.name ?? '', input: block.toolUse.input ?? {} });
        }
        return {
          content,
          stopReason: stopReasonOf(out.stopReason),
          usage: { inputTokens: out.usage?.inputTokens ?? 0, outputTokens: out.usage?.outputTokens ?? 0 },
        };
      } catch (error) {
        const name = (error as { name?: string }).name ?? '';
        if (TRANSIENT_BEDROCK_ERRORS.has(name) && attempt < this.retry.maxAttempts) {
          await this.retry.backoff(attempt);
          continue;
        }
        const hint =
          name === 'AccessDeniedException' || name === 'ResourceNotFoundException' || name === 'ValidationException'
            ? ` — enable model access to ${request.modelId} in the Bedrock console of this region, check it supports Converse with tool use, and that it is one of the stack's autopilotModelIds`
            : '';
        throw new DependencyError(`Bedrock Converse with ${request.modelId} failed after ${attempt} attempt(s): ${name || 'error'}${hint}`, { cause: error });
      }
    }
  }
}
