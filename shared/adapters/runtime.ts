/**
 * The configured instances every Lambda handler shares: one logger, one metrics object, and the
 * review-cycle dependencies built once per execution environment (lazily, on first use, so a cold
 * start pays only for what the handler touches).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { clockFromEnvironment, type Clock } from '../clock.ts';
import type { CycleDeps } from '../cycle/ports.ts';

export const logger = new Logger({ serviceName: 'isms-review' });
export const metrics = new Metrics({ namespace: 'IsmsReview', serviceName: 'isms-review' });

let deps: Promise<CycleDeps> | undefined;

async function build(env: NodeJS.ProcessEnv): Promise<CycleDeps> {
  const [{ repositoryFromEnv }, { SfnWorkflow }, { createNotifier }, { createPackageStore }] =
    await Promise.all([
      import('./dynamodb-repository.ts'),
      import('./sfn-workflow.ts'),
      import('./notifier-wiring.ts'),
      import('./package-wiring.ts'),
    ]);
  const clock: Clock = clockFromEnvironment(env);
  const repo = repositoryFromEnv(env);
  return {
    repo,
    clock,
    workflow: new SfnWorkflow(),
    notifier: await createNotifier({ env, repo, clock }),
    packages: createPackageStore({ env }),
  };
}

/** The dependencies for this process, built once from the environment. */
export function cycleDeps(env: NodeJS.ProcessEnv = process.env): Promise<CycleDeps> {
  deps ??= build(env).catch((error: unknown) => {
    deps = undefined;
    throw error;
  });
  return deps;
}

/** Forget the built dependencies (the local stack calls this when it changes the environment). */
export function resetCycleDeps(): void {
  deps = undefined;
}
