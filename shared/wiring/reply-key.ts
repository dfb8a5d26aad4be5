/** The reply-address keyring: REPLY_KEY locally, the REPLY_KEY_SECRET_ARN secret on AWS. */
import { replyKeyFromEnv } from '../adapters/reply-key-secret.ts';
import { part } from './wiring.ts';

export const replyKey = part('replyKey', (wiring) => replyKeyFromEnv(wiring.env));
