/**
 * The anchoring key and who may use it: an asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY) that
 * signs evidence anchors and bundle manifests. The account administers it but the anchoring
 * function's role alone signs with it and writes under the evidence bucket's `anchors/`; the key
 * policy and the bucket policy say so (protectAnchors). Also the grants on anchors (anchors:*) and
 * the deploy-time read of the key's public half, which the stack outputs.
 */
import { CfnOutput, CustomResource, RemovalPolicy } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { IsmsFunction } from '#infra/constructs/isms-function.ts';
import type { FunctionGrant, FunctionSpec } from '#infra/functions.ts';
import { allow, allowWildcard } from './grants.ts';
import type { Granter, Granters } from './grants.ts';
import { InvalidStackInput } from './stack-input.ts';
import { KMS_DECRYPT_ACTIONS, KMS_ENCRYPT_ACTIONS } from './storage.ts';
import type { Storage } from './storage.ts';

/** The registry function that signs and writes anchors (the state machine and the daily schedule invoke it). */
export const ANCHOR_FUNCTION_ID = 'anchor-chain';

/** The registry function CloudFormation asks for the anchoring key's public half (custom resource). */
export const KEY_PUBLISHER_FUNCTION_ID = 'publish-anchor-key';

/** Key administration for the account, without kms:Sign (the anchoring role alone signs). */
const KEY_ADMIN_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:Verify',
];
/** What a role that only prints or checks the anchoring key's public half may do. */
const PUBLIC_KEY_ACTIONS = ['kms:GetPublicKey', 'kms:DescribeKey'];

/** The grants on anchors: writing them, signing them, reading the key's public half. */
export type AnchorGrant = Extract<FunctionGrant, `anchors:${string}`>;

/**
 * The anchoring key: asymmetric (ECC_NIST_P256, SIGN_VERIFY), so the public half can be given to
 * anyone and the private half never leaves KMS. The account administers the key but may not sign
 * with it: the key policy allows kms:Sign to the anchoring function's role alone and denies it to
 * every other principal (the statements naming that role are added by protectAnchors, once it
 * exists). Asymmetric KMS keys do not rotate; a new key is a new fingerprint to publish.
 */
export function createAnchorSigningKey(stack: Stack): kms.Key {
  return new kms.Key(stack, 'AnchorSigningKey', {
    description: 'isms-review anchoring key: signs evidence anchors and bundle manifests',
    keySpec: kms.KeySpec.ECC_NIST_P256,
    keyUsage: kms.KeyUsage.SIGN_VERIFY,
    removalPolicy: RemovalPolicy.RETAIN,
    policy: new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'AccountAdministersButDoesNotSign',
          principals: [new iam.AccountRootPrincipal()],
          actions: KEY_ADMIN_ACTIONS,
          resources: ['*'], // in a key policy, "*" is this key
        }),
      ],
    }),
  });
}

/** Whether a registry function needs the anchoring key's id in its environment. */
export function usesAnchorKey(spec: FunctionSpec): boolean {
  return spec.grants.some((grant) => grant === 'anchors:sign' || grant === 'anchors:publicKey');
}

/** The grants on anchors: writing them under `anchors/`, signing, reading the public key. */
export function anchorGrants(anchorSigningKey: kms.Key, storage: Storage): Granters<AnchorGrant> {
  const readPublicKey: Granter = ({ role }) => allow(role, PUBLIC_KEY_ACTIONS, [anchorSigningKey.keyArn]);
  return {
    'anchors:write': ({ role }) => {
      allowWildcard(
        role,
        [
          's3:GetObject',
          's3:GetObjectVersion',
          's3:GetObjectRetention',
          's3:PutObject',
          's3:PutObjectRetention',
        ],
        storage.evidenceBucket.arnForObjects('anchors/*'),
        'Anchors are keyed by cycle and milestone under anchors/, written once (If-None-Match, which the bucket policy requires) with an explicit COMPLIANCE lock (PutObjectRetention), which can only be extended.',
      );
      allow(role, ['s3:ListBucket', 's3:ListBucketVersions'], [storage.evidenceBucket.bucketArn]);
      allow(role, [...KMS_DECRYPT_ACTIONS, ...KMS_ENCRYPT_ACTIONS], [storage.dataKey.keyArn]);
    },
    // kms:Sign is in the key policy, which names this role alone (protectAnchors); the role's own
    // policy holds only what reading the public key needs.
    'anchors:sign': readPublicKey,
    'anchors:publicKey': readPublicKey,
  };
}

