import type { ToolDefinition } from '../../tool.js';
import { createTestPlanTool } from './test_lead/create-test-plan.js';
import { listQualityGatesTool } from './test_lead/list-quality-gates.js';
import { reportDefectTool } from './test_lead/report-defect.js';
import { runQualityGateTool } from './test_lead/run-quality-gate.js';

/** The test_lead endpoint's own tools (SPEC "Role tools"), one file per tool beside this list. */
export const TEST_LEAD_TOOLS: readonly ToolDefinition[] = [createTestPlanTool, runQualityGateTool, reportDefectTool, listQualityGatesTool] as readonly ToolDefinition[];
