import * as z from 'zod';
import { boundedJson } from '../../bounded.js';

/** A JSON object argument, at most 50,000 characters serialized (it is stored with the record). */
export const jsonObject = boundedJson(50_000);

export const component = z.object({
  name: z.string(),
  type: z.string(),
  responsibility: z.string(),
  replicas: z.number().int(),
  rule: z.string(),
});
