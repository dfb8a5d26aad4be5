// functions/record-failure.ts: records a workflow failure on the cycle and tells the ISMS manager.
import { z } from 'zod';
import { lambdaHandler } from '#shared/adapters/handler.ts';
import { recordFailure } from '#shared/cycle/service.ts';

export const handler = lambdaHandler(z.unknown(), recordFailure);
