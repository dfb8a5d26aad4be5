/**
 * Mail: the SES identities (sending domain, inbound domain), the configuration set whose sending
 * events go through EventBridge to a log group (and to the mail-event function, when the registry
 * has one), the inbound receipt rule (InboundMail) that hands replies to ingest-email, and the
 * `mail:send` grant. Also the DNS records and the activation command the operator needs.
 */
import { ArnFormat, Aws, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ses from 'aws-cdk-lib/aws-ses';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { InboundMail } from '#infra/constructs/inbound-mail.ts';
import type { IsmsFunction } from '#infra/constructs/isms-function.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';
import type { Granters } from './grants.ts';
import { InvalidStackInput, pascalCase } from './stack-input.ts';
import type { StackProgramme } from './stack-input.ts';
import type { Storage } from './storage.ts';

/** The id a registry function may carry to receive every SES mail event (delivery, bounce, ...). */
export const MAIL_EVENT_FUNCTION_ID = 'record-mail-event';

/** SES sending events recorded as proof of distribution (and of failures to deliver). */
export const RECORDED_MAIL_EVENTS: readonly ses.EmailSendingEvent[] = [
  ses.EmailSendingEvent.SEND,
  ses.EmailSendingEvent.DELIVERY,
  ses.EmailSendingEvent.BOUNCE,
  ses.EmailSendingEvent.COMPLAINT,
  ses.EmailSendingEvent.REJECT,
  ses.EmailSendingEvent.DELIVERY_DELAY,
];

export interface Mail {
  readonly configurationSet: ses.ConfigurationSet;
  readonly configurationSetName: string;
  /** The verified domains, sending domain first. */
  readonly identities: ReadonlyMap<string, ses.EmailIdentity>;
  readonly mailEventsLogGroup: logs.LogGroup;
  readonly mailEventsDeadLetterQueue: sqs.Queue;
  readonly mailEventsRule: events.Rule;
}

/** The identities, the configuration set and the record of its sending events (logs encrypted with `dataKey`). */
export function createMail(
  stack: Stack,
  programme: StackProgramme,
  fromDomain: string,
  dataKey: kms.Key,
): Mail {
  const configurationSetName = `${stack.stackName}-mail`;
  const configurationSet = new ses.ConfigurationSet(stack, 'MailConfigurationSet', {
    configurationSetName,
    reputationMetrics: true,
    sendingEnabled: true,
    suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
  });
  configurationSet.addEventDestination('ToEventBridge', {
    destination: ses.EventDestination.eventBus(
      events.EventBus.fromEventBusName(stack, 'DefaultEventBus', 'default'),
    ),
    events: [...RECORDED_MAIL_EVENTS],
  });

  const identities = new Map<string, ses.EmailIdentity>();
  identities.set(
    fromDomain,
    new ses.EmailIdentity(stack, 'FromDomainIdentity', {
      identity: ses.Identity.domain(fromDomain),
      configurationSet,
    }),
  );
  if (!identities.has(programme.mail.inboundDomain)) {
    // SES only receives mail for a verified domain.
    identities.set(
      programme.mail.inboundDomain,
      new ses.EmailIdentity(stack, 'InboundDomainIdentity', {
        identity: ses.Identity.domain(programme.mail.inboundDomain),
      }),
    );
  }

  const mailEventsLogGroup = new logs.LogGroup(stack, 'MailEventsLogs', {
    logGroupName: `/aws/events/${stack.stackName}/mail-events`,
    retention: retentionAtLeast(programme.evidence.retentionDays),
    encryptionKey: dataKey,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const mailEventsDeadLetterQueue = deadLetterQueue(
    stack,
    'MailEventsDeadLetterQueue',
    'mail events EventBridge could not deliver',
  );
  const mailEventsRule = new events.Rule(stack, 'MailEventsRule', {
    description: `SES sending events of configuration set ${configurationSetName}`,
    eventPattern: {
      source: ['aws.ses'],
      detail: { mail: { tags: { 'ses:configuration-set': [configurationSetName] } } },
    },
  });
  mailEventsRule.addTarget(logGroupTarget(mailEventsLogGroup, mailEventsDeadLetterQueue, mailEventsRule));
  return {
    configurationSet,
    configurationSetName,
    identities,
    mailEventsLogGroup,
    mailEventsDeadLetterQueue,
    mailEventsRule,
  };
}

/**
 * The `mail:send` grant: only as the programme's sending address, so that a function that is made
 * to send cannot send as anyone else of the verified domains.
 */
export function mailGrants(stack: Stack, programme: StackProgramme, mail: Mail): Granters<'mail:send'> {
  const sesArn = (resource: string, name: string): string =>
    stack.formatArn({
      service: 'ses',
      resource,
      resourceName: name,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  return {
    'mail:send': ({ role }) => {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['ses:SendRawEmail'],
          resources: [
            ...[...mail.identities.keys()].map((domain) => sesArn('identity', domain)),
            sesArn('configuration-set', mail.configurationSet.configurationSetName),
          ],
          conditions: { StringEquals: { 'ses:FromAddress': programme.mail.fromAddress } },
        }),
      );
    },
  };
}

/**
 * Connects the functions that handle mail: the mail-event function (if any) as a second target of
 * the events rule, and ingest-email (required) behind the inbound receipt rule.
 */
export function connectMailFunctions(
  stack: Stack,
  programme: StackProgramme,
  mail: Mail,
  storage: Storage,
  built: ReadonlyMap<string, IsmsFunction>,
): InboundMail {
  const ingest = built.get('ingest-email');
  if (!ingest) {
    throw new InvalidStackInput('The function registry has no "ingest-email"; inbound mail needs it');
  }
  const recordMailEvent = built.get(MAIL_EVENT_FUNCTION_ID);
  if (recordMailEvent) {
    mail.mailEventsRule.addTarget(
      new eventTargets.LambdaFunction(recordMailEvent.function, {
        deadLetterQueue: mail.mailEventsDeadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(24),
      }),
    );
  }
  return new InboundMail(stack, 'InboundMail', {
    ruleSetName: `${stack.stackName}-inbound`,
    ruleName: `${stack.stackName}-replies`,
    recipients: [programme.mail.inboundDomain],
    rawMailBucket: storage.rawMailBucket,
    objectKeyPrefix: 'inbound/',
    ingestFunction: ingest.function,
  });
}

/** The DNS records (DKIM of every identity, the inbound MX) and the rule set's activation command. */
export function mailOutputs(
  stack: Stack,
  programme: StackProgramme,
  mail: Mail,
  inboundMail: InboundMail,
): void {
  for (const [domain, identity] of mail.identities) {
    identity.dkimRecords.forEach((record, index) => {
      new CfnOutput(stack, `Dkim${pascalCase(domain.replace(/\./g, '-'))}${index + 1}`, {
        value: `${record.name} CNAME ${record.value}`,
        description: `DKIM record ${index + 1} of ${domain}`,
      });
    });
  }
  new CfnOutput(stack, 'InboundMxRecord', {
    value: `${programme.mail.inboundDomain} MX 10 inbound-smtp.${Aws.REGION}.amazonaws.com`,
    description: 'DNS record that routes replies to SES',
  });
  new CfnOutput(stack, 'ActivateReceiptRuleSet', {
    value: `aws ses set-active-receipt-rule-set --rule-set-name ${inboundMail.ruleSet.receiptRuleSetName} --region ${Aws.REGION}`,
    description:
      'Run once after the first deployment. Only one rule set is active per account and region: merge rules first if another set is active.',
  });
}

/**
 * EventBridge target that writes events to a log group (with a DLQ and retries), granted by a
 * native AWS::Logs::ResourcePolicy rather than the custom-resource Lambda that
 * aws-events-targets' CloudWatchLogGroup target deploys for the same purpose.
 */
function logGroupTarget(
  logGroup: logs.LogGroup,
  deadLetterQueue: sqs.Queue,
  rule: events.Rule,
): events.IRuleTarget {
  const stack = Stack.of(logGroup);
  new logs.ResourcePolicy(stack, 'MailEventsLogsPolicy', {
    policyStatements: [
      new iam.PolicyStatement({
        principals: [
          new iam.ServicePrincipal('events.amazonaws.com'),
          new iam.ServicePrincipal('delivery.logs.amazonaws.com'),
        ],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }),
    ],
  });
  deadLetterQueue.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowMailEventsRule',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [deadLetterQueue.queueArn],
      conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
    }),
  );
  return {
    bind: () => ({
      arn: stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: logGroup.logGroupName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      deadLetterConfig: { arn: deadLetterQueue.queueArn },
      retryPolicy: { maximumRetryAttempts: 8, maximumEventAgeInSeconds: Duration.hours(24).toSeconds() },
      targetResource: logGroup,
    }),
  };
}

/** CloudWatch Logs only accepts certain retention periods: the shortest that covers `days`. */
export function retentionAtLeast(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays)
    .filter((value): value is number => typeof value === 'number' && value !== logs.RetentionDays.INFINITE)
    .sort((a, b) => a - b);
  const fit = allowed.find((value) => value >= days);
  return (fit ?? logs.RetentionDays.INFINITE) as logs.RetentionDays;
}
