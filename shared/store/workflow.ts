/** The port to the workflow engine (Step Functions): what the features and use cases may ask of it. */

/**
 * The task the token stood for has already ended: it timed out on its tick (the workflow went on to
 * look again by itself), or it was resumed before. Nothing is waiting on the token any more.
 */
export class WorkflowTaskEnded extends Error {
  override name = 'WorkflowTaskEnded' as const;
}

/** Resumes a waiting workflow task. */
export interface WorkflowPort {
  /** Throws WorkflowTaskEnded when the task is no longer waiting. */
  sendTaskSuccess(taskToken: string, output: Record<string, unknown>): Promise<void>;
}
