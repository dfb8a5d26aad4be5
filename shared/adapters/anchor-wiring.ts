/**
 * The anchoring step's dependencies, and the anchoring key for whoever needs only its public half
 * (the CLI's `evidence key`, the package and minutes emails): ANCHOR_SIGNING_KEY_ID names the KMS key
 * on AWS; locally ANCHOR_SIGNING_KEY holds the data folder's private key (PEM).
 */
import { clockFromEnvironment } from '../clock.ts';
import type { AnchorChainDeps } from '../evidence/anchoring.ts';
import { anchorSignerFromEnv, anchorSignerFromEnvIfAny } from './anchor-signer-env.ts';
import { repositoryFromEnv } from './dynamodb-repository.ts';
import { createAnchorStore } from './s3-anchor-store.ts';

export { anchorSignerFromEnv, anchorSignerFromEnvIfAny };

let deps: AnchorChainDeps | undefined;

/** The anchoring function's dependencies, built once per execution environment. */
export function anchorChainDeps(env: NodeJS.ProcessEnv = process.env): AnchorChainDeps {
  deps ??= {
    repo: repositoryFromEnv(env),
    clock: clockFromEnvironment(env),
    anchors: createAnchorStore({ env }),
    signer: anchorSignerFromEnv(env),
  };
  return deps;
}

/** Forget the built dependencies (the local stack changes the environment between runs). */
export function resetAnchorChainDeps(): void {
  deps = undefined;
}
