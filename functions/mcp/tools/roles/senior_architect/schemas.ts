import { z } from 'zod';

/** A JSON object argument, at most 50,000 characters serialized (it is stored with the record). */
export const jsonObject = z
  .record(z.string().min(1).max(100), z.unknown())
  .refine((o) => JSON.stringify(o).length <= 50_000, 'at most 50,000 characters as JSON');

export const component = z.object({
  name: z.string(),
  type: z.string(),
  responsibility: z.string(),
  replicas: z.number().int(),
  rule: z.string(),
});
