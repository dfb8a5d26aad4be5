// functions/record-mail-event.ts: records SES delivery, bounce and complaint notifications in the cycle's log.
import { z } from 'zod';
import { lambdaHandler } from '#shared/adapters/handler.ts';
import { recordMailEvent } from '#shared/evidence/mail-events.ts';

export const handler = lambdaHandler(z.unknown(), (deps, event) => recordMailEvent(deps, event));
