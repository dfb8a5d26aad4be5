/**
 * The anchoring key on AWS: a KMS key (key spec ECC_NIST_P256, usage SIGN_VERIFY) whose key policy
 * grants kms:Sign to the anchoring function's role alone. `Sign` with MessageType RAW and
 * ECDSA_SHA_256 (KMS hashes the message) returns a DER signature; `GetPublicKey` returns the SPKI
 * DER public key, which anyone allowed kms:GetPublicKey may read.
 */
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { SigningFailed, type AnchorSigner } from '../evidence/signer.ts';

/** RAW messages up to 4096 bytes; anchors and manifest digests are far below. */
const MAX_RAW_MESSAGE = 4096;

export interface KmsSignerOptions {
  readonly client: KMSClient;
  /** Key id or ARN (ANCHOR_SIGNING_KEY_ID). */
  readonly keyId: string;
}

export class KmsSigner implements AnchorSigner {
  readonly #client: KMSClient;
  readonly #keyId: string;
  #publicKey: Promise<Buffer> | undefined;

  constructor(options: KmsSignerOptions) {
    this.#client = options.client;
    this.#keyId = options.keyId;
  }

  get description(): string {
    return `KMS key ${this.#keyId}`;
  }

  async sign(data: Uint8Array): Promise<Buffer> {
    if (data.length > MAX_RAW_MESSAGE) {
      throw new SigningFailed(
        `${data.length} bytes is more than KMS signs as a RAW message (${MAX_RAW_MESSAGE}); sign a digest instead`,
      );
    }
    try {
      const result = await this.#client.send(
        new SignCommand({
          KeyId: this.#keyId,
          Message: data,
          MessageType: 'RAW',
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      );
      if (!result.Signature || result.Signature.length === 0) {
        throw new SigningFailed(`${this.description} returned no signature`);
      }
      return Buffer.from(result.Signature);
    } catch (error) {
      throw wrap(error, `${this.description} did not sign`);
    }
  }

  publicKey(): Promise<Buffer> {
    this.#publicKey ??= this.#fetchPublicKey().catch((error: unknown) => {
      this.#publicKey = undefined;
      throw error;
    });
    return this.#publicKey;
  }

  async #fetchPublicKey(): Promise<Buffer> {
    try {
      const result = await this.#client.send(new GetPublicKeyCommand({ KeyId: this.#keyId }));
      if (result.KeySpec !== 'ECC_NIST_P256' || !result.SigningAlgorithms?.includes('ECDSA_SHA_256')) {
        throw new SigningFailed(
          `${this.description} is ${result.KeySpec ?? 'of an unknown spec'}; the anchoring key must be ECC_NIST_P256 with ECDSA_SHA_256`,
        );
      }
      if (!result.PublicKey) throw new SigningFailed(`${this.description} returned no public key`);
      return Buffer.from(result.PublicKey);
    } catch (error) {
      throw wrap(error, `the public key of ${this.description} could not be read`);
    }
  }
}

function wrap(error: unknown, what: string): Error {
  if (error instanceof SigningFailed) return error;
  const e = error as { name?: string; message?: string };
  return new SigningFailed(`${what}: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`, { cause: error });
}

/** The KMS signer ANCHOR_SIGNING_KEY_ID names. */
export function kmsSignerFromEnv(env: Readonly<Record<string, string | undefined>>): KmsSigner | undefined {
  const keyId = env.ANCHOR_SIGNING_KEY_ID?.trim();
  if (!keyId) return undefined;
  const endpoint = env.AWS_ENDPOINT_URL_KMS;
  return new KmsSigner({
    client: new KMSClient({
      ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
      ...(endpoint ? { endpoint } : {}),
    }),
    keyId,
  });
}

/**
 * Signers for whatever KMS key a request names, on one client made on first use (the deploy-time
 * key publication reads the public half of the key its custom resource names).
 */
export function kmsSignersOnDemand(): (keyId: string) => KmsSigner {
  let client: KMSClient | undefined;
  return (keyId) => {
    client ??= new KMSClient({});
    return new KmsSigner({ client, keyId });
  };
}
