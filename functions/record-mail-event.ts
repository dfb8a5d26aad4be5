// functions/record-mail-event.ts: records SES delivery, bounce and complaint notifications in the cycle's log.
import * as z from 'zod';
import { recordMailEvent } from '#shared/evidence/mail-events.ts';
import { clock } from '#shared/wiring/clock.ts';
import { lambdaHandler } from '#shared/wiring/handler.ts';
import { repository } from '#shared/wiring/repository.ts';

// The notification is checked by recordMailEvent, which ignores what is not ours.
export const handler = lambdaHandler({
  event: z.unknown(),
  deps: { repo: repository, clock },
  run: recordMailEvent,
});
