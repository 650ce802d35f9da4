import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { BedrockModel } from '../adapters/aws/bedrock-model.js';
import { OpenAiCompatibleModel } from '../adapters/local/openai-model.js';
import type { Model } from '../ports/model.js';
import type { LocalAutopilotConfig } from './config.js';

/** The local server's autopilot model from its configuration, or undefined when autopilot is off. */
export function localAutopilotModel(config: LocalAutopilotConfig): Model | undefined {
  switch (config.provider) {
    case 'off':
      return undefined;
    case 'openai':
      return new OpenAiCompatibleModel({ baseUrl: config.openAiUrl as string, ...(config.openAiKey ? { apiKey: config.openAiKey } : {}) });
    case 'bedrock':
      // maxAttempts 1: the adapter owns retries (backoff with jitter on throttling).
      return new BedrockModel(new BedrockRuntimeClient({ maxAttempts: 1, ...(config.region ? { region: config.region } : {}) }));
  }
}
