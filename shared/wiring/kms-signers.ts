/** Signers for the KMS key a deploy-time request names (publish-anchor-key: GetPublicKey only). */
import { kmsSignersOnDemand } from '../adapters/kms-signer.ts';
import { part } from './wiring.ts';

export const kmsSigners = part('signerFor', () => kmsSignersOnDemand());
