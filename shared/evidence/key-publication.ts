/**
 * Publishing the anchoring key's public half outside the data path: at deploy time CloudFormation
 * asks for it (a custom resource, functions/publish-anchor-key.ts), and the stack outputs it as
 * `AnchorPublicKey` (base64 SPKI DER) and `AnchorKeyFingerprint` (its SHA-256, which
 * `isms-review evidence key` prints and the package and minutes emails carry).
 *
 * CloudFormation sends a request to the function and waits for the answer at the request's
 * pre-signed `ResponseURL`: the function must always answer, SUCCESS or FAILED, or the deployment
 * hangs for an hour. Delete needs nothing (the key is retained); Create and Update read the key.
 */
import * as z from 'zod';
import { anchorKeyOf, formatFingerprint, type AnchorSigner } from './signer.ts';

/** The custom resource request CloudFormation sends (the fields we read; others are ignored). */
export const KeyPublicationRequest = z.looseObject({
  RequestType: z.enum(['Create', 'Update', 'Delete'], { error: 'expected Create, Update or Delete' }),
  ResponseURL: z.url({ protocol: /^https?$/, error: 'expected the pre-signed response URL' }),
  StackId: z.string().min(1),
  RequestId: z.string().min(1),
  LogicalResourceId: z.string().min(1),
  PhysicalResourceId: z.string().min(1).optional(),
  ResourceProperties: z.looseObject({
    KeyId: z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, {
      error: 'expected the anchoring key ARN',
    }),
  }),
});
export type KeyPublicationRequest = z.infer<typeof KeyPublicationRequest>;

/** What the function answers at the ResponseURL. */
export interface KeyPublicationResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data?: {
    readonly PublicKey: string;
    readonly Fingerprint: string;
    readonly FingerprintGrouped: string;
  };
}

/** The request is not a custom resource request we can answer (no ResponseURL to answer at). */
export class InvalidKeyPublicationRequest extends Error {
  override name = 'InvalidKeyPublicationRequest' as const;
}

/** CloudFormation did not take the answer (the pre-signed URL refused it or could not be reached). */
export class KeyPublicationNotDelivered extends Error {
  override name = 'KeyPublicationNotDelivered' as const;
}

export interface KeyPublicationDeps {
  /** The anchoring key named by the request (GetPublicKey only). */
  readonly signerFor: (keyId: string) => AnchorSigner;
  /** PUTs the answer to the pre-signed URL. */
  readonly deliver: (url: string, body: string) => Promise<void>;
}

/** Answers one request: the public key and its fingerprint for Create/Update, nothing for Delete. */
export async function publishAnchorKey(
  deps: KeyPublicationDeps,
  event: unknown,
): Promise<KeyPublicationResponse> {
  const parsed = KeyPublicationRequest.safeParse(event);
  if (!parsed.success) {
    const url = (event as { ResponseURL?: unknown } | null)?.ResponseURL;
    const reason = `not a custom resource request for the anchoring key: ${parsed.error.issues
      .map((issue) => `${issue.path.join('.') || 'event'}: ${issue.message}`)
      .join('; ')}`;
    // Answer FAILED when there is somewhere to answer, so the deployment stops at once.
    const request = event as Partial<Record<string, unknown>> | null;
    if (typeof url === 'string' && /^https?:\/\//.test(url) && request) {
      const failed: KeyPublicationResponse = {
        Status: 'FAILED',
        Reason: reason,
        PhysicalResourceId: String(
          request.PhysicalResourceId ?? request.LogicalResourceId ?? 'anchor-public-key',
        ),
        StackId: String(request.StackId ?? ''),
        RequestId: String(request.RequestId ?? ''),
        LogicalResourceId: String(request.LogicalResourceId ?? ''),
      };
      await send(deps, url, failed);
      return failed;
    }
    throw new InvalidKeyPublicationRequest(reason);
  }
  const request = parsed.data;
  const keyId = request.ResourceProperties.KeyId;
  const common = {
    PhysicalResourceId: keyId,
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
  };
  let response: KeyPublicationResponse;
  if (request.RequestType === 'Delete') {
    response = { Status: 'SUCCESS', ...common, PhysicalResourceId: request.PhysicalResourceId ?? keyId };
  } else {
    try {
      const key = await anchorKeyOf(deps.signerFor(keyId));
      response = {
        Status: 'SUCCESS',
        ...common,
        Data: {
          PublicKey: key.spki.toString('base64'),
          Fingerprint: key.fingerprint,
          FingerprintGrouped: formatFingerprint(key.fingerprint),
        },
      };
    } catch (error) {
      const e = error as { name?: string; message?: string };
      response = {
        Status: 'FAILED',
        ...common,
        Reason: `the public key of ${keyId} could not be read: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`,
      };
    }
  }
  await send(deps, request.ResponseURL, response);
  return response;
}

async function send(deps: KeyPublicationDeps, url: string, response: KeyPublicationResponse): Promise<void> {
  try {
    await deps.deliver(url, JSON.stringify(response));
  } catch (error) {
    throw new KeyPublicationNotDelivered(
      `the answer to CloudFormation (${response.Status}) was not delivered: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
