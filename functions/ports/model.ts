/**
 * The model port: one turn of a chat model with tool use, in the shape of
 * Bedrock's Converse API (system prompt, alternating user/assistant
 * messages, tool specifications as JSON Schema; the answer's text and
 * tool-use blocks, a stop reason and the token usage). Bedrock Converse in
 * AWS; an OpenAI-compatible chat-completions server (e.g. Ollama) locally.
 */

/** A tool the model may call: its name, what it is for, and its input as JSON Schema. */
export interface ModelToolSpec {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: Record<string, unknown>;
}

export interface TextBlock {
  readonly type: 'text';
  readonly text: string;
}

/** The model asks for a tool call; `id` pairs it with its result. */
export interface ToolUseBlock {
  readonly type: 'tool_use';
  readonly id: string;
  readonly name: string;
  readonly input: unknown;
}

/** A tool call's result, sent back to the model (errors too: `isError`). */
export interface ToolResultBlock {
  readonly type: 'tool_result';
  readonly toolUseId: string;
  readonly content: string;
  readonly isError: boolean;
}

export type ContentBlock = TextBlock | ToolUseBlock | ToolResultBlock;

export interface ModelMessage {
  readonly role: 'user' | 'assistant';
  readonly content: readonly ContentBlock[];
}

export interface ModelRequest {
  readonly modelId: string;
  readonly system: string;
  readonly messages: readonly ModelMessage[];
  readonly tools: readonly ModelToolSpec[];
  /** Output tokens at most for this turn. */
  readonly maxTokens: number;
}

/** Why the model stopped: it finished, it wants tools called, or it ran out of output tokens. */
export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'other';

export interface ModelUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export interface ModelResponse {
  /** Text and tool-use blocks, in the model's order. */
  readonly content: readonly (TextBlock | ToolUseBlock)[];
  readonly stopReason: StopReason;
  readonly usage: ModelUsage;
}

export interface Model {
  /** Names the adapter in logs and the README (`bedrock`, `openai-compatible`, `scripted`). */
  readonly provider: string;
  /**
   * One turn. Retries throttling itself with backoff; rejects with a
   * DependencyError (functions/core/errors.ts) naming the model when it
   * cannot answer (throttled after retries, access denied, model unknown).
   */
  converse(request: ModelRequest): Promise<ModelResponse>;
}
