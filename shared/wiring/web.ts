/**
 * The web app's dependencies (web/app.ts `createWebApp`), as parts: the same repository, clock,
 * workflow and notifier as the cycle's use cases (so a form does what its CLI command does), the
 * mailer for sign-in links and the outbox for the confirmation of an answer. The session keys are
 * derived from the reply keyring (shared/web/session.ts, deriveSessionKeys), read once per execution
 * environment on AWS, from REPLY_KEY locally. The programme and the base URL are settings: on AWS
 * parts of their own (`webSettingParts`, read from the environment); locally the caller adds them
 * (the port it listens on).
 *
 * The notifier is the plain one: what the web app sends through it (the updated invitation of a
 * moved meeting, the messages an action's change calls for, the answer to a released held message)
 * names no anchoring key, so the bundle needs no KMS client.
 */
import { webBaseUrlFromEnv, webProgrammeIdFromEnv } from '../adapters/web-settings.ts';
import { deriveSessionKeys } from '../web/session.ts';
import { evidenceBucket, rawMailBucket } from './buckets.ts';
import { clock } from './clock.ts';
import { evidenceSource } from './evidence-source.ts';
import { ingestSettings } from './ingest.ts';
import { mailer } from './mailer.ts';
import { notifier } from './notifier.ts';
import { outbox } from './outbox.ts';
import { replyKey } from './reply-key.ts';
import { repository } from './repository.ts';
import { starter, workflow } from './workflow.ts';
import { environment, part, wire } from './wiring.ts';

/** The session keys: derived from the reply keyring, one per generation (no secret of their own). */
export const webSessionKeys = part('sessionKeys', async (wiring) =>
  deriveSessionKeys(await wiring.get(replyKey)),
);

export const webParts = {
  repo: repository,
  clock,
  workflow,
  notifier,
  mailer,
  outbox,
  // The ISMS manager's actions (web/routes/manage.ts): starting a cycle as `cycle start` does
  // (STATE_MACHINE_ARN read when it runs), and releasing held mail through the ingest pipeline.
  starter,
  env: environment,
  evidence: evidenceBucket,
  rawMail: rawMailBucket,
  replyKey,
  sessionKeys: webSessionKeys,
  settings: ingestSettings,
  // The review's record (web/routes/review.ts): downloads, the evidence bundle and its verification.
  evidenceSource,
} as const;

export const webDeps = wire(webParts);

/** PROGRAMME_ID. */
export const webProgrammeId = part('programmeId', (wiring) => webProgrammeIdFromEnv(wiring.env));
/** WEB_BASE_URL. */
export const webBaseUrl = part('baseUrl', (wiring) => webBaseUrlFromEnv(wiring.env));

/** The settings the Lambda entry point adds to `webParts`. */
export const webSettingParts = {
  programmeId: webProgrammeId,
  baseUrl: webBaseUrl,
} as const;

/** Everything `createWebApp` needs but the client address, as the Lambda function builds it. */
export const webFunctionParts = { ...webParts, ...webSettingParts } as const;
export const webFunctionDeps = wire(webFunctionParts);
