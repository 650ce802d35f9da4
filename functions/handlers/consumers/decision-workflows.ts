/** Lambda entry point of the `decision-workflows` bus consumer (see functions/contracts/rules.ts). */
import { consumerHandler } from '../consumer.js';

export const handler = consumerHandler('decision-workflows');
