// functions/held-mail-digest.ts: at the start of each business day, emails the ISMS manager the list of inbound mail held at
// the front door (unauthenticated, ambiguous or unauthorised senders), so nothing held goes unseen.
// Nothing is sent when nothing is held; a second run on the same day sends nothing again.
import * as z from 'zod';
import { loadProgramme } from '#shared/cycle/start.ts';
import { sendHeldMailDigest } from '#shared/ingest/held.ts';
import { ProgrammeId } from '#shared/model/common.ts';
import { clock } from '#shared/wiring/clock.ts';
import { lambdaHandler } from '#shared/wiring/handler.ts';
import { mailer } from '#shared/wiring/mailer.ts';
import { repository } from '#shared/wiring/repository.ts';

export const HeldMailDigestEvent = z.looseObject({ programmeId: ProgrammeId });

export const handler = lambdaHandler({
  event: HeldMailDigestEvent,
  deps: { repo: repository, clock, mailer },
  run: async (deps, event) => sendHeldMailDigest(deps, await loadProgramme(deps.repo, event.programmeId)),
});
