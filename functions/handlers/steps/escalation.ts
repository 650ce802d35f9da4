/** Lambda entry point of the `escalation` state machine's steps (statemachines/escalation.asl.json). */
import { stepHandler } from '../step.js';

export const handler = stepHandler('escalation');
