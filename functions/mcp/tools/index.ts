import { isRoleId, type EndpointId } from '../../contracts/roles.js';
import type { ToolDefinition } from '../tool.js';
import { boardQueueTool } from './board-queue.js';
import { broadcastTool } from './broadcast.js';
import { getDecisionTool } from './get-decision.js';
import { listDecisionsTool } from './list-decisions.js';
import { proposeDecisionTool } from './propose-decision.js';
import { ruleOnDecisionTool } from './rule-on-decision.js';
import { voteTool } from './vote.js';
import { heartbeatTool } from './heartbeat.js';
import { listAgentsTool } from './list-agents.js';
import { markReadTool } from './mark-read.js';
import { readInboxTool } from './read-inbox.js';
import { replyTool } from './reply.js';
import { allRoleTools, roleTools } from './roles/index.js';
import { sendMessageTool } from './send-message.js';
import { completeTaskTool } from './complete-task.js';
import { listWorkflowRunsTool } from './list-workflow-runs.js';
import { myTasksTool } from './my-tasks.js';
import { startWorkflowTool } from './start-workflow.js';
import { workflowStatusTool } from './workflow-status.js';
import { forgetMemoryTool } from './forget-memory.js';
import { getMemoryTool } from './get-memory.js';
import { listMemoriesTool } from './list-memories.js';
import { searchMemoriesTool } from './search-memories.js';
import { setAutopilotTool } from './set-autopilot.js';
import { storeMemoryTool } from './store-memory.js';
import { getRateLimitsTool } from './get-rate-limits.js';
import { setRateLimitsTool } from './set-rate-limits.js';
import { auditLogTool } from './audit-log.js';
import { memoryHistoryTool } from './memory-history.js';
import { restoreMemoryTool } from './restore-memory.js';
import { setAuthorityTool } from './set-authority.js';
import { setReportsToTool } from './set-reports-to.js';

/**
 * The tool registry's shared part: the tools offered to several endpoints
 * (each lists those whose `availableTo` names it). The roles' own tools are
 * in roles/ and load per endpoint (roles/index.ts).
 */
export const SHARED_TOOLS: readonly ToolDefinition[] = [
  listAgentsTool,
  heartbeatTool,
  sendMessageTool,
  readInboxTool,
  markReadTool,
  replyTool,
  broadcastTool,
  proposeDecisionTool,
  voteTool,
  getDecisionTool,
  listDecisionsTool,
  ruleOnDecisionTool,
  boardQueueTool,
  myTasksTool,
  completeTaskTool,
  startWorkflowTool,
  workflowStatusTool,
  listWorkflowRunsTool,
  storeMemoryTool,
  searchMemoriesTool,
  getMemoryTool,
  forgetMemoryTool,
  listMemoriesTool,
  getRateLimitsTool,
  setRateLimitsTool,
  memoryHistoryTool,
  restoreMemoryTool,
  auditLogTool,
  setAuthorityTool,
  setReportsToTool,
  setAutopilotTool,
] as readonly ToolDefinition[];

/** The tools an endpoint lists: the shared ones it may use, then its role's own. */
export async function toolsFor(endpoint: EndpointId): Promise<ToolDefinition[]> {
  const own = isRoleId(endpoint) ? await roleTools(endpoint) : [];
  return [...SHARED_TOOLS, ...own].filter((tool) => tool.availableTo.includes(endpoint));
}

/** Every tool Conclave serves, shared ones first (the tool reference, tests). */
export async function allTools(): Promise<ToolDefinition[]> {
  return [...SHARED_TOOLS, ...(await allRoleTools())];
}
