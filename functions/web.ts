// functions/web.ts: the web app (web/app.ts) behind the API Gateway HTTP API, through Hono's AWS
// Lambda adapter.
//
// The event is checked to be an HTTP API (payload 2.0) request; the app is built once per execution
// environment from the web parts (shared/wiring/web.ts): the session keys derived from the reply
// keyring (read once from the secret REPLY_KEY_SECRET_ARN names), the programme from PROGRAMME_ID, the
// base URL from WEB_BASE_URL.
// The sign-in rate limit counts by the caller's address as API Gateway saw it.
import { getConnInfo, handle } from 'hono/aws-lambda';
import type { LambdaEvent } from 'hono/aws-lambda';
import * as z from 'zod';
import { lambdaHandler } from '#shared/wiring/handler.ts';
import { webFunctionParts } from '#shared/wiring/web.ts';
import type { Wired, Wiring } from '#shared/wiring/wiring.ts';
import { createWebApp } from '#web/app.ts';

export class InvalidWebEvent extends Error {
  override name = 'InvalidWebEvent' as const;
  constructor(issues: string) {
    super(
      `not an API Gateway HTTP API request (payload format 2.0): ${issues}; invoke this function through the web API only`,
    );
  }
}

/** An HTTP API request, payload format 2.0: what the adapter reads of it (the rest passes through). */
export const WebEvent = z.looseObject({
  version: z.literal('2.0'),
  rawPath: z.string().startsWith('/'),
  rawQueryString: z.string(),
  headers: z.record(z.string(), z.string()),
  cookies: z.array(z.string()).optional(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean(),
  requestContext: z.looseObject({
    http: z.looseObject({ method: z.string().min(1), sourceIp: z.string() }),
  }),
});

type WebDeps = Wired<typeof webFunctionParts>;
type WebRequestHandler = ReturnType<typeof handle>;

/** The app of one set of built parts (one per wiring: once per execution environment). */
const apps = new WeakMap<WebDeps['repo'], WebRequestHandler>();

function appOf(deps: WebDeps): WebRequestHandler {
  let app = apps.get(deps.repo);
  if (!app) {
    app = handle(
      createWebApp({
        ...deps,
        clientAddress: (c) => getConnInfo(c).remote.address ?? 'unknown',
      }),
    );
    apps.set(deps.repo, app);
  }
  return app;
}

/** The handler on `wiring` (default: this process's, from process.env). */
export function webHandler(wiring?: () => Wiring) {
  return lambdaHandler({
    event: WebEvent,
    invalidEvent: InvalidWebEvent,
    deps: webFunctionParts,
    workflowStep: false,
    ...(wiring ? { wiring } : {}),
    run: (deps, event) => appOf(deps)(event as unknown as LambdaEvent),
    report: (response, { count }) => {
      // Requests are in the API's access log; here only what an alarm may watch.
      count('WebRequest');
      if (response.statusCode >= 500) count('WebServerError');
    },
  });
}

export const handler = webHandler();
