/**
 * Starts the local stack once for the whole test run (free ports, everything in memory) and
 * hands its endpoints to the tests: `inject('localStack')`, or `localStack()` from
 * test/support/local-stack.ts. Stops it, Java process included, when the run ends. Java is checked
 * first: without Java 17+ the run stops at once, saying how to install it.
 */
import type { TestProject } from 'vitest/node';
import { startLocalStack, type LocalStackInfo } from '#infra/local/stack.ts';
import { requireJava } from '#test/support/prerequisites.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    localStack: LocalStackInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  requireJava();
  const started = Date.now();
  const stack = await startLocalStack({
    log: (line) => {
      if (process.env.ISMS_LOCAL_STACK_VERBOSE === 'true') console.log(line);
    },
  });
  if (process.env.ISMS_LOCAL_STACK_VERBOSE === 'true') {
    console.log(`local stack started in ${Date.now() - started} ms`);
  }
  const { stop: _stop, dynamoDbPid: _pid, ...info } = stack;
  project.provide('localStack', info);
  return () => stack.stop();
}
