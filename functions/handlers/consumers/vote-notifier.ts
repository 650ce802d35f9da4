/** Lambda entry point of the `vote-notifier` bus consumer (see functions/contracts/rules.ts). */
import { consumerHandler } from '../consumer.js';

export const handler = consumerHandler('vote-notifier');
