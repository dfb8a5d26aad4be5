/**
 * Invokes a Lambda handler in process the way the Lambda service and Step Functions see it:
 * the event and the result go through JSON (as over the wire), an error thrown by the handler becomes
 * a task error whose name is the handler's `err.name` (Lambda's errorType) and whose cause is the JSON
 * `{"errorType","errorMessage","trace"}` Lambda reports, and `lambda:invoke` returns the response
 * envelope Step Functions returns on AWS.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { LOCAL_ACCOUNT, LOCAL_REGION, localFunctionArn, type LocalFunction } from './template.ts';
import type { Json } from './transform.ts';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;
export type ResolveHandler = (logicalId: string, entry?: string) => Promise<LambdaHandler>;

/** An error a task ends with: `name` is the Step Functions error, `message` its cause. */
export class TaskError extends Error {
  constructor(errorName: string, cause: string) {
    super(cause);
    this.name = errorName;
  }
}

export class HandlerNotFound extends Error {
  override name = 'HandlerNotFound' as const;
}

/** Default handler resolution: `import('<repoRoot>/<entry>')` and its `handler` export. */
export function importHandlerFrom(repoRoot: string): ResolveHandler {
  return async (logicalId, entry) => {
    if (!entry) {
      throw new HandlerNotFound(
        `Function ${logicalId} has no isms-review:entry metadata, so no local handler; deploy it with IsmsFunction.`,
      );
    }
    const module = (await import(pathToFileURL(join(repoRoot, entry)).href)) as { handler?: unknown };
    if (typeof module.handler !== 'function') {
      throw new HandlerNotFound(`${entry} (function ${logicalId}) exports no handler function.`);
    }
    return module.handler as LambdaHandler;
  };
}

/** The logical id named by a FunctionName or function ARN (name, name:qualifier, ARN, partial ARN). */
export function functionIdFrom(functionName: string): string {
  const arn = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(:[^:]+)?$/.exec(functionName);
  if (arn?.[1]) return arn[1];
  const partial = /^[^:]+:function:([^:]+)(:[^:]+)?$/.exec(functionName);
  if (partial?.[1]) return partial[1];
  return functionName.split(':')[0] ?? functionName;
}

export class LocalLambda {
  private readonly handlers = new Map<string, Promise<LambdaHandler>>();

  constructor(
    private readonly functions: ReadonlyMap<string, LocalFunction>,
    private readonly resolveHandler: ResolveHandler,
  ) {}

  /**
   * Loads every function's handler now (the first invocation would otherwise do it). A handler that
   * fails to load is not kept: its first invocation reports the error as usual.
   */
  async load(): Promise<void> {
    await Promise.allSettled([...this.functions].map(([logicalId, fn]) => this.handlerOf(logicalId, fn)));
  }

  private handlerOf(logicalId: string, fn: LocalFunction): Promise<LambdaHandler> {
    let handler = this.handlers.get(logicalId);
    if (!handler) {
      handler = this.resolveHandler(logicalId, fn.entry);
      this.handlers.set(logicalId, handler);
      handler.catch(() => this.handlers.delete(logicalId));
    }
    return handler;
  }

  /** Runs the function and returns its JSON result; throws TaskError as Step Functions would see it. */
  async invoke(functionName: string, payload: Json | undefined): Promise<Json> {
    const logicalId = functionIdFrom(functionName);
    const fn = this.functions.get(logicalId);
    if (!fn) {
      throw new TaskError(
        'Lambda.ResourceNotFoundException',
        `Function not found: ${functionName} (the template has ${[...this.functions.keys()].join(', ') || 'no functions'})`,
      );
    }
    const handler = this.handlerOf(logicalId, fn);
    const event: unknown = payload === undefined ? null : JSON.parse(JSON.stringify(payload));
    let result: unknown;
    try {
      result = await (await handler)(event, lambdaContext(logicalId, fn));
    } catch (error) {
      throw taskErrorFrom(error);
    }
    const text = JSON.stringify(result);
    return text === undefined ? null : (JSON.parse(text) as Json);
  }

  /** Step Functions' `lambda:invoke` response envelope around a payload. */
  static invokeResponse(payload: Json): JsonEnvelope {
    const requestId = randomUUID();
    return {
      ExecutedVersion: '$LATEST',
      Payload: payload,
      SdkHttpMetadata: {
        AllHttpHeaders: {
          'X-Amz-Executed-Version': ['$LATEST'],
          'x-amzn-Remapped-Content-Length': ['0'],
          Connection: ['keep-alive'],
          'x-amzn-RequestId': [requestId],
          'Content-Type': ['application/json'],
        },
        HttpHeaders: {
          Connection: 'keep-alive',
          'Content-Type': 'application/json',
          'X-Amz-Executed-Version': '$LATEST',
          'x-amzn-Remapped-Content-Length': '0',
          'x-amzn-RequestId': requestId,
        },
        HttpStatusCode: 200,
      },
      SdkResponseMetadata: { RequestId: requestId },
      StatusCode: 200,
    };
  }
}

type JsonEnvelope = { [key: string]: Json };

/** What the Lambda Node.js runtime reports for a thrown value, as a Step Functions task error. */
export function taskErrorFrom(error: unknown): TaskError {
  const isError = error instanceof Error;
  const errorType = isError && error.name ? error.name : 'Error';
  const errorMessage = isError ? error.message : String(error);
  const trace = isError && error.stack ? error.stack.split('\n') : [];
  return new TaskError(errorType, JSON.stringify({ errorType, errorMessage, trace }));
}

function lambdaContext(logicalId: string, fn: LocalFunction): Context {
  const started = Date.now();
  const timeoutMs = (fn.timeoutSeconds ?? 3) * 1000;
  const fail = () => {
    throw new Error('Callback-style Lambda context methods are not supported; return a promise.');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: logicalId,
    functionVersion: '$LATEST',
    invokedFunctionArn: localFunctionArn(logicalId),
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${logicalId}`,
    logStreamName: `local/${LOCAL_REGION}/${LOCAL_ACCOUNT}`,
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
    done: fail,
    fail,
    succeed: fail,
  };
}
