/** Lambda entry point of the `collaborative_decision` state machine's steps (statemachines/collaborative_decision.asl.json). */
import { stepHandler } from '../step.js';

export const handler = stepHandler('collaborative_decision');
