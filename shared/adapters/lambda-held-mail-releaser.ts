/**
 * The held-mail releaser on AWS: asks the ingest-email function, which carries the inbound mail
 * pipeline, to release one held message (Lambda Invoke, RequestResponse, with the release request of
 * shared/ingest/release.ts). Its known refusals come back as data and are thrown here as the same
 * named errors releaseHeldMail throws in process; a failed invocation or an answer that does not
 * read is ReleaseInvocationFailed.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  InvalidRelease,
  RELEASE_KIND,
  ReleaseAnswer,
  ReleaseHeldMailRequest,
  refusalError,
  type HeldMailReleaser,
  type ReleaseResult,
} from '../ingest/release.ts';

/** The ingest function did not answer the release (it failed, timed out, or answered nonsense). */
export class ReleaseInvocationFailed extends Error {
  override name = 'ReleaseInvocationFailed' as const;
}

/** INGEST_FUNCTION_NAME is not set, so there is no function to release held mail through. */
export class MissingIngestFunction extends Error {
  override name = 'MissingIngestFunction' as const;
}

/** How long the web waits for a release: under the web function's own timeout (25 s). */
export const RELEASE_TIMEOUT_MS = 20_000;

const decoder = new TextDecoder();

export class LambdaHeldMailReleaser implements HeldMailReleaser {
  constructor(
    private readonly functionName: string | undefined,
    private readonly client: LambdaClient = new LambdaClient({}),
    private readonly timeoutMs: number = RELEASE_TIMEOUT_MS,
  ) {}

  async release(id: string, by: string): Promise<ReleaseResult> {
    const request = ReleaseHeldMailRequest.safeParse({ kind: RELEASE_KIND, heldId: id, by });
    if (!request.success) {
      throw new InvalidRelease(
        `cannot release "${id.slice(0, 64)}" as "${by.slice(0, 64)}": ${request.error.issues
          .map((issue) => `${issue.path.join('.')} ${issue.message}`)
          .join('; ')}`,
      );
    }
    if (!this.functionName) {
      throw new MissingIngestFunction(
        'INGEST_FUNCTION_NAME is not set: the web function releases held mail through the ingest-email function',
      );
    }
    const out = await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'RequestResponse',
        Payload: JSON.stringify(request.data),
      }),
      { abortSignal: AbortSignal.timeout(this.timeoutMs) },
    );
    const text = out.Payload ? decoder.decode(out.Payload) : '';
    if (out.FunctionError) {
      throw new ReleaseInvocationFailed(
        `${this.functionName} failed to release ${id} (${out.FunctionError}): ${errorOf(text)}`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ReleaseInvocationFailed(`${this.functionName} answered the release of ${id} with no JSON`);
    }
    const answer = ReleaseAnswer.safeParse(json);
    if (!answer.success) {
      throw new ReleaseInvocationFailed(
        `${this.functionName} answered the release of ${id} with something else than a release answer: ${answer.error.issues
          .slice(0, 3)
          .map((issue) => `${issue.path.join('.') || 'answer'}: ${issue.message}`)
          .join('; ')}`,
      );
    }
    if (!answer.data.released) throw refusalError(answer.data.refusal);
    return { held: answer.data.held, result: answer.data.result };
  }
}

/** The error type and message of a failed invocation's payload (never its stack), shortened. */
function errorOf(payload: string): string {
  try {
    const parsed = JSON.parse(payload) as { errorType?: unknown; errorMessage?: unknown };
    const type = typeof parsed.errorType === 'string' ? parsed.errorType : 'Error';
    const message = typeof parsed.errorMessage === 'string' ? parsed.errorMessage : '';
    return `${type}: ${message}`.slice(0, 500);
  } catch {
    return 'no readable error';
  }
}
