/**
 * InboundMail: the SES receipt rule set and rule that turn a reply into a stored raw message and
 * an ingest invocation.
 *
 * Order matters and is fixed: first the S3 action stores the raw message (so it is kept whatever
 * happens next), then the Lambda action invokes the ingest function asynchronously (Event), which
 * reads the message back from the bucket.
 *
 * Both grants to SES are scoped to this account AND this one receipt rule (aws:SourceAccount +
 * aws:SourceArn): SES may put objects under the prefix only, and invoke the one function only.
 * The rule set and rule are named explicitly so their ARN is known before they exist; SES checks
 * both permissions when the rule is created, so the rule depends on them.
 *
 * CloudFormation cannot activate a receipt rule set, and only one set is active per account and
 * region: activating ours would silently deactivate any other. Activation is therefore a deliberate
 * step after deployment (the stack outputs the command).
 */
import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export interface InboundMailProps {
  readonly ruleSetName: string;
  readonly ruleName: string;
  /** Domains or addresses the rule accepts, e.g. the programme's `mail.inboundDomain`. */
  readonly recipients: readonly string[];
  readonly rawMailBucket: s3.Bucket;
  /** Key prefix of stored messages; default `inbound/`. */
  readonly objectKeyPrefix?: string;
  readonly ingestFunction: lambda.IFunction;
}

export class InboundMail extends Construct {
  readonly ruleSet: ses.ReceiptRuleSet;
  readonly rule: ses.ReceiptRule;
  /** ARN of the receipt rule (the aws:SourceArn SES presents). */
  readonly ruleArn: string;
  readonly objectKeyPrefix: string;

  constructor(scope: Construct, id: string, props: InboundMailProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.objectKeyPrefix = props.objectKeyPrefix ?? 'inbound/';
    this.ruleArn = stack.formatArn({
      service: 'ses',
      resource: 'receipt-rule-set',
      resourceName: `${props.ruleSetName}:receipt-rule/${props.ruleName}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    const sesPrincipal = new iam.ServicePrincipal('ses.amazonaws.com');

    props.rawMailBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSesReceiptRulePutObject',
        principals: [sesPrincipal],
        actions: ['s3:PutObject'],
        resources: [props.rawMailBucket.arnForObjects(`${this.objectKeyPrefix}*`)],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID, 'aws:SourceArn': this.ruleArn },
        },
      }),
    );
    const bucketPolicy = props.rawMailBucket.policy;

    props.ingestFunction.addPermission('AllowSesReceiptRule', {
      principal: sesPrincipal,
      action: 'lambda:InvokeFunction',
      sourceAccount: Aws.ACCOUNT_ID,
      sourceArn: this.ruleArn,
    });
    const permission = props.ingestFunction.permissionsNode.tryFindChild('AllowSesReceiptRule');

    this.ruleSet = new ses.ReceiptRuleSet(this, 'RuleSet', { receiptRuleSetName: props.ruleSetName });
    const bucketName = props.rawMailBucket.bucketName;
    const objectKeyPrefix = this.objectKeyPrefix;
    const functionArn = props.ingestFunction.functionArn;
    this.rule = this.ruleSet.addRule('Rule', {
      receiptRuleName: props.ruleName,
      recipients: [...props.recipients],
      enabled: true,
      scanEnabled: true,
      tlsPolicy: ses.TlsPolicy.REQUIRE,
      actions: [
        { bind: () => ({ s3Action: { bucketName, objectKeyPrefix } }) },
        { bind: () => ({ lambdaAction: { functionArn, invocationType: 'Event' } }) },
      ],
    });
    if (bucketPolicy) this.rule.node.addDependency(bucketPolicy);
    if (permission) this.rule.node.addDependency(permission);
  }
}
