/** Lambda entry point of the `inbound-alert` bus consumer (see functions/contracts/rules.ts). */
import { consumerHandler } from '../consumer.js';

export const handler = consumerHandler('inbound-alert');
