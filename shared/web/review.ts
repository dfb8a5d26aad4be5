/**
 * What the review pages of the web app show, as plain data (no HTML here): the package with its
 * versions, files, approvals and the proposals of its decision sheet; the minutes with their accepted
 * versions and approvals; and for the ISMS manager and the auditor the evidence bundle of the cycle
 * with its verification result and the trace of each input, both taken from the evidence export
 * itself (shared/evidence/export.ts, verify.ts) so the page says what the bundle says.
 */
import * as z from 'zod';
import { approvalOf, itemAwaitingApproval } from '../cycle/approvals.ts';
import type { ApprovalItem, ApprovalSubject } from '../cycle/ports.ts';
import { buildEvidenceBundle, type EvidenceSource } from '../evidence/export.ts';
import type { InputTrace } from '../evidence/export-trace.ts';
import { verifyBundle, type AnchorCheck, type BundleVerification } from '../evidence/verify.ts';
import type { Cycle } from '../model/cycle.ts';
import type { CycleEvent } from '../model/event.ts';
import type { MinutesRecord } from '../model/minutes-record.ts';
import type { ReviewRepository } from '../store/repository.ts';
import {
  frozenMinutes,
  frozenPackages,
  newestPackageModel,
  type EvidenceReader,
  type FrozenMinutes,
  type FrozenPackage,
} from './review-files.ts';

/** One answer (or request) about a version, from the cycle's log. */
export interface ApprovalStep {
  readonly version: number;
  readonly what: 'asked' | 'approved' | 'changes' | 'objected';
  readonly by: string;
  readonly at: string;
  /** What must change, or the approver's comment. */
  readonly text?: string;
}

/** The approval history of `subject`, oldest first. */
export function approvalSteps(events: readonly CycleEvent[], subject: ApprovalSubject): ApprovalStep[] {
  const kinds: Record<string, ApprovalStep['what']> = {
    [`${subject}.approval_requested`]: 'asked',
    [`${subject}.approved`]: 'approved',
    ...(subject === 'package'
      ? { 'package.changes_requested': 'changes' as const }
      : { 'minutes.objected': 'objected' as const }),
  };
  return events.flatMap((event) => {
    const what = kinds[event.type];
    if (!what) return [];
    const text = event.data.what ?? event.data.comment;
    return [
      {
        version: Number(event.data.version),
        what,
        by: what === 'asked' ? String(event.data.to ?? '') : event.actor,
        at: event.at,
        ...(typeof text === 'string' ? { text } : {}),
      },
    ];
  });
}

/** The version awaiting the approver's answer now, or undefined (not asked for, answered, or gone). */
export async function awaitingApproval(
  repo: ReviewRepository,
  cycle: Cycle,
  subject: ApprovalSubject,
  events: readonly CycleEvent[],
): Promise<ApprovalItem | undefined> {
  const phase = subject === 'package' ? 'AWAITING_DISTRIBUTION' : 'AWAITING_MINUTES';
  if (cycle.phase !== phase) return undefined;
  const item = await itemAwaitingApproval({ repo }, cycle, subject, events);
  if (!item || approvalOf(events, subject, item.version)) return undefined;
  return item;
}

/** A proposal of the decision sheet (shared/package/model.ts DecisionItem), as model.json holds it. */
export const Proposal = z.looseObject({
  id: z.string(),
  label: z.string(),
  title: z.string(),
  reason: z.string(),
  inputKey: z.string(),
  inputTitle: z.string(),
  owner: z.string(),
  options: z.array(z.string()),
  recommendation: z.string().optional(),
  cost: z.string().optional(),
  riskIfNotDecided: z.string().optional(),
});
export type Proposal = z.infer<typeof Proposal>;

const ModelDecisions = z.looseObject({ decisions: z.array(Proposal) });

export interface PackagePageData {
  readonly versions: FrozenPackage[];
  readonly steps: ApprovalStep[];
  readonly awaiting?: ApprovalItem;
  /** The proposals of the newest version's decision sheet, or why they cannot be shown. */
  readonly proposals?: { version: number; items: Proposal[] } | { version?: number; problem: string };
}

export async function packagePageData(
  deps: { repo: ReviewRepository; evidence: EvidenceReader },
  cycle: Cycle,
  events: readonly CycleEvent[],
): Promise<PackagePageData> {
  const versions = await frozenPackages(deps.evidence, events);
  const awaiting = await awaitingApproval(deps.repo, cycle, 'package', events);
  let proposals: PackagePageData['proposals'];
  try {
    const newest = await newestPackageModel(deps.evidence, events);
    if (newest) {
      const parsed = ModelDecisions.safeParse(newest.model);
      proposals = parsed.success
        ? { version: newest.version, items: parsed.data.decisions }
        : { version: newest.version, problem: 'the decision sheet of this version cannot be read' };
    }
  } catch (error) {
    if (!(error instanceof Error) || !['FileAltered', 'FileMissing'].includes(error.name)) throw error;
    proposals = { problem: error.message };
  }
  return {
    versions,
    steps: approvalSteps(events, 'package'),
    ...(awaiting ? { awaiting } : {}),
    ...(proposals ? { proposals } : {}),
  };
}

export interface MinutesPageData {
  /** Every accepted version (the latest counts), with its archived files once rendered. */
  readonly versions: { record: MinutesRecord; archived?: FrozenMinutes }[];
  readonly steps: ApprovalStep[];
  readonly awaiting?: ApprovalItem;
}

export async function minutesPageData(
  repo: ReviewRepository,
  cycle: Cycle,
  events: readonly CycleEvent[],
): Promise<MinutesPageData> {
  const records = await repo.listMinutes(cycle.id);
  const archived = new Map(frozenMinutes(events).map((m) => [m.version, m]));
  const awaiting = await awaitingApproval(repo, cycle, 'minutes', events);
  return {
    versions: records.map((record) => {
      const files = archived.get(record.version);
      return { record, ...(files ? { archived: files } : {}) };
    }),
    steps: approvalSteps(events, 'minutes'),
    ...(awaiting ? { awaiting } : {}),
  };
}

/** The evidence bundle of a cycle as the export builds it, and what `evidence verify` says of it. */
export interface AuditedBundle {
  readonly zip: Uint8Array;
  readonly exportedAt: string;
  readonly files: number;
  readonly gaps: readonly { path: string; reason: string }[];
  readonly chainHead: { seq: number; hash: string };
  readonly verification: BundleVerification;
  /** Whether the anchors in the evidence store were compared (else the bundle's copies only). */
  readonly anchorsCompared: boolean;
  readonly traces: readonly InputTrace[];
}

/** Builds the bundle and verifies it against the anchors in the evidence store, as the CLI does. */
export async function auditBundle(source: EvidenceSource, cycleId: string): Promise<AuditedBundle> {
  const bundle = await buildEvidenceBundle(source, cycleId);
  let anchors: AnchorCheck | undefined;
  if (source.anchors) {
    try {
      anchors = {
        kind: 'stored',
        anchors: await source.anchors.list(cycleId),
        location: 'the evidence store',
      };
    } catch (error) {
      anchors = { kind: 'unreachable', reason: `${(error as Error).name}: ${(error as Error).message}` };
    }
  }
  const verification = verifyBundle(bundle.zip, anchors ? { anchors } : {});
  return {
    zip: bundle.zip,
    exportedAt: bundle.manifest.exportedAt,
    files: bundle.manifest.files.length + 1,
    gaps: bundle.manifest.gaps,
    chainHead: bundle.manifest.chainHead,
    verification,
    anchorsCompared: anchors?.kind === 'stored',
    traces: bundle.traces,
  };
}
