/**
 * What the parts of the export learn about the bundle as they write it, for the parts written
 * after them: where each message landed, and what the package counted. The trace (export-trace.ts)
 * and the clause index (export-clauses.ts) are built from it, so they name only files the bundle
 * holds.
 */
import * as z from 'zod';
import type { OutboundMailKind } from './mail-kinds.ts';

/** A message sent, by its outbox key. */
export interface SentMessage {
  readonly key: string;
  readonly kind: OutboundMailKind;
  readonly sentAt: string;
  /** The raw message in the bundle; '' when the store did not hold it (a gap). */
  readonly file: string;
}

/** A message received, by its Message-ID. */
export interface ReceivedMessage {
  readonly messageId: string;
  readonly seq: number;
  /** When it arrived (the receipt's time); the event's own time for older events. */
  readonly receivedAt: string;
  /** The raw message in the bundle; '' when the store did not hold it (a gap). */
  readonly file: string;
}

export interface MailIndex {
  readonly sent: ReadonlyMap<string, SentMessage>;
  readonly received: ReadonlyMap<string, ReceivedMessage>;
}

/** The parts of a frozen package's model.json the trace reads (shared/package/model.ts). */
export const PackageModelView = z.looseObject({
  inputs: z.array(
    z.looseObject({
      inputKey: z.string(),
      title: z.string(),
      status: z.string(),
      automatic: z.optional(z.boolean()),
    }),
  ),
});
export type PackageModelView = z.infer<typeof PackageModelView>;

/** The newest package version in the bundle, as the trace reads it. */
export interface PackageIndex {
  readonly version: number;
  /** The folder of its files, e.g. `package/v1`. */
  readonly folder: string;
  /** Its files in the bundle, by name (`package.html`, `model.json`, ...). */
  readonly files: readonly string[];
  /** Its model, when model.json is in the bundle and readable. */
  readonly model?: PackageModelView;
}
