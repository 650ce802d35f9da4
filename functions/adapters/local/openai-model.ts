import { DependencyError } from '../../ports/errors.js';
import type { Model, ModelMessage, ModelRequest, ModelResponse, StopReason, TextBlock, ToolUseBlock } from '../../ports/model.js';

export interface OpenAiModelOptions {
  /** The server's API base, up to and including `/v1` (Ollama: `http://127.0.0.1:11434/v1`). */
  readonly baseUrl: string;
  /** Sent as a bearer token when set (most local servers need none). */
  readonly apiKey?: string;
  /** Attempts per turn on 429/5xx, the first included. @default 4 */
  readonly maxAttempts?: number;
  /** @default 500 */
  readonly baseDelayMs?: number;
  /** Per-request timeout. @default 120000 */
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly fetch?: typeof fetch;
}

interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

interface ChatResponse {
  choices?: { message?: { content?: string | null; tool_calls?: { id?: string; function?: { name?: string; arguments?: string } }[] }; finish_reason?: string }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

function toChat(messages: readonly ModelMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of messages) {
    const text = m.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');
    if (m.role === 'assistant') {
      const calls = m.content.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, type: 'function' as const, function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } }] : []));
      out.push({ role: 'assistant', content: text || null, ...(calls.length ? { tool_calls: calls } : {}) });
      continue;
    }
    for (const b of m.content) if (b.type === 'tool_result') out.push({ role: 'tool', tool_call_id: b.toolUseId, content: b.isError ? `ERROR ${b.content}` : b.content });
    if (text) out.push({ role: 'user', content: text });
  }
  return out;
}

function stopReasonOf(reason: string | undefined): StopReason {
  return reason === 'tool_calls' ? 'tool_use' : reason === 'stop' ? 'end_turn' : reason === 'length' ? 'max_tokens' : 'other';
}

/**
 * The Model port on an OpenAI-compatible chat-completions server over
 * `fetch` (Ollama, llama.cpp's server, vLLM, LM Studio…), so `npm start`
 * runs autopilot without an AWS account. Tool use through `tools` /
 * `tool_calls`; 429 and 5xx answers are retried with backoff.
 */
export class OpenAiCompatibleModel implements Model {
  readonly provider = 'openai-compatible';
  private readonly endpoint: string;

  constructor(private readonly options: OpenAiModelOptions) {
    this.endpoint = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  }

  async converse(request: ModelRequest): Promise<ModelResponse> {
    const body = JSON.stringify({
      model: request.modelId,
      messages: [{ role: 'system', content: request.system }, ...toChat(request.messages)],
      tools: request.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.inputSchema } })),
      max_tokens: request.maxTokens,
    });
    const doFetch = this.options.fetch ?? fetch;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    const maxAttempts = this.options.maxAttempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      let status = 0;
      let failure = '';
      try {
        const response = await doFetch(this.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}) },
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 120_000),
        });
        status = response.status;
        if (response.ok) return this.parse((await response.json()) as ChatResponse, request.modelId);
        failure = `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`;
      } catch (error) {
        if (error instanceof DependencyError) throw error;
        failure = String(error);
      }
      const transient = status === 0 || status === 429 || status >= 500;
      if (!transient || attempt >= maxAttempts) {
        throw new DependencyError(`the model server at ${this.endpoint} failed for ${request.modelId} after ${attempt} attempt(s): ${failure}`);
      }
      await sleep((this.options.baseDelayMs ?? 500) * 2 ** (attempt - 1));
    }
  }

  private parse(out: ChatResponse, modelId: string): ModelResponse {
    const choice = out.choices?.[0];
    if (!choice?.message) throw new DependencyError(`the model server answered ${modelId} without a message`);
    const content: (TextBlock | ToolUseBlock)[] = [];
    if (choice.message.content) content.push({ type: 'text', text: choice.message.content });
    for (const [i, call] of (choice.message.tool_calls ?? []).entries()) {
      let input: unknown = {};
      try {
        input = JSON.parse(call.function?.arguments || '{}');
      } catch {
        // Malformed arguments go to the tool as they are: its validation refuses them and the model is told why.
        input = { unparsable_arguments: String(call.function?.arguments).slice(0, 500) };
      }
      content.push({ type: 'tool_use', id: call.id ?? `call_${i}`, name: call.function?.name ?? '', input });
    }
    return {
      content,
      stopReason: content.some((b) => b.type === 'tool_use') ? 'tool_use' : stopReasonOf(choice.finish_reason),
      usage: { inputTokens: out.usage?.prompt_tokens ?? 0, outputTokens: out.usage?.completion_tokens ?? 0 },
    };
  }
}
