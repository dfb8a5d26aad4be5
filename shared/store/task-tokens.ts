/** Parked Step Functions task tokens: a waiting workflow, resumed once (never log a token). */
import type { ParkedTask } from '../model/records.ts';

export interface TaskTokenStore {
  /**
   * Parks a task token for a cycle and purpose; a newer wait replaces an older one. Parking the
   * same token again changes nothing (a completed task stays completed).
   */
  parkTaskToken(task: {
    cycleId: string;
    purpose: string;
    taskToken: string;
    parkedAt: string;
  }): Promise<void>;
  getParkedTask(cycleId: string, purpose: string): Promise<ParkedTask | undefined>;
  /**
   * Marks the parked task completed and returns it (with its token, to send to Step Functions);
   * undefined when nothing is parked or it was completed already, so only one caller resumes the
   * workflow. With `taskToken`, completes only that very token (not a newer wait).
   */
  completeParkedTask(
    cycleId: string,
    purpose: string,
    at: string,
    taskToken?: string,
  ): Promise<ParkedTask | undefined>;
}
