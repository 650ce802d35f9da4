/** Lambda entry point of the `approval-effects` bus consumer (see functions/contracts/rules.ts). */
import { consumerHandler } from '../consumer.js';

export const handler = consumerHandler('approval-effects');
