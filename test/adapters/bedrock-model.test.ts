import { AccessDeniedException, BedrockRuntimeClient, ConverseCommand, ThrottlingException, type ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { BedrockModel } from '../../functions/adapters/aws/bedrock-model.js';
import { DependencyError } from '../../functions/core/errors.js';
import type { ModelRequest } from '../../functions/ports/model.js';

const bedrock = mockClient(BedrockRuntimeClient);
const client = new BedrockRuntimeClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const throttled = () => new ThrottlingException({ message: 'Too many requests, please wait before trying again.', $metadata: { httpStatusCode: 429 } });

const request: ModelRequest = {
  modelId: MODEL,
  system: 'You are the CTO.',
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'Review the design.' }] },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'tu1', name: 'my_tasks', input: { status: 'open' } }] },
    { role: 'user', content: [{ type: 'tool_result', toolUseId: 'tu1', content: 'invalid_input: nope', isError: true }] },
  ],
  tools: [{ name: 'my_tasks', description: 'Lists tasks.', inputSchema: { type: 'object', properties: { status: { type: 'string' } } } }],
  maxTokens: 512,
};

describe('BedrockModel (Converse with tool use at the SDK boundary)', () => {
  const sleeps: number[] = [];
  const model = (maxAttempts = 5) => new BedrockModel(client, { maxAttempts, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 });

  beforeEach(() => {
    bedrock.reset();
    sleeps.length = 0;
  });
  afterAll(() => bedrock.restore());

  it('sends the system prompt, the turns (tool use and error results) and the tool specs in Converse shape', async () => {
    bedrock.on(ConverseCommand).resolves({
      output: { message: { role: 'assistant', content: [{ text: 'Approving.' }, { toolUse: { toolUseId: 'tu2', name: 'complete_task', input: { task_id: 't1', outcome: 'approve' } } }] } },
      stopReason: 'tool_use',
      usage: { inputTokens: 1200, outputTokens: 80, totalTokens: 1280 },
      metrics: { latencyMs: 900 },
    });
    const response = await model().converse(request);
    const sent = bedrock.commandCalls(ConverseCommand)[0]?.args[0].input as ConverseCommandInput;
    expect(sent.modelId).toBe(MODEL);
    expect(sent.system).toEqual([{ text: 'You are the CTO.' }]);
    expect(sent.messages?.[1]?.content?.[0]).toEqual({ toolUse: { toolUseId: 'tu1', name: 'my_tasks', input: { status: 'open' } } });
    expect(sent.messages?.[2]?.content?.[0]).toEqual({ toolResult: { toolUseId: 'tu1', content: [{ text: 'invalid_input: nope' }], status: 'error' } });
    expect(sent.toolConfig?.tools?.[0]).toEqual({ toolSpec: { name: 'my_tasks', description: 'Lists tasks.', inputSchema: { json: request.tools[0]?.inputSchema } } });
    expect(sent.inferenceConfig).toEqual({ maxTokens: 512 });
    expect(response).toEqual({
      content: [
        { type: 'text', text: 'Approving.' },
        { type: 'tool_use', id: 'tu2', name: 'complete_task', input: { task_id: 't1', outcome: 'approve' } },
      ],
      stopReason: 'tool_use',
      usage: { inputTokens: 1200, outputTokens: 80 },
    });
  });

  it('retries throttling with growing backoff, then answers', async () => {
    bedrock
      .on(ConverseCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({ output: { message: { role: 'assistant', content: [{ text: 'ok' }] } }, stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } });
    const response = await model().converse(request);
    expect(response.stopReason).toBe('end_turn');
    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(3);
    expect(sleeps).toEqual([250, 500]);
  });

  it('gives up after its attempts with a DependencyError naming the model', async () => {
    bedrock.on(ConverseCommand).rejects(throttled());
    await expect(model(3).converse(request)).rejects.toThrow(DependencyError);
    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(3);
  });

  it('does not retry access denied and says how to enable the model', async () => {
    bedrock.on(ConverseCommand).rejects(new AccessDeniedException({ message: 'no access', $metadata: { httpStatusCode: 403 } }));
    await expect(model().converse(request)).rejects.toThrow(/enable model access to anthropic\.claude-3-5-haiku/);
    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(1);
  });
});
