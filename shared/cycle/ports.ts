/**
 * What the review-cycle logic needs from the outside world, as small interfaces. The Lambda handlers
 * wire the real adapters (DynamoDB, SES through the outbox, S3, Step Functions); tests may wire the
 * same adapters against the local emulators.
 */
import type { Clock } from '../clock.ts';
import type { Action } from '../model/action.ts';
import type { Cycle } from '../model/cycle.ts';
import type { InputRequest, InputSubmission } from '../model/input.ts';
import type { Programme, Person } from '../programme/load.ts';
import type { ReviewRepository } from '../store/repository.ts';
import type { LadderStep } from '../actions/escalation-policy.ts';
import type { InputStep } from './input-policy.ts';

/** Resumes a waiting workflow task. */
export interface WorkflowPort {
  sendTaskSuccess(taskToken: string, output: Record<string, unknown>): Promise<void>;
}

/** A frozen review package, as stored. */
export interface StoredPackage {
  readonly version: number;
  readonly sha256: string;
  readonly htmlKey: string;
  readonly textKey: string;
  readonly pdfKey?: string;
  /** Submission ids (per input key) the package was built from. */
  readonly inputVersions: Record<string, string | null>;
}

/** Builds and freezes the review package from a cycle's records. */
export interface PackagePort {
  build(args: {
    cycle: Cycle;
    programme: Programme;
    requests: readonly InputRequest[];
    submissions: readonly InputSubmission[];
    openActions: readonly Action[];
    now: Date;
  }): Promise<StoredPackage>;
  /** The stored package to distribute (the HTML body, the text body, attachments). */
  load(stored: StoredPackage): Promise<{ html: string; text: string; pdf?: Buffer }>;
}

/**
 * Every message the workflow sends. Each call is idempotent by its business key (cycle, purpose,
 * recipient, step): calling it again after a crash or a retry sends nothing twice.
 */
export interface NotifierPort {
  inputRequest(args: {
    cycle: Cycle;
    programme: Programme;
    owner: Person;
    requests: readonly InputRequest[];
    previous: ReadonlyMap<string, InputSubmission>;
  }): Promise<void>;
  inputFollowUp(args: {
    cycle: Cycle;
    programme: Programme;
    owner: Person;
    requests: readonly InputRequest[];
    step: InputStep;
  }): Promise<void>;
  packageDistribution(args: {
    cycle: Cycle;
    programme: Programme;
    stored: StoredPackage;
    recipients: readonly Person[];
  }): Promise<void>;
  minutesRequest(args: { cycle: Cycle; programme: Programme; reminder: number }): Promise<void>;
  minutesDistribution(args: {
    cycle: Cycle;
    programme: Programme;
    recipients: readonly Person[];
  }): Promise<void>;
  actionStep(args: {
    cycle: Cycle;
    programme: Programme;
    action: Action;
    step: LadderStep;
    daysOverdue: number;
  }): Promise<void>;
  failure(args: {
    cycle: Cycle;
    programme: Programme;
    error: string;
    cause: string;
    state: string;
  }): Promise<void>;
}

export interface CycleDeps {
  readonly repo: ReviewRepository;
  readonly clock: Clock;
  readonly notifier: NotifierPort;
  readonly packages: PackagePort;
  readonly workflow: WorkflowPort;
}
