/**
 * The evidence anchoring key: ANCHOR_SIGNING_KEY_ID names the KMS key on AWS; locally
 * ANCHOR_SIGNING_KEY holds the data folder's private key (PEM). The anchoring step signs with it;
 * the package and minutes emails name its fingerprint, read once and only when such an email is
 * built (kms:GetPublicKey).
 */
import { anchorSignerFromEnv, anchorSignerFromEnvIfAny } from '../adapters/anchor-signer-env.ts';
import { anchorKeyOf, formatFingerprint } from '../evidence/signer.ts';
import { part } from './wiring.ts';

export const anchorSigner = part('anchorSigner', (wiring) => anchorSignerFromEnv(wiring.env));

/** Undefined when the environment names no anchoring key: the emails then carry no witness line. */
export const anchorKeyFingerprint = part('anchorKeyFingerprint', (wiring) => {
  let fingerprint: Promise<string | undefined> | undefined;
  return () => {
    fingerprint ??= (async () => {
      const signer = anchorSignerFromEnvIfAny(wiring.env);
      return signer ? formatFingerprint((await anchorKeyOf(signer)).fingerprint) : undefined;
    })();
    // A failed read is retried by the next email rather than remembered.
    fingerprint.catch(() => {
      fingerprint = undefined;
    });
    return fingerprint;
  };
});
