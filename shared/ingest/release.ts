/**
 * Releasing held mail, as a port (`HeldMailReleaser`) and as what crosses a function boundary: the
 * release request the ingest-email function takes beside the SES receipt event, and its answer, in
 * which the known refusals come back as data rather than as a failed invocation.
 *
 * The web app releases through the port: in one process (the local runtime, the CLI, tests) it calls
 * releaseHeldMail (held.ts) itself; on AWS it asks the ingest function, which carries the mail
 * pipeline (shared/adapters/lambda-held-mail-releaser.ts), so the web function's bundle does not.
 * Either way the same named errors reach the page: HeldMailNotFound, HeldMailAlreadyReleased,
 * ReleaseNotRecorded, InvalidRelease.
 *
 * This module imports no pipeline code (only its types): what the web imports from here stays small.
 */
import * as z from 'zod';
import { PersonId } from '../model/common.ts';
import { HeldMail, HeldMailAlreadyReleased, HeldMailId, HeldMailNotFound } from '../store/held-mail.ts';
import type { IngestResult } from './pipeline.ts';

export { HeldMailAlreadyReleased, HeldMailNotFound };

/** What was asked of a release is not usable (the id or who releases it). */
export class InvalidRelease extends Error {
  override name = 'InvalidRelease' as const;
}

/** The held message could not be recorded even with the sender vouched for. */
export class ReleaseNotRecorded extends Error {
  override name = 'ReleaseNotRecorded' as const;
}

/** A release request that does not read (the ingest function refuses it before doing anything). */
export class InvalidReleaseRequest extends Error {
  override name = 'InvalidReleaseRequest' as const;
  constructor(issues: string) {
    super(`not a held-mail release request: ${issues}`);
  }
}

export interface ReleaseResult {
  /** The held record, now released. */
  readonly held: HeldMail;
  /** What the pipeline did with the message. */
  readonly result: IngestResult;
}

/** Releases one held message, `by` (a person id of the programme) vouching for its sender. */
export interface HeldMailReleaser {
  release(id: string, by: string): Promise<ReleaseResult>;
}

/** The kind that tells a release request from an SES receipt event. */
export const RELEASE_KIND = 'release-held-mail';

/** What the web app asks the ingest function: release `heldId`, vouched for by `by`. */
export const ReleaseHeldMailRequest = z.strictObject({
  kind: z.literal(RELEASE_KIND),
  heldId: HeldMailId,
  by: PersonId,
});
export type ReleaseHeldMailRequest = z.output<typeof ReleaseHeldMailRequest>;

/** The ingest outcome (pipeline.ts IngestResult) as it comes back from the ingest function. */
export const IngestResultData = z.strictObject({
  outcome: z.enum(['accepted', 'rejected', 'held', 'ignored', 'dropped']),
  reason: z.string(),
  cycleId: z.string().optional(),
  messageId: z.string().optional(),
  purpose: z.string().optional(),
  recorded: z.record(z.string(), z.unknown()).optional(),
  answer: z.enum(['sent', 'already-sent', 'capped', 'none']),
  resumed: z.boolean().optional(),
  heldId: z.string().optional(),
}) satisfies z.ZodType<IngestResult>;

/** The refusals a release answers with as data: the page shows their message. */
export const RELEASE_REFUSALS = {
  HeldMailNotFound,
  HeldMailAlreadyReleased,
  ReleaseNotRecorded,
  InvalidRelease,
} as const;
export type ReleaseRefusalName = keyof typeof RELEASE_REFUSALS;
const REFUSAL_NAMES = Object.keys(RELEASE_REFUSALS) as [ReleaseRefusalName, ...ReleaseRefusalName[]];

/** What the ingest function answers a release request with. */
export const ReleaseAnswer = z.discriminatedUnion('released', [
  z.strictObject({
    released: z.literal(true),
    held: HeldMail,
    result: IngestResultData,
  }),
  z.strictObject({
    released: z.literal(false),
    refusal: z.strictObject({ name: z.enum(REFUSAL_NAMES), message: z.string().max(2000) }),
  }),
]);
export type ReleaseAnswer = z.output<typeof ReleaseAnswer>;

/** The refusal's named error, with its message. */
export function refusalError(refusal: { name: ReleaseRefusalName; message: string }): Error {
  return new RELEASE_REFUSALS[refusal.name](refusal.message);
}

/**
 * The answer of one release: released, or one of the known refusals as data. Any other failure (the
 * table not answering, a bug) is thrown: it is the invocation that failed, not the release.
 */
export async function answerRelease(release: () => Promise<ReleaseResult>): Promise<ReleaseAnswer> {
  try {
    const { held, result } = await release();
    return { released: true, held, result };
  } catch (error) {
    for (const name of REFUSAL_NAMES) {
      if (error instanceof RELEASE_REFUSALS[name]) {
        return { released: false, refusal: { name, message: error.message.slice(0, 2000) } };
      }
    }
    throw error;
  }
}