/**
 * The anchoring role alone signs with the anchoring key and writes under `anchors/`: the key policy
 * allows it kms:Sign and denies kms:Sign to every other principal (the account's administrators
 * included: they keep key administration, and a changed key policy is a CloudTrail event); the
 * evidence bucket's policy denies every write under `anchors/` without `If-None-Match: *` (an anchor
 * is never written over) and every write there by any other principal, and deletes there to all.
 */
export function protectAnchors(
  anchorSigningKey: kms.Key,
  storage: Storage,
  registry: readonly FunctionSpec[],
  built: ReadonlyMap<string, IsmsFunction>,
): void {
  const anchoring = registry.filter((spec) =>
    spec.grants.some((grant) => grant === 'anchors:sign' || grant === 'anchors:write'),
  );
  if (anchoring.length > 1) {
    throw new InvalidStackInput(
      `Only one function may sign or write anchors (anchors:sign, anchors:write), found ${anchoring
        .map((spec) => spec.id)
        .join(', ')}; check infra/functions.ts`,
    );
  }
  const role = anchoring[0] ? built.get(anchoring[0].id)?.role : undefined;
  const signs = anchoring[0]?.grants.includes('anchors:sign') ?? false;
  const writes = anchoring[0]?.grants.includes('anchors:write') ?? false;
  const anchorObjects = storage.evidenceBucket.arnForObjects('anchors/*');
  const exceptAnchoringRole = (allowed: boolean) =>
    allowed && role ? { ArnNotEquals: { 'aws:PrincipalArn': role.roleArn } } : undefined;

  if (role && signs) {
    anchorSigningKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AnchoringRoleSigns',
        principals: [new iam.ArnPrincipal(role.roleArn)],
        actions: ['kms:Sign', 'kms:Verify', ...PUBLIC_KEY_ACTIONS],
        resources: ['*'], // in a key policy, "*" is this key
      }),
    );
  }
  anchorSigningKey.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'NobodyElseSigns',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Sign'],
      resources: ['*'], // in a key policy, "*" is this key
      conditions: exceptAnchoringRole(signs),
    }),
  );

  storage.evidenceBucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AnchorsAreWrittenOnce',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [anchorObjects],
      conditions: { Null: { 's3:if-none-match': 'true' } },
    }),
  );
  storage.evidenceBucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'OnlyTheAnchoringRoleWritesAnchors',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: [
        's3:PutObject',
        's3:PutObjectRetention',
        's3:PutObjectLegalHold',
        's3:BypassGovernanceRetention',
      ],
      resources: [anchorObjects],
      conditions: exceptAnchoringRole(writes),
    }),
  );
  storage.evidenceBucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'NobodyDeletesAnchors',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
      resources: [anchorObjects],
    }),
  );
}

/**
 * The outputs that publish the anchoring key: its public half and fingerprint (read at deploy time
 * by the key publisher function, when the registry has one) and its ARN.
 */
export function anchorKeyOutputs(
  stack: Stack,
  anchorSigningKey: kms.Key,
  publisher: IsmsFunction | undefined,
): void {
  if (publisher) {
    // Read at deploy time by our own function (GetPublicKey only): the generic AwsCustomResource
    // would decode the binary SPKI as UTF-8 text and output garbage.
    const publicKey = new CustomResource(stack, 'AnchorPublicKeyReader', {
      serviceToken: publisher.function.functionArn,
      resourceType: 'Custom::AnchorPublicKey',
      properties: { KeyId: anchorSigningKey.keyArn },
    });
    new CfnOutput(stack, 'AnchorPublicKey', {
      value: publicKey.getAttString('PublicKey'),
      description:
        'Public half of the anchoring key (base64 SPKI DER). Its fingerprint is the SHA-256 of these bytes; `isms-review evidence key` prints it, and the package and minutes emails to top management carry it.',
    });
    new CfnOutput(stack, 'AnchorKeyFingerprint', {
      value: publicKey.getAttString('FingerprintGrouped'),
      description:
        'SHA-256 of the anchoring public key: compare with `isms-review evidence key`, the package and minutes emails, and what `evidence verify` says it trusted',
    });
  }
  new CfnOutput(stack, 'AnchorSigningKeyArn', {
    value: anchorSigningKey.keyArn,
    description:
      'The KMS key that signs anchors and bundle manifests (ANCHOR_SIGNING_KEY_ID for the CLI); only the anchoring function may sign with it',
  });
}
