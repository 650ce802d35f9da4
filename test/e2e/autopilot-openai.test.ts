import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiCompatibleModel } from '../../functions/adapters/local/openai-model.js';
import { startLocal, type LocalConclave } from '../../functions/runtime/local.js';
import { eventually, memoryLog, RoleClients } from '../helpers/conclave.js';

/**
 * `npm start` with a local model server: an OpenAI-compatible fake on
 * loopback plays a model that answers a request with `reply` (found in the
 * opening message), so a whole activation runs through the chat-completions
 * adapter over real HTTP.
 */
let model: Server;
let conclave: LocalConclave;
let people: RoleClients;
const seen: { model: string; tools: string[]; roles: string[] }[] = [];

beforeAll(async () => {
  model = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        model: string;
        messages: { role: string; content: string | null }[];
        tools: { function: { name: string } }[];
      };
      seen.push({ model: body.model, tools: body.tools.map((t) => t.function.name), roles: body.messages.map((m) => m.role) });
      const messageId = /message_id "([^"]+)"/.exec(body.messages[1]?.content ?? '')?.[1] ?? '';
      const answered = body.messages.some((m) => m.role === 'tool');
      const message = answered
        ? { role: 'assistant', content: 'Done.' }
        : { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'reply', arguments: JSON.stringify({ message_id: messageId, content: 'Two weeks.' }) } }] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ choices: [{ message, finish_reason: answered ? 'stop' : 'tool_calls' }], usage: { prompt_tokens: 1500, completion_tokens: 20 } }),
      );
    });
  });
  await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(model.address() as AddressInfo).port}/v1`;
  conclave = await startLocal({ port: 0, allowedOrigins: [], staleAfterMs: 300_000, log: memoryLog(), autopilotModel: new OpenAiCompatibleModel({ baseUrl }) });
  people = await RoleClients.of(conclave, 'ap-openai');
});

afterAll(async () => {
  await people?.close();
  await conclave?.bus.drain();
  await conclave?.close();
  await new Promise<void>((resolve) => model.close(() => resolve()));
});

describe('autopilot through an OpenAI-compatible model server (e.g. Ollama)', () => {
  it('answers a request message as the role, with exactly its tools and the configured model name', async () => {
    await people.ok('board', 'set_autopilot', { role: 'senior_developer', enabled: true, model_id: 'llama3.1:8b', triggers: ['request_message'] });
    await people.ok('board', 'send_message', { to: 'senior_developer', subject: 'Estimate', content: 'How long for saved searches?', type: 'request' });
    await eventually(async () => {
      const page = await people.ok<{ threads: { messages: { from: string; content: string }[] }[] }>('board', 'read_inbox', { limit: 20 });
      expect(page.threads.flatMap((t) => t.messages).find((m) => m.from === 'senior_developer')?.content).toBe('Two weeks.');
    }, 15_000);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.model).toBe('llama3.1:8b');
    expect(seen[0]?.roles).toEqual(['system', 'user']);
    expect(seen[0]?.tools).toContain('create_implementation_plan');
    expect(seen[0]?.tools).not.toContain('approve_deployment');
    expect(seen[0]?.tools).not.toContain('set_autopilot');
  });
});
