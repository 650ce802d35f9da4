import * as z from 'zod';
import { assessTeamHealth } from '../../../../core/people/team-health.js';
import { defineTool } from '../../../tool.js';

export const assessTeamHealthTool = defineTool({
  name: 'assess_team_health',
  title: 'Assess a team’s health',
  description:
    "Use to turn a team's people metrics into a health score with ranked risks and recommendations. Penalties: attrition " +
    'min(30, 150 × max(0, attrition_rate − 0.10)); engagement min(25, 0.5 × max(0, 75 − engagement_score)); vacancy ' +
    'min(20, 100 × max(0, open_positions / (headcount + open_positions) − 0.05)); overtime min(25, 2.5 × max(0, ' +
    'overtime_hours_per_week − 5)). health_score = round(100 − sum); healthy ≥ 80, at_risk ≥ 60, else critical. Overtime ' +
    'above 10 h with engagement below 60 is flagged as a burnout risk. Read-only; nothing is stored.',
  input: z.object({
    team: z.string().trim().min(1).max(100).describe('The team or department assessed.'),
    metrics: z.object({
      attrition_rate: z.number().min(0).max(1).describe('Annualized share of people who left, e.g. 0.12.'),
      engagement_score: z.number().min(0).max(100).describe('Engagement survey score, 0–100.'),
      open_positions: z.number().int().min(0).max(100_000),
      headcount: z.number().int().min(1).max(1_000_000).describe('People in the team now.'),
      overtime_hours_per_week: z.number().min(0).max(80).describe('Average overtime per person per week.'),
    }),
  }),
  output: z.object({
    team: z.string(),
    health_score: z.number(),
    status: z.enum(['healthy', 'at_risk', 'critical']),
    vacancy_rate: z.number(),
    risks: z.array(
      z.object({
        factor: z.enum(['attrition', 'engagement', 'vacancy', 'overtime', 'burnout']),
        severity: z.enum(['low', 'medium', 'high']),
        penalty: z.number(),
        detail: z.string(),
      }),
    ),
    recommendations: z.array(z.string()),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ['chro'],
  run: async (input) => ({ team: input.team, ...assessTeamHealth(input.metrics) }),
});
