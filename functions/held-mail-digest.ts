// functions/held-mail-digest.ts: once a day, emails the ISMS manager the list of inbound mail held at
// the front door (unauthenticated, ambiguous or unauthorised senders), so nothing held goes unseen.
// Nothing is sent when nothing is held; a second run on the same day sends nothing again.
import { z } from 'zod';
import { lambdaHandler } from '#shared/adapters/handler.ts';
import { SesMailer } from '#shared/adapters/ses-mailer.ts';
import { loadProgramme } from '#shared/cycle/start.ts';
import { sendHeldMailDigest } from '#shared/ingest/held.ts';
import { ProgrammeId } from '#shared/model/common.ts';

export const HeldMailDigestEvent = z.looseObject({ programmeId: ProgrammeId });

let mailer: SesMailer | undefined;

export const handler = lambdaHandler(HeldMailDigestEvent, async (deps, event) => {
  const programme = await loadProgramme(deps.repo, event.programmeId);
  mailer ??= SesMailer.fromEnv(process.env);
  return sendHeldMailDigest({ repo: deps.repo, clock: deps.clock, mailer }, programme);
});
