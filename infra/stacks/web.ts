/**
 * Web: when the registry has the `web` function, the API Gateway HTTP API in front of it: one
 * `$default` route to the function, a `$default` stage with throttling and JSON access logs into a log
 * group with a retention, and the WebUrl output. The web app's session keys have no secret of their
 * own: the function derives them from the reply keyring it reads (`replyKey:read`; shared/web/session.ts).
 *
 * WAF: an HTTP API cannot take a WAF web ACL itself. To filter requests with WAF, put a CloudFront
 * distribution with a web ACL in front of it (README, "Deploy to AWS") and set the context value
 * `isms-review:webBaseUrl` to the distribution's address, so that sign-in links point there.
 */
import { CfnOutput, Validations } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IsmsFunction } from '#infra/constructs/isms-function.ts';
import { InvalidStackInput } from './stack-input.ts';

/** The registry id of the function the HTTP API invokes. */
export const WEB_FUNCTION_ID = 'web';

/** Context key: where people reach the web app when it is not the API's own URL (CloudFront, a domain). */
export const WEB_BASE_URL_CONTEXT = 'isms-review:webBaseUrl';

/**
 * The stage's limits for every route together: requests per second on average, and the burst. The
 * web app serves a few dozen people of one organisation; a flood is refused with 429 here, before it
 * reaches the function (the sign-in page has its own, per-address limits as well).
 */
export const WEB_THROTTLE = { rateLimit: 20, burstLimit: 40 } as const;

/**
 * What the access log records of each request: who asked, when, the method, the status, the sizes
 * and times, and the errors. Not the path or the query: a sign-in link carries its secret in the path.
 */
export const WEB_ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  method: '$context.httpMethod',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
};

export interface Web {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.LogGroup;
  /** Where people reach the app: the context value, else the API's own https URL. */
  readonly baseUrl: string;
}

/** The HTTP API in front of the `web` function, or undefined when the registry has none. */
export function createWebApi(
  stack: Stack,
  functions: ReadonlyMap<string, IsmsFunction>,
  dataKey: kms.IKey,
): Web | undefined {
  const fn = functions.get(WEB_FUNCTION_ID);
  if (!fn) return undefined;

  const accessLogs = new logs.LogGroup(stack, 'WebApiAccessLogs', {
    retention: logs.RetentionDays.ONE_YEAR,
    encryptionKey: dataKey,
  });
  const api = new apigwv2.HttpApi(stack, 'WebApi', {
    description: 'isms-review web app',
    defaultIntegration: new HttpLambdaIntegration('WebIntegration', fn.function),
    createDefaultStage: false,
  });
  const stage = api.addStage('DefaultStage', {
    stageName: '$default',
    autoDeploy: true,
    throttle: WEB_THROTTLE,
    accessLogSettings: {
      destination: new apigwv2.LogGroupLogDestination(accessLogs),
      format: AccessLogFormat.custom(JSON.stringify(WEB_ACCESS_LOG_FIELDS)),
    },
  });

  for (const route of api.node.findAll().filter((c) => c instanceof apigwv2.HttpRoute)) {
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        "The web app authenticates in the function: sign-in by emailed link, then a signed session cookie checked (with the viewer's roles) at every request; the sign-in pages must be reachable without one.",
    });
  }

  const baseUrl = webBaseUrl(stack, api);
  fn.function.addEnvironment('WEB_BASE_URL', baseUrl);
  new CfnOutput(stack, 'WebUrl', {
    value: `${baseUrl}/`,
    description: 'The web app (ISMS_WEB_URL for `isms-review web sign-in`)',
  });
  new CfnOutput(stack, 'WebApiUrl', {
    value: `${api.apiEndpoint}/`,
    description: 'The HTTP API itself: the origin for a CloudFront distribution with a WAF web ACL',
  });
  return { api, stage, accessLogs, baseUrl };
}

function webBaseUrl(stack: Stack, api: apigwv2.HttpApi): string {
  const given: unknown = stack.node.tryGetContext(WEB_BASE_URL_CONTEXT);
  if (given === undefined || given === '') return api.apiEndpoint;
  if (typeof given !== 'string' || !/^https:\/\/[a-z0-9.-]+(:\d+)?(\/[^\s?#]*)?$/i.test(given)) {
    throw new InvalidStackInput(
      `${WEB_BASE_URL_CONTEXT}: "${String(given)}" is not an https address; expected e.g. https://review.example.com`,
    );
  }
  return given.replace(/\/+$/, '');
}
