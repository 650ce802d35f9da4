import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenAiCompatibleModel } from '../../functions/adapters/local/openai-model.js';
import { DependencyError } from '../../functions/core/errors.js';
import type { ModelRequest } from '../../functions/ports/model.js';

/** A fake OpenAI-compatible chat-completions server on loopback: answers from a queue, records the requests. */
let server: Server;
let baseUrl = '';
const received: { path: string; auth: string | undefined; body: Record<string, unknown> }[] = [];
const answers: { status: number; body: unknown }[] = [];

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void body(req).then((parsed) => {
      received.push({ path: req.url ?? '', auth: req.headers.authorization, body: parsed });
      const answer = answers.shift() ?? { status: 500, body: { error: 'no answer queued' } };
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received.length = 0;
  answers.length = 0;
});

const request: ModelRequest = {
  modelId: 'llama3.1:8b',
  system: 'You are the CTO.',
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'Review the design.' }] },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'c1', name: 'my_tasks', input: { status: 'open' } }] },
    { role: 'user', content: [{ type: 'tool_result', toolUseId: 'c1', content: '{"tasks":[]}', isError: false }] },
  ],
  tools: [{ name: 'my_tasks', description: 'Lists tasks.', inputSchema: { type: 'object', properties: {} } }],
  maxTokens: 256,
};

describe('OpenAiCompatibleModel (chat completions over fetch, against a fake server on loopback)', () => {
  it('sends the chat in OpenAI shape and reads tool calls, stop reason and usage back', async () => {
    answers.push({
      status: 200,
      body: {
        choices: [{ message: { role: 'assistant', content: null, tool_calls: [{ id: 'c2', type: 'function', function: { name: 'complete_task', arguments: '{"task_id":"t1","outcome":"approve"}' } }] }, finish_reason: 'tool_calls' }],
        usage: { prompt_tokens: 900, completion_tokens: 40 },
      },
    });
    const model = new OpenAiCompatibleModel({ baseUrl, apiKey: 'local-secret' });
    const response = await model.converse(request);
    expect(received[0]?.path).toBe('/v1/chat/completions');
    expect(received[0]?.auth).toBe('Bearer local-secret');
    expect(received[0]?.body).toMatchObject({
      model: 'llama3.1:8b',
      max_tokens: 256,
      messages: [
        { role: 'system', content: 'You are the CTO.' },
        { role: 'user', content: 'Review the design.' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'my_tasks', arguments: '{"status":"open"}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: '{"tasks":[]}' },
      ],
      tools: [{ type: 'function', function: { name: 'my_tasks', description: 'Lists tasks.', parameters: { type: 'object', properties: {} } } }],
    });
    expect(response).toEqual({
      content: [{ type: 'tool_use', id: 'c2', name: 'complete_task', input: { task_id: 't1', outcome: 'approve' } }],
      stopReason: 'tool_use',
      usage: { inputTokens: 900, outputTokens: 40 },
    });
  });

  it('retries 429 with backoff and fails with a DependencyError after its attempts', async () => {
    const sleeps: number[] = [];
    answers.push({ status: 429, body: { error: 'busy' } }, { status: 200, body: { choices: [{ message: { content: 'fine' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1 } } });
    const model = new OpenAiCompatibleModel({ baseUrl, maxAttempts: 2, baseDelayMs: 10, sleep: async (ms) => void sleeps.push(ms) });
    expect(await model.converse(request)).toMatchObject({ content: [{ type: 'text', text: 'fine' }], stopReason: 'end_turn' });
    expect(sleeps).toEqual([10]);
    answers.push({ status: 503, body: {} }, { status: 503, body: {} });
    await expect(model.converse(request)).rejects.toThrow(DependencyError);
  });

  it('does not retry a 400 and hands unparsable tool arguments on for the tool to refuse', async () => {
    answers.push({ status: 400, body: { error: 'bad model' } });
    const model = new OpenAiCompatibleModel({ baseUrl, sleep: async () => undefined });
    await expect(model.converse(request)).rejects.toThrow(/HTTP 400/);
    expect(received).toHaveLength(1);
    answers.push({ status: 200, body: { choices: [{ message: { tool_calls: [{ id: 'x', function: { name: 'vote', arguments: '{not json' } }] }, finish_reason: 'tool_calls' }] } });
    const response = await model.converse(request);
    expect(response.content[0]).toMatchObject({ type: 'tool_use', name: 'vote', input: { unparsable_arguments: '{not json' } });
  });
});
