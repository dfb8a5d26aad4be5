/** The port to the workflow engine (Step Functions): what the features and use cases may ask of it. */

/** Resumes a waiting workflow task. */
export interface WorkflowPort {
  sendTaskSuccess(taskToken: string, output: Record<string, unknown>): Promise<void>;
}
