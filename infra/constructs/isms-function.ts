/**
 * IsmsFunction: the one way this project deploys a Lambda function, with safe defaults.
 *
 * - NodejsFunction bundled locally by esbuild (no Docker): minified, tree-shaken, ESM output with a
 *   `createRequire` banner so CommonJS dependencies that call `require` still load; the source map
 *   is a file of its own beside index.mjs (`NODE_OPTIONS=--enable-source-maps` reads it for stack
 *   traces). What keeps a bundle lean: each handler names only the parts it uses (shared/wiring/),
 *   package.json says `"sideEffects": false` (a module none of whose exports is used is left out
 *   whole, though its top level builds zod schemas), and zod is imported as a namespace
 *   (`import * as z from 'zod'`: `import { z }` keeps every zod locale, about 350 KB).
 * - Newest Node.js runtime in aws-cdk-lib, ARM64, X-Ray active tracing, JSON logs into its own
 *   log group with a retention (and the operations KMS key when given).
 * - Its own IAM role with no AWS managed policy: it may write to its log group and send X-Ray
 *   traces; every other permission is granted by the stack from the function registry.
 * - Asynchronous invocations (the SES receipt rule, EventBridge, the schedules) that still fail after
 *   Lambda's retries go to an on-failure SQS queue (SSE, TLS only, 14 days): the one the stack gives
 *   all its functions (the stack alarms on it), or one of the function's own when none is given. A
 *   record in it names the function (`requestContext.functionArn`), so one queue for all loses nothing.
 * - CloudFormation metadata `isms-review:entry` = entry path relative to the repository root, so the
 *   local state-machine runtime can map a Lambda ARN in the synthesized definition to its handler.
 */
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The repository root (this file is infra/constructs/isms-function.ts). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** CloudFormation metadata key naming the handler entry file of a function. */
export const ENTRY_METADATA_KEY = 'isms-review:entry';

/** The Lambda runtime every function uses: the newest Node.js runtime aws-cdk-lib knows. */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** The CloudWatch namespace of the functions' own metrics (Powertools; shared/wiring/powertools.ts). */
export const METRICS_NAMESPACE = 'IsmsReview';

/** Memory of a function whose registry entry sets none (MB). */
export const DEFAULT_MEMORY_MB = 512;

/** Lets ESM bundles load CommonJS dependencies that call `require`. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

export interface IsmsFunctionProps {
  /** Handler file relative to the repository root, e.g. `functions/ingest-email.ts`. */
  readonly entry: string;
  readonly description: string;
  /** Runtime environment contract (TABLE_NAME, ...); merged over the defaults. */
  readonly environment?: Record<string, string>;
  /** Default 30 seconds. */
  readonly timeout?: Duration;
  /** Default DEFAULT_MEMORY_MB. */
  readonly memorySize?: number;
  /** Default: none (the account's unreserved pool). */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Packages installed beside the bundle rather than inlined (npm, from the lock file), for Linux
   * ARM64 whatever the machine that synthesizes: native modules get their Lambda binary.
   */
  readonly nodeModules?: string[];
  /** Default one year. */
  readonly logRetention?: logs.RetentionDays;
  /** KMS key for the log group; default: CloudWatch Logs' own encryption. */
  readonly logsKey?: kms.IKey;
  /** Retries of a failed asynchronous invocation before it goes to the failure queue; default 2. */
  readonly retryAttempts?: number;
  /** Oldest asynchronous event Lambda still tries; default 6 hours. */
  readonly maxEventAge?: Duration;
  /** The on-failure destination of asynchronous invocations; default: a queue of its own (createFailureQueue). */
  readonly failureQueue?: sqs.Queue;
}

/**
 * An on-failure queue for asynchronous invocations: SQS-managed encryption, TLS only, records kept
 * 14 days (SQS's longest). Nothing consumes it automatically: a person reads it (and redrives by hand).
 */
export function createFailureQueue(scope: Construct, id: string, holds: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself the failure destination of ${holds}; its depth is alarmed on.`,
  });
  Validations.of(queue).acknowledge({
    id: 'Serverless-SQSRedrivePolicy',
    reason: `This queue is itself the failure destination of ${holds}; nothing consumes it automatically, so a redrive queue of its own would only move the same messages.`,
  });
  return queue;
}

export class IsmsFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** Where asynchronous invocations land after their last failed retry (shared when given in the props). */
  readonly failureQueue: sqs.Queue;
  /** Entry path relative to the repository root. */
  readonly entry: string;

  constructor(scope: Construct, id: string, props: IsmsFunctionProps) {
    super(scope, id);
    this.entry = normaliseEntry(props.entry);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.logsKey,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${this.entry}`,
    });
    this.logGroup.grantWrite(this.role);

    this.failureQueue = props.failureQueue ?? createFailureQueue(this, 'FailureQueue', this.entry);

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(repoRoot, this.entry),
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: join(repoRoot, 'package-lock.json'),
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      tracing: lambda.Tracing.ACTIVE,
      timeout: props.timeout ?? Duration.seconds(30),
      memorySize: props.memorySize ?? DEFAULT_MEMORY_MB,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'isms-review',
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...props.environment,
      },
      onFailure: new SqsDestination(this.failureQueue),
      retryAttempts: props.retryAttempts ?? 2,
      maxEventAge: props.maxEventAge ?? Duration.hours(6),
      bundling: {
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        forceDockerBundling: false,
        ...(props.nodeModules?.length
          ? {
              nodeModules: props.nodeModules,
              // npm picks optional platform packages (e.g. @resvg/resvg-js-linux-arm64-gnu) by these.
              environment: { npm_config_os: 'linux', npm_config_cpu: 'arm64', npm_config_libc: 'glibc' },
            }
          : {}),
      },
    });

    const cfnFunction = this.function.node.defaultChild as lambda.CfnFunction;
    cfnFunction.addMetadata(ENTRY_METADATA_KEY, this.entry);

    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Failed asynchronous invocations go to an on-failure destination (the FailureQueue), which records the request, the error and the retry count; a DeadLetterConfig on top would deliver every failure twice.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions, so their resource must be "*".',
    });
  }
}

export class InvalidFunctionEntry extends Error {
  override name = 'InvalidFunctionEntry' as const;
}

function normaliseEntry(entry: string): string {
  const relativeEntry = relative(repoRoot, join(repoRoot, entry)).split('\\').join('/');
  if (relativeEntry === '' || relativeEntry.startsWith('..')) {
    throw new InvalidFunctionEntry(
      `Function entry "${entry}" is not a file inside the repository; give a path like functions/name.ts`,
    );
  }
  return relativeEntry;
}
