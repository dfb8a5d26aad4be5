/**
 * The reply keyring's rotation in the template: a rotation schedule on the secret whose rotation
 * function is rotate-reply-key, invokable by Secrets Manager for that secret only; only that
 * function's role may write the secret, with exactly the rotation contract's calls and no
 * GetRandomPassword on *.
 */
import { describe, expect, it } from 'vitest';
import { Template } from 'aws-cdk-lib/assertions';
import { createIsmsReviewApp } from '#infra/stacks/app.ts';
import {
  actionsOf,
  allPolicyStatements,
  logicalId,
  resourcesOfType,
  roleStatements,
  statementCovers,
  testContext,
  testProgramme,
} from './support.ts';

const { stack } = createIsmsReviewApp({
  programme: testProgramme,
  context: testContext(),
  cloudFormationValidation: false,
  nag: false,
});
const template = Template.fromStack(stack);
const rotator = stack.functions.get('rotate-reply-key')!;
const secretId = logicalId(stack.replyKeySecret);

describe('reply keyring rotation', () => {
  it('has one rotation schedule on the secret, every 90 days, run by rotate-reply-key', () => {
    expect(rotator).toBeDefined();
    const schedules = resourcesOfType(template, 'AWS::SecretsManager::RotationSchedule');
    expect(schedules).toHaveLength(1);
    const [, schedule] = schedules[0]!;
    expect(schedule.Properties).toMatchObject({
      SecretId: { Ref: secretId },
      RotationLambdaARN: { 'Fn::GetAtt': [logicalId(rotator.function), 'Arn'] },
      RotationRules: { AutomaticallyAfterDays: 90 },
      RotateImmediatelyOnUpdate: false,
    });
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission').filter(
      ([, p]) => p.Properties?.Principal === 'secretsmanager.amazonaws.com',
    );
    expect(permissions).toHaveLength(1);
    expect(permissions[0]![1].Properties).toMatchObject({
      FunctionName: { 'Fn::GetAtt': [logicalId(rotator.function), 'Arn'] },
      SourceArn: { Ref: secretId },
    });
  });

  it('lets only the rotation role write the secret, with the rotation calls only', () => {
    const writes = [
      'secretsmanager:PutSecretValue',
      'secretsmanager:UpdateSecretVersionStage',
      'secretsmanager:UpdateSecret',
    ];
    const writers = allPolicyStatements(template).filter(({ statement }) =>
      writes.some((action) => statementCovers(statement, action)),
    );
    expect(new Set(writers.flatMap((w) => w.roles))).toEqual(new Set([logicalId(rotator.role)]));
    const own = roleStatements(template, logicalId(rotator.role));
    const secretActions = own.flatMap(actionsOf).filter((a) => a.startsWith('secretsmanager:'));
    expect(secretActions.sort()).toEqual([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
      'secretsmanager:UpdateSecretVersionStage',
    ]);
    const kms = own.find((s) => actionsOf(s).includes('kms:Decrypt'));
    expect(kms?.Condition).toEqual({
      StringEquals: {
        'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
      },
    });
    expect(JSON.stringify(own)).not.toContain('GetRandomPassword');
  });
});
