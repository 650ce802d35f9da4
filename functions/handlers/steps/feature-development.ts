/** Lambda entry point of the `feature_development` state machine's steps (statemachines/feature_development.asl.json). */
import { stepHandler } from '../step.js';

export const handler = stepHandler('feature_development');
