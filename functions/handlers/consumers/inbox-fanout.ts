/** Lambda entry point of the `inbox-fanout` bus consumer (see functions/contracts/rules.ts). */
import { consumerHandler } from '../consumer.js';

export const handler = consumerHandler('inbox-fanout');
