/**
 * Releasing held mail across a function boundary: the release request the ingest function takes
 * beside the SES receipt event, the answer in which the known refusals come back as data, and the
 * web's adapter that invokes the ingest function (Lambda Invoke, mocked here; the release itself runs
 * on the emulators in test/integration/ingest/release-request.test.ts).
 */
import { InvokeCommand, LambdaClient, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestEvent, InvalidIngestEvent } from '#functions/ingest-email.ts';
import {
  LambdaHeldMailReleaser,
  MissingIngestFunction,
  ReleaseInvocationFailed,
} from '#shared/adapters/lambda-held-mail-releaser.ts';
import {
  answerRelease,
  HeldMailAlreadyReleased,
  HeldMailNotFound,
  InvalidRelease,
  InvalidReleaseRequest,
  ReleaseAnswer,
  ReleaseHeldMailRequest,
  ReleaseNotRecorded,
  type ReleaseResult,
} from '#shared/ingest/release.ts';
import type { HeldMail } from '#shared/store/held-mail.ts';
import { parseEvent } from '#shared/wiring/handler.ts';

const HELD_ID = 'H-20261006T080000Z-0123456789abcdef';

const released: HeldMail = {
  id: HELD_ID,
  status: 'released',
  receivedAt: '2026-10-06T08:00:00.000Z',
  rawS3Key: 'inbound/o3vrnil0e2ic28tr',
  messageId: '<held-1@mail.example.com>',
  from: 'auditor@example.com',
  sender: [],
  envelopeFrom: 'auditor@example.com',
  recipients: ['review+x@reply.example.com'],
  subject: 'Re: input d1',
  reason: 'the From domain failed DMARC',
  cycleId: 'C-20261001T0900Z-Q',
  releasedAt: '2026-10-06T09:00:00.000Z',
  releasedBy: 'alice',
  releaseOutcome: 'accepted: recorded as d1',
};

const releaseResult: ReleaseResult = {
  held: released,
  result: {
    outcome: 'accepted',
    reason: 'recorded as d1',
    cycleId: 'C-20261001T0900Z-Q',
    messageId: '<held-1@mail.example.com>',
    answer: 'sent',
    resumed: false,
  },
};

describe('the release request', () => {
  const parse = (event: unknown) => parseEvent(ReleaseHeldMailRequest, event, InvalidReleaseRequest);

  it('refuses missing fields, another kind, a held id that is not one and a releaser that is not a person id', () => {
    expect(() => parse({})).toThrow(InvalidReleaseRequest);
    expect(() => parse({ kind: 'release-held-mail', heldId: HELD_ID })).toThrow(
      /not a held-mail release request: by: expected a person id/,
    );
    expect(() => parse({ kind: 'release-held-mail', by: 'alice' })).toThrow(/heldId/);
    expect(() => parse({ kind: 'delete-held-mail', heldId: HELD_ID, by: 'alice' })).toThrow(/kind/);
    expect(() => parse({ kind: 'release-held-mail', heldId: '../inbound/x', by: 'alice' })).toThrow(
      /heldId: is not a held message id/,
    );
    expect(() => parse({ kind: 'release-held-mail', heldId: HELD_ID, by: 'alice; drop' })).toThrow(
      /by: expected a person id from the programme/,
    );
    expect(() => parse({ kind: 'release-held-mail', heldId: HELD_ID, by: 'alice', extra: 1 })).toThrow(
      /extra/,
    );
  });

  it('reads a well-formed request', () => {
    expect(parse({ kind: 'release-held-mail', heldId: HELD_ID, by: 'alice' })).toEqual({
      kind: 'release-held-mail',
      heldId: HELD_ID,
      by: 'alice',
    });
  });
});

describe("the ingest function's event", () => {
  const parse = (event: unknown) => parseEvent(IngestEvent, event, InvalidIngestEvent);

  it('refuses what is neither an SES receipt event nor a release request, naming both', () => {
    expect(() => parse(null)).toThrow(InvalidIngestEvent);
    expect(() => parse({ kind: 'delete-held-mail', heldId: HELD_ID, by: 'alice' })).toThrow(
      /neither an SES receipt event nor a held-mail release request .*kind/,
    );
    expect(() => parse({ kind: 'release-held-mail', heldId: 'H-1', by: 'alice' })).toThrow(
      /heldId: is not a held message id/,
    );
    expect(() => parse({ Records: [] })).toThrow(/Records/);
  });

  it('tells a release request from an SES receipt event by its kind', () => {
    expect(parse({ kind: 'release-held-mail', heldId: HELD_ID, by: 'alice' }).kind).toBe('release-held-mail');
  });
});

describe('answerRelease', () => {
  it('answers each known refusal as data, with its message', async () => {
    for (const error of [
      new HeldMailNotFound('no held message H-1'),
      new HeldMailAlreadyReleased('held message H-1 was released already'),
      new ReleaseNotRecorded('held message H-1 still cannot be recorded: not a delegate'),
      new InvalidRelease('who releases it must be a person id'),
    ]) {
      const answer = await answerRelease(() => Promise.reject(error));
      expect(answer).toEqual({ released: false, refusal: { name: error.name, message: error.message } });
      expect(ReleaseAnswer.parse(answer)).toEqual(answer);
    }
  });

  it('lets any other failure through: it is the invocation that failed', async () => {
    const failure = new Error('ProvisionedThroughputExceededException');
    await expect(answerRelease(() => Promise.reject(failure))).rejects.toBe(failure);
  });

  it('answers a release with the released record and the outcome, which the answer schema reads', async () => {
    const answer = await answerRelease(() => Promise.resolve(releaseResult));
    expect(answer).toEqual({ released: true, ...releaseResult });
    expect(ReleaseAnswer.parse(JSON.parse(JSON.stringify(answer)))).toEqual(answer);
  });
});

