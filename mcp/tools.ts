import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import { redactSecrets, redactText } from "../src/adapters/redact.js";
import { allTools, callTool } from "../tools/registry.js";
import type { PersonAnswer, PersonQuestion, ToolCall, ToolDef, ToolServices } from "../tools/tool.js";

/** How long the server waits for the person to answer a question in their client. */
const ASK_TIMEOUT_MS = 15 * 60_000;

/** The tools this server offers: all of them, or only the read-only ones. */
export function servedTools(readOnly: boolean): readonly ToolDef[] {
  return readOnly ? allTools.filter((tool) => tool.annotations.readOnlyHint) : allTools;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/**
 * Registers each tool with its own zod input and output schemas and annotations. A call runs the
 * registry's `callTool` (the same path as the agent's), and answers with the structured result and
 * a readable text. A failure is a tool error the model can read and act on, redacted.
 */
export function registerTools(server: McpServer, tools: readonly ToolDef[], services: ToolServices): void {
  for (const tool of tools) {
    const annotations = tool.annotationsFor?.(services) ?? tool.annotations;
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        outputSchema: tool.output,
        annotations: { title: tool.title, ...annotations },
      },
      async (args: unknown, extra: Extra) => {
        const call = callOf(server, extra);
        // A server lives long, and the system changes under it (its own runs, other people's
        // changes): every call reads the system afresh; within one call (a planner's many tool
        // calls) it is read once.
        services.system.refresh();
        try {
          const output = await callTool(tool, args, { ...services, call });
          // A password in a driver's error, a step's notes or a report never reaches the model.
          return {
            content: [
              {
                type: "text" as const,
                text: redactText(tool.text?.(output) ?? JSON.stringify(output, null, 2)),
              },
            ],
            structuredContent: redactSecrets(output) as Record<string, unknown>,
          };
        } catch (error) {
          return {
            isError: true,
            content: [
              { type: "text" as const, text: redactText((error as Error)?.message ?? String(error)) },
            ],
          };
        }
      },
    );
  }
}

/** This call's channels: progress (when the client sent a token) and the person (when it can ask). */
function callOf(server: McpServer, extra: Extra): ToolCall {
  const token = extra._meta?.progressToken;
  const client = server.server.getClientVersion();
  const canAsk = Boolean(server.server.getClientCapabilities()?.elicitation?.form);
  return {
    client: client ? (client.title ?? client.name) : undefined,
    progress:
      token === undefined
        ? undefined
        : (progress, message) => {
            extra
              .sendNotification({
                method: "notifications/progress",
                params: { progressToken: token, progress, message },
              })
              .catch(() => undefined);
          },
    askPerson: canAsk ? (question) => ask(server, extra, question) : undefined,
  };
}

/**
 * Asks the person through the client's form (elicitation): the model neither sees nor answers it.
 * Accepting the form with "approve" unticked is a no; a client that fails or times out is no answer.
 */
async function ask(server: McpServer, extra: Extra, question: PersonQuestion): Promise<PersonAnswer> {
  const yes = question.kind === "approval" ? "Approve this step" : "Go ahead with this rollback step";
  try {
    const result = await server.server.elicitInput(
      {
        mode: "form",
        message: question.message,
        requestedSchema: {
          type: "object",
          properties: {
            approve: { type: "boolean", title: yes, default: false },
            name: { type: "string", title: "Your name", description: "Recorded with your answer" },
          },
          required: ["approve"],
        },
      },
      { relatedRequestId: extra.requestId, timeout: ASK_TIMEOUT_MS },
    );
    if (result.action !== "accept") return { action: result.action };
    const content = result.content ?? {};
    if (content.approve !== true) return { action: "decline" };
    return { action: "accept", by: typeof content.name === "string" ? content.name : undefined };
  } catch {
    return { action: "cancel" };
  }
}
