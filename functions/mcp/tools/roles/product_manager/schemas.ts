import * as z from 'zod';

/** Schemas shared by the product_manager tools. */
export const priorityLevel = z.enum(['low', 'medium', 'high', 'critical']);

export const requirement = z.object({
  id: z.string(),
  story: z.string(),
  role: z.string().nullable(),
  goal: z.string(),
  benefit: z.string().nullable(),
  conforms: z.boolean(),
  issue: z.string().nullable(),
});

export const requirements = z.object({
  functional: z.array(requirement),
  actors: z.array(z.string()),
  flagged: z.array(z.object({ id: z.string(), issue: z.string() })),
});
