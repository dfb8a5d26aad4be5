/**
 * The anchoring key the environment names: ANCHOR_SIGNING_KEY_ID (the KMS key) on AWS; locally
 * ANCHOR_SIGNING_KEY holds the data folder's private key (PEM). Kept apart from the anchoring
 * function's wiring so that whoever needs only the public half (the CLI's `evidence key`, the
 * package and minutes emails) does not load the repository or the anchor store.
 */
import type { AnchorSigner } from '../evidence/signer.ts';
import { MissingConfiguration } from './configuration.ts';
import { FileSigner } from './file-signer.ts';
import { kmsSignerFromEnv } from './kms-signer.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** The anchoring key the environment names, or undefined when it names none. */
export function anchorSignerFromEnvIfAny(env: Env): AnchorSigner | undefined {
  const kms = kmsSignerFromEnv(env);
  if (kms) return kms;
  const pem = env.ANCHOR_SIGNING_KEY?.trim();
  return pem ? new FileSigner(pem) : undefined;
}

/** The anchoring key the environment names; MissingConfiguration when it names none. */
export function anchorSignerFromEnv(env: Env): AnchorSigner {
  const signer = anchorSignerFromEnvIfAny(env);
  if (!signer) {
    throw new MissingConfiguration(
      'no anchoring key: set ANCHOR_SIGNING_KEY_ID to the KMS key (the stack output AnchorSigningKeyArn) on AWS; ' +
        'locally `npm start` sets ANCHOR_SIGNING_KEY from the data folder',
    );
  }
  return signer;
}
