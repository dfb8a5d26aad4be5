/**
 * The web app's dependencies (web/app.ts `createWebApp`), as parts: the same repository, clock and
 * workflow as the cycle's use cases (so a form does what its CLI command does), the notifier of the
 * messages the web sends (web-notifier.ts), the mailer for sign-in links and the outbox for the
 * confirmation of an answer. The session keys are derived from the reply keyring
 * (shared/web/session.ts, deriveSessionKeys), read once per execution environment on AWS, from
 * REPLY_KEY locally. The programme and the base URL are settings: on AWS parts of their own
 * (`webSettingParts`, read from the environment); locally the caller adds them (the port it listens on).
 *
 * Held mail is released through a `heldMailReleaser`, which `webParts` leaves to the caller: the
 * Lambda function's asks the ingest function (`webFunctionParts`), the local runtime's runs the
 * pipeline in process (infra/local/web.ts), so this module and the web bundle hold no mail pipeline.
 */
import { webBaseUrlFromEnv, webProgrammeIdFromEnv } from '../adapters/web-settings.ts';
import { deriveSessionKeys } from '../web/session.ts';
import { clock } from './clock.ts';
import { evidenceSource } from './evidence-source.ts';
import { lambdaReleaser } from './held-mail-releaser.ts';
import { mailer } from './mailer.ts';
import { outbox } from './outbox.ts';
import { replyKey } from './reply-key.ts';
import { repository } from './repository.ts';
import { webNotifier } from './web-notifier.ts';
import { starter, workflow } from './workflow.ts';
import { environment, part, wire } from './wiring.ts';

/** The session keys: derived from the reply keyring, one per generation (no secret of their own). */
export const webSessionKeys = part('sessionKeys', async (wiring) =>
  deriveSessionKeys(await wiring.get(replyKey)),
);

/** Every part of the web app but the held-mail releaser and the settings. */
export const webParts = {
  repo: repository,
  clock,
  workflow,
  notifier: webNotifier,
  mailer,
  outbox,
  // The ISMS manager's actions (web/routes/manage.ts): starting a cycle as `cycle start` does
  // (STATE_MACHINE_ARN read when it runs).
  starter,
  env: environment,
  sessionKeys: webSessionKeys,
  // The review's record (web/routes/review.ts): downloads, the evidence bundle and its verification.
  evidenceSource,
} as const;

/** PROGRAMME_ID. */
export const webProgrammeId = part('programmeId', (wiring) => webProgrammeIdFromEnv(wiring.env));
/** WEB_BASE_URL. */
export const webBaseUrl = part('baseUrl', (wiring) => webBaseUrlFromEnv(wiring.env));

/** The settings the Lambda entry point adds to `webParts`. */
export const webSettingParts = {
  programmeId: webProgrammeId,
  baseUrl: webBaseUrl,
} as const;

/**
 * Everything `createWebApp` needs but the client address, as the Lambda function builds it: held
 * mail is released by the ingest function (INGEST_FUNCTION_NAME).
 */
export const webFunctionParts = {
  ...webParts,
  heldMailReleaser: lambdaReleaser,
  ...webSettingParts,
} as const;
export const webFunctionDeps = wire(webFunctionParts);
