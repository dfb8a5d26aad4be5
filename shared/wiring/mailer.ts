/** SES SendRawEmail, through the configuration set SES_CONFIGURATION_SET names. */
import { SesMailer } from '../adapters/ses-mailer.ts';
import { part } from './wiring.ts';

export const mailer = part('mailer', (wiring) => SesMailer.fromEnv(wiring.env));
