/** Lambda entry point of the `strategic_planning` state machine's steps (statemachines/strategic_planning.asl.json). */
import { stepHandler } from '../step.js';

export const handler = stepHandler('strategic_planning');
