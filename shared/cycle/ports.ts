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
import type { WorkflowPort } from '../store/workflow.ts';
import type { LadderStep } from '../actions/escalation-policy.ts';
import type { ActionNotifierPort } from '../actions/ports.ts';
import type { InputStep } from './input-policy.ts';
import type { AnchorStore } from '../evidence/anchor.ts';
import type { PackageModel } from '../package/model.ts';
import type { MinutesRecord } from '../model/minutes-record.ts';
import type { MinutesRenderContext } from '../minutes/render.ts';

/** A frozen review package, as stored. */
export interface StoredPackage {
  readonly version: number;
  /** The content hash (SHA-256 of the package model), printed in every form's footer. */
  readonly sha256: string;
  /** The stand-alone HTML (charts embedded). */
  readonly htmlKey: string;
  readonly textKey: string;
  readonly pdfKey?: string;
  /** The email body (charts as cid: images) and the manifest with every file's SHA-256. */
  readonly emailHtmlKey?: string;
  readonly manifestKey?: string;
  /** SHA-256 of manifest.json as stored: the `package.built` event commits the manifest with it. */
  readonly manifestSha256?: string;
  /** The chart images the email body shows inline. */
  readonly charts?: readonly { readonly id: string; readonly key: string; readonly cid: string }[];
  /** Submission ids (per input key) the package was built from. */
  readonly inputVersions: Record<string, string | null>;
}

/** A stored package's forms, ready to send. */
export interface LoadedPackage {
  readonly html: string;
  readonly text: string;
  readonly pdf?: Buffer;
  readonly images?: readonly { readonly cid: string; readonly filename: string; readonly content: Buffer }[];
}

/** Accepted minutes as rendered and kept in the evidence bucket, with the hashes of the files. */
export interface ArchivedMinutes {
  readonly version: number;
  readonly htmlKey: string;
  readonly htmlSha256: string;
  readonly pdfKey: string;
  readonly pdfSha256: string;
}

/**
 * The review's documents as frozen in the evidence bucket, loaded back to send: reading them needs
 * no renderer.
 */
export interface PackageFiles {
  /** The stored package to distribute (the HTML body, the text body, attachments). */
  load(stored: StoredPackage): Promise<LoadedPackage>;
  /** The PDF of archived minutes, to attach to the distribution email. */
  loadMinutesPdf(archived: ArchivedMinutes): Promise<Buffer>;
}

/** The frozen files, and the minutes renderer: accepted minutes are archived on first use. */
export interface MinutesArchivePort extends PackageFiles {
  /** Renders accepted minutes as HTML and PDF and keeps both beside the cycle's package. */
  archiveMinutes(record: MinutesRecord, context: MinutesRenderContext): Promise<ArchivedMinutes>;
}

/**
 * Renders and freezes the review's documents in the evidence bucket: the package before the
 * meeting, the minutes after it; and loads them back to send. Only CompilePackage builds a package
 * (compile-package.ts); the steps that ask for approval or send take the narrower ports above.
 */
export interface PackagePort extends MinutesArchivePort {
  /** Renders the model and freezes it as the cycle's next package version. */
  freeze(model: PackageModel): Promise<StoredPackage>;
}

/**
 * Every message the workflow sends. Each call is idempotent by its business key (cycle, purpose,
 * recipient, step): calling it again after a crash or a retry sends nothing twice.
 */
export interface NotifierPort extends ActionNotifierPort {
  /**
   * Sends every message `work` asks for together, with fewer writes than one by one (each still
   * once); resolves with how each went by its outbox key once all are sent.
   */
  sendTogether(work: () => Promise<void>): Promise<ReadonlyMap<string, 'sent' | 'already-sent'>>;
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
  /** An updated calendar invitation (same UID, higher `sequence`) when the meeting moved. */
  meetingUpdate(args: {
    cycle: Cycle;
    programme: Programme;
    recipients: readonly Person[];
    sequence: number;
    previousAt: string;
  }): Promise<void>;
  minutesRequest(args: { cycle: Cycle; programme: Programme; reminder: number }): Promise<void>;
  /** The package to the ISMS manager, the minutes to the chair: APPROVE, or what must change. */
  approvalRequest(message: ApprovalMessage): Promise<void>;
  minutesDistribution(args: {
    cycle: Cycle;
    programme: Programme;
    recipients: readonly Person[];
    /** The latest minutes as archived (shared/cycle/service.ts recordOutcomes), attached to the email. */
    pdf: Buffer;
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
  /**
   * Not used to write: only the anchoring step (functions/anchor-chain.ts) writes anchors.
   * @deprecated kept until every caller stops passing it; remove with them.
   */
  readonly anchors?: AnchorStore;
}

/*
 * What each use case needs of CycleDeps, named so that a Lambda function is given, and bundles, only
 * that (shared/wiring/): every phase reads and writes the store on the clock; some also send mail,
 * render the review's documents or resume the workflow.
 */
/** Opening and closing a cycle: the store and the clock. */
export type StoreDeps = Pick<CycleDeps, 'repo' | 'clock'>;
/**
 * The phases that send mail (requests, reminders, escalations, the failure notice), with the messages
 * each sends: `MailingDeps<'inputRequest'>` is given a notifier of that family only (default: all).
 */
export type MailingDeps<M extends keyof NotifierPort = keyof NotifierPort> = StoreDeps & {
  readonly notifier: Pick<NotifierPort, M>;
};
/** Parking and resuming the workflow's task token (and an input that may be the last one). */
export type WaitingDeps = Pick<CycleDeps, 'repo' | 'clock' | 'workflow'>;
/** Rendering and freezing the package (or the minutes) in the evidence bucket. */
export type PackagingDeps = Pick<CycleDeps, 'repo' | 'clock' | 'packages'>;
/** Archiving the accepted minutes (rendered once per version) and reading them back. */
export type ArchivingDeps = StoreDeps & { readonly packages: MinutesArchivePort };
/**
 * Sending what was frozen: the package before the meeting, the minutes after it (archived first,
 * when not yet). The package's files are read by the notifier; nothing here builds a package.
 */
export type DistributionDeps<M extends keyof NotifierPort = keyof NotifierPort> = MailingDeps<M> & {
  readonly packages: MinutesArchivePort;
};

/** What is approved by reply before it leaves the review (approvals.ts). */
export const APPROVAL_SUBJECTS = ['package', 'minutes'] as const;
export type ApprovalSubject = (typeof APPROVAL_SUBJECTS)[number];

/** The version that awaits approval, and what it is. */
export interface ApprovalItem {
  readonly subject: ApprovalSubject;
  readonly version: number;
  readonly sha256: string;
}

/** What the mail to the approver says and who else gets it. */
export interface ApprovalMessage {
  readonly cycle: Cycle;
  readonly programme: Programme;
  readonly item: ApprovalItem;
  /** 0 for the request, n for the n-th reminder. */
  readonly reminder: number;
  /** Copy this person: the approval is late (package: past its sending date). */
  readonly copy?: Person;
  /** When the approval is needed by (the package: its sending date), if there is such a date. */
  readonly neededBy?: string;
  /** The changes or objection recorded against an earlier version, for the approver's context. */
  readonly earlierAnswer?: { version: number; what: string };
  /** The rendered document (the package's files come from its stored version). */
  readonly stored?: StoredPackage;
  readonly pdf?: Buffer;
}
