import type { EndpointId } from '../../contracts/roles.js';
import type { ToolDefinition } from '../tool.js';
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
import { ROLE_TOOLS } from './roles/index.js';
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
import { storeMemoryTool } from './store-memory.js';

/**
 * The tool registry: every tool Conclave serves. Each endpoint lists the
 * tools whose `availableTo` names it. Capability issues add their tools here.
 */
export const TOOLS: readonly ToolDefinition[] = [
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
  ...ROLE_TOOLS,
] as readonly ToolDefinition[];

/** The tools an endpoint lists, in registry order. */
export function toolsFor(endpoint: EndpointId): ToolDefinition[] {
  return TOOLS.filter((tool) => tool.availableTo.includes(endpoint));
}
