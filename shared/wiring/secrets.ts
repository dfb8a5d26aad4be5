/** Secrets Manager, for the rotation of the reply keyring secret. */
import { secretsManagerClient } from '../adapters/reply-key-secret.ts';
import { part } from './wiring.ts';

export const secretsManager = part('secrets', () => secretsManagerClient());
