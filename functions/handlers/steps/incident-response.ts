/** Lambda entry point of the `incident_response` state machine's steps (statemachines/incident_response.asl.json). */
import { stepHandler } from '../step.js';

export const handler = stepHandler('incident_response');
