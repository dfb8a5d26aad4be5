/**
 * Step Functions adapter: resumes waiting tasks and starts cycles. The endpoint comes from the SDK's
 * own AWS_ENDPOINT_URL_SFN when set (the local runtime serves the same API), so the code is unchanged
 * between AWS and one machine.
 */
import {
  ExecutionAlreadyExists,
  SFNClient,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { WorkflowTaskEnded, type WorkflowPort } from '../store/workflow.ts';

export class MissingStateMachine extends Error {
  override name = 'MissingStateMachine' as const;
}

export class SfnWorkflow implements WorkflowPort {
  constructor(private readonly client: SFNClient = new SFNClient({})) {}

  async sendTaskSuccess(taskToken: string, output: Record<string, unknown>): Promise<void> {
    try {
      await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
    } catch (error) {
      if (error instanceof TaskTimedOut || error instanceof TaskDoesNotExist) {
        throw new WorkflowTaskEnded(
          `The workflow task is no longer waiting (${error.name}): it timed out and went on by itself, or was resumed before.`,
        );
      }
      throw error;
    }
  }

  /** Starts a cycle; the execution name is the cycle id, so a second start is a no-op. */
  async startCycle(
    stateMachineArn: string | undefined,
    cycleId: string,
    input: Record<string, unknown>,
  ): Promise<{ started: boolean; executionArn?: string }> {
    if (!stateMachineArn) throw new MissingStateMachine('STATE_MACHINE_ARN is not set');
    try {
      const out = await this.client.send(
        new StartExecutionCommand({ stateMachineArn, name: cycleId, input: JSON.stringify(input) }),
      );
      return { started: true, ...(out.executionArn ? { executionArn: out.executionArn } : {}) };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return { started: false };
      throw error;
    }
  }
}
