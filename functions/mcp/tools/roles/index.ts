import type { ToolDefinition } from '../../tool.js';
import { CEO_TOOLS } from './ceo.js';
import { CHRO_TOOLS } from './chro.js';
import { CTO_TOOLS } from './cto.js';
import { OPERATIONS_HEAD_TOOLS } from './operations_head.js';
import { PRODUCT_MANAGER_TOOLS } from './product_manager.js';
import { SENIOR_ARCHITECT_TOOLS } from './senior_architect.js';
import { SENIOR_DEVELOPER_TOOLS } from './senior_developer.js';
import { TEST_LEAD_TOOLS } from './test_lead.js';
import { UIUX_ENGINEER_TOOLS } from './uiux_engineer.js';

/** Every role's own tools. Each tool's `availableTo` names its role. */
export const ROLE_TOOLS: readonly ToolDefinition[] = [
  ...CEO_TOOLS,
  ...CTO_TOOLS,
  ...CHRO_TOOLS,
  ...OPERATIONS_HEAD_TOOLS,
  ...PRODUCT_MANAGER_TOOLS,
  ...SENIOR_ARCHITECT_TOOLS,
  ...UIUX_ENGINEER_TOOLS,
  ...SENIOR_DEVELOPER_TOOLS,
  ...TEST_LEAD_TOOLS,
];
