/**
 * The Step Functions API on a local port, for `@aws-sdk/client-sfn` unchanged (set its `endpoint`,
 * or AWS_ENDPOINT_URL_SFN, to `endpoint`). It speaks AWS JSON 1.0 as Step Functions does:
 * `POST /` with `X-Amz-Target: AWSStepFunctions.<Action>` and a JSON body; dates are epoch seconds;
 * an error is HTTP 400 with `{"__type": "<ErrorCode>", "message": ...}` so the SDK throws its named
 * exception (TaskDoesNotExist, ExecutionAlreadyExists, ...).
 *
 * Actions: StartExecution, SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat, DescribeExecution,
 * ListExecutions, StopExecution. Request signatures are not checked (local only, bound to 127.0.0.1).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { ExecutionDescription, ExecutionListItem, LocalStateMachineRuntime } from './runtime.ts';
import { EXECUTION_STATUSES } from './store.ts';

const MAX_BODY_BYTES = 1_048_576;

export interface SfnApiServerOptions {
  /** 0 or absent: a free port. */
  port?: number;
  host?: string;
  log?: (line: string) => void;
}

export interface RunningSfnApiServer {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

const optional = z.string().optional();
const requests = {
  StartExecution: z.object({
    stateMachineArn: z.string(),
    name: optional,
    input: optional,
    traceHeader: optional,
  }),
  SendTaskSuccess: z.object({ taskToken: z.string(), output: z.string() }),
  SendTaskFailure: z.object({ taskToken: z.string(), error: optional, cause: optional }),
  SendTaskHeartbeat: z.object({ taskToken: z.string() }),
  DescribeExecution: z.object({ executionArn: z.string(), includedData: optional }),
  ListExecutions: z.object({
    stateMachineArn: optional,
    statusFilter: z.enum([...EXECUTION_STATUSES, 'PENDING_REDRIVE']).optional(),
    maxResults: z.number().int().min(0).max(1000).optional(),
    nextToken: optional,
  }),
  StopExecution: z.object({ executionArn: z.string(), error: optional, cause: optional }),
} as const;
type Action = keyof typeof requests;

class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** Errors the runtime raises whose name is a Step Functions error code. */
const SFN_ERROR_CODES = new Set([
  'ExecutionAlreadyExists',
  'ExecutionDoesNotExist',
  'StateMachineDoesNotExist',
  'TaskDoesNotExist',
  'TaskTimedOut',
  'InvalidToken',
  'InvalidOutput',
  'InvalidName',
  'InvalidArn',
  'InvalidExecutionInput',
  'ValidationException',
]);

export function startSfnApiServer(
  runtime: LocalStateMachineRuntime,
  options: SfnApiServerOptions = {},
): Promise<RunningSfnApiServer> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const server = createServer((request, response) => {
    handle(runtime, request, response).catch((error: unknown) => {
      log(`sfn api: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      if (!response.headersSent)
        send(response, 500, { __type: 'InternalFailure', message: 'Internal failure.' });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        endpoint: `http://${host}:${port}`,
        port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function handle(runtime: LocalStateMachineRuntime, request: IncomingMessage, response: ServerResponse) {
  try {
    if (request.method !== 'POST')
      throw new ApiError('UnknownOperationException', 'Only POST / is served.', 404);
    const target = String(request.headers['x-amz-target'] ?? '');
    const action = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
    if (!(action in requests)) {
      throw new ApiError(
        'UnknownOperationException',
        `Unsupported operation ${target || '(no X-Amz-Target)'}.`,
      );
    }
    const body = await readJson(request);
    const parsed = requests[action as Action].safeParse(body);
    if (!parsed.success) throw new ApiError('ValidationException', z.prettifyError(parsed.error));
    send(response, 200, await dispatch(runtime, action as Action, parsed.data));
  } catch (error) {
    if (error instanceof ApiError) {
      send(response, error.status, { __type: error.code, message: error.message });
      return;
    }
    const name = (error as Error | null)?.name ?? '';
    if (SFN_ERROR_CODES.has(name)) {
      send(response, 400, { __type: name, message: (error as Error).message });
      return;
    }
    throw error;
  }
}

async function dispatch(runtime: LocalStateMachineRuntime, action: Action, data: Record<string, unknown>) {
  const str = (key: string) => data[key] as string;
  const opt = (key: string) => data[key] as string | undefined;
  switch (action) {
    case 'StartExecution': {
      const started = await runtime.startExecution({
        stateMachineArn: str('stateMachineArn'),
        ...(opt('name') !== undefined ? { name: str('name') } : {}),
        ...(opt('input') !== undefined ? { input: str('input') } : {}),
      });
      return { executionArn: started.executionArn, startDate: epochSeconds(started.startDate) };
    }
    case 'SendTaskSuccess':
      await runtime.sendTaskSuccess(str('taskToken'), str('output'));
      return {};
    case 'SendTaskFailure':
      await runtime.sendTaskFailure(str('taskToken'), opt('error'), opt('cause'));
      return {};
    case 'SendTaskHeartbeat':
      await runtime.sendTaskHeartbeat(str('taskToken'));
      return {};
    case 'DescribeExecution': {
      const description = await runtime.describeExecution(str('executionArn'));
      return wireDescription(description, data['includedData'] !== 'METADATA_ONLY');
    }
    case 'ListExecutions': {
      const arn = opt('stateMachineArn');
      if (arn !== undefined && arn !== runtime.stateMachineArn) {
        throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
      }
      const status = data['statusFilter'] as ExecutionListItem['status'] | 'PENDING_REDRIVE' | undefined;
      if (status === 'PENDING_REDRIVE') return { executions: [] };
      const all = await runtime.listExecutions(status ? { statusFilter: status } : {});
      const offset = opt('nextToken') !== undefined ? Number.parseInt(str('nextToken'), 10) : 0;
      if (!Number.isInteger(offset) || offset < 0) throw new ApiError('InvalidToken', 'Invalid nextToken.');
      const max = (data['maxResults'] as number | undefined) || 100;
      const page = all.slice(offset, offset + max);
      const next = offset + max < all.length ? { nextToken: String(offset + max) } : {};
      return { executions: page.map(wireListItem), ...next };
    }
    case 'StopExecution': {
      const stopped = await runtime.stopExecution(str('executionArn'), {
        ...(opt('error') !== undefined ? { error: str('error') } : {}),
        ...(opt('cause') !== undefined ? { cause: str('cause') } : {}),
      });
      return { stopDate: epochSeconds(stopped.stopDate) };
    }
  }
}

function wireListItem(item: ExecutionListItem) {
  return {
    executionArn: item.executionArn,
    stateMachineArn: item.stateMachineArn,
    name: item.name,
    status: item.status,
    startDate: epochSeconds(item.startDate),
    ...(item.stopDate ? { stopDate: epochSeconds(item.stopDate) } : {}),
  };
}

function wireDescription(description: ExecutionDescription, includeData: boolean) {
  return {
    ...wireListItem(description),
    ...(includeData ? { input: description.input, inputDetails: { included: true } } : {}),
    ...(includeData && description.output !== undefined
      ? { output: description.output, outputDetails: { included: true } }
      : {}),
    ...(description.error !== undefined ? { error: description.error } : {}),
    ...(description.cause !== undefined ? { cause: description.cause } : {}),
    redriveCount: 0,
    redriveStatus: 'NOT_REDRIVABLE',
  };
}

const epochSeconds = (date: Date) => date.getTime() / 1000;

function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError('ValidationException', `Request body larger than ${MAX_BODY_BYTES} bytes.`, 413));
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new ApiError('SerializationException', 'The request body is not JSON.'));
      }
    });
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    ...(status >= 400 && typeof body === 'object' && body !== null && '__type' in body
      ? { 'x-amzn-ErrorType': String((body as { __type: unknown }).__type) }
      : {}),
  });
  response.end(text);
}