describe('LambdaHeldMailReleaser', () => {
  const lambda = mockClient(LambdaClient);
  afterEach(() => lambda.reset());
  const releaser = () =>
    new LambdaHeldMailReleaser('isms-review-IngestEmail', new LambdaClient({ region: 'eu-west-1' }));
  /** A payload as the SDK gives it: the bytes, readable as text. */
  const bytes = (text: string) => {
    const encoded = new TextEncoder().encode(text);
    return Object.assign(encoded, { transformToString: () => new TextDecoder().decode(encoded) });
  };
  const payload = (value: unknown) => bytes(JSON.stringify(value));

  it('refuses an id or a releaser that does not read without invoking anything', async () => {
    await expect(releaser().release('not-an-id', 'alice')).rejects.toThrow(InvalidRelease);
    await expect(releaser().release(HELD_ID, 'alice; drop')).rejects.toThrow(/by expected a person id/);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('names the missing setting when there is no ingest function to invoke', async () => {
    const error = await new LambdaHeldMailReleaser(undefined, new LambdaClient({ region: 'eu-west-1' }))
      .release(HELD_ID, 'alice')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MissingIngestFunction);
    expect((error as Error).message).toContain('INGEST_FUNCTION_NAME is not set');
  });

  it('turns a function error into ReleaseInvocationFailed with its type and message, never its stack', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload({
        errorType: 'ProvisionedThroughputExceededException',
        errorMessage: 'Rate of requests exceeds the allowed throughput.',
        stackTrace: ['at secret/path.js:1:1'],
      }),
    });
    const error = await releaser()
      .release(HELD_ID, 'alice')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReleaseInvocationFailed);
    expect((error as Error).message).toContain(
      '(Unhandled): ProvisionedThroughputExceededException: Rate of requests exceeds',
    );
    expect((error as Error).message).not.toContain('secret/path');
  });

  it('turns an answer that is no JSON, or no release answer, into ReleaseInvocationFailed', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: bytes('<html>') });
    await expect(releaser().release(HELD_ID, 'alice')).rejects.toThrow(
      /answered the release of .* with no JSON/,
    );
    lambda.on(InvokeCommand).resolves({ StatusCode: 200 });
    await expect(releaser().release(HELD_ID, 'alice')).rejects.toThrow(ReleaseInvocationFailed);
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ outcome: 'accepted' }) });
    await expect(releaser().release(HELD_ID, 'alice')).rejects.toThrow(
      /with something else than a release answer/,
    );
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: payload({ released: false, refusal: { name: 'Error', message: 'x' } }),
    });
    await expect(releaser().release(HELD_ID, 'alice')).rejects.toThrow(ReleaseInvocationFailed);
  });

  it('lets a failed call to Lambda itself through as it came', async () => {
    const throttled = new TooManyRequestsException({ $metadata: {}, message: 'Rate exceeded' });
    lambda.on(InvokeCommand).rejects(throttled);
    await expect(releaser().release(HELD_ID, 'alice')).rejects.toBe(throttled);
  });

  it('throws each refusal the ingest function answers as the named error the page knows', async () => {
    const refusals = [
      [HeldMailNotFound, 'HeldMailNotFound', 'no held message H-1 (it may have expired after 90 days)'],
      [HeldMailAlreadyReleased, 'HeldMailAlreadyReleased', 'held message H-1 was released already'],
      [ReleaseNotRecorded, 'ReleaseNotRecorded', 'held message H-1 still cannot be recorded: x'],
      [InvalidRelease, 'InvalidRelease', 'who releases it must be a person id'],
    ] as const;
    for (const [type, name, message] of refusals) {
      lambda.on(InvokeCommand).resolves({
        StatusCode: 200,
        Payload: payload({ released: false, refusal: { name, message } }),
      });
      const error = await releaser()
        .release(HELD_ID, 'alice')
        .catch((caught: unknown) => caught);
      expect(error, name).toBeInstanceOf(type);
      expect((error as Error).name).toBe(name);
      expect((error as Error).message).toBe(message);
    }
  });

  it('invokes the ingest function synchronously with the release request and returns what it released', async () => {
    lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, Payload: payload({ released: true, ...releaseResult }) });
    expect(await releaser().release(HELD_ID, 'alice')).toEqual(releaseResult);
    const [call] = lambda.commandCalls(InvokeCommand);
    expect(call!.args[0].input).toMatchObject({
      FunctionName: 'isms-review-IngestEmail',
      InvocationType: 'RequestResponse',
    });
    expect(JSON.parse(String(call!.args[0].input.Payload))).toEqual({
      kind: 'release-held-mail',
      heldId: HELD_ID,
      by: 'alice',
    });
  });
});
