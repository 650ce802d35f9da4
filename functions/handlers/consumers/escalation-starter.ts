/** Lambda entry point of the `escalation-starter` bus consumer (see functions/contracts/rules.ts). */
import { consumerHandler } from '../consumer.js';

export const handler = consumerHandler('escalation-starter');
