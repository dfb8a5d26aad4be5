/**
 * The web app on AWS: one function behind an API Gateway HTTP API whose $default stage is throttled
 * and writes JSON access logs (without paths: sign-in links carry their secret there) to a log group
 * with a retention; no session key secret: the function derives its session keys from the reply
 * keyring it reads, named in its environment by ARN and never by value; the web address as a stack
 * output.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { functions as registry } from '#infra/functions.ts';
import { unacknowledgedFindings } from '#infra/nag.ts';
import { createIsmsReviewApp } from '#infra/stacks/app.ts';
import {
  InvalidStackInput,
  WEB_BASE_URL_CONTEXT,
  WEB_FUNCTION_ID,
  WEB_THROTTLE,
} from '#infra/stacks/isms-review-stack.ts';
import { INGEST_FUNCTION_ID } from '#infra/stacks/workflow.ts';
import {
  actionsOf,
  allPolicyStatements,
  logicalId,
  resource,
  resourcesOf,
  resourcesOfType,
  roleStatements,
  testContext,
  testProgramme,
} from './support.ts';

const build = (context: Record<string, unknown> = {}, functions = registry) =>
  createIsmsReviewApp({
    programme: testProgramme,
    functions,
    context: { ...testContext(), ...context },
    cloudFormationValidation: false,
    nag: false,
  });

const { app, stack } = build();
const template = Template.fromStack(stack);
const web = stack.web!;
const webFn = stack.functions.get(WEB_FUNCTION_ID)!;
const replyKeyId = logicalId(stack.replyKeySecret);
const variables = () =>
  (
    resource(template, logicalId(webFn.function)).Properties?.Environment as {
      Variables: Record<string, unknown>;
    }
  ).Variables;
const outputs = () => template.toJSON().Outputs as Record<string, { Value: unknown; Description?: string }>;

describe('bad web settings', () => {
  it('refuses a web address that is not https, naming the context key', () => {
    expect(() => build({ [WEB_BASE_URL_CONTEXT]: 'http://review.example.com' })).toThrow(InvalidStackInput);
    expect(() => build({ [WEB_BASE_URL_CONTEXT]: 'review.example.com' })).toThrow(
      /isms-review:webBaseUrl: "review.example.com" is not an https address/,
    );
  });

  it('builds no API and no web output without the web function', () => {
    const without = build(
      {},
      registry.filter((spec) => spec.id !== WEB_FUNCTION_ID),
    );
    expect(without.stack.web).toBeUndefined();
    const t = Template.fromStack(without.stack);
    expect(resourcesOfType(t, 'AWS::ApiGatewayV2::Api')).toHaveLength(0);
    expect(Object.keys(t.toJSON().Outputs as object)).not.toContain('WebUrl');
  });
});

describe('the web API', () => {
  it('leaves no cdk-nag finding unacknowledged', () => {
    const findings = unacknowledgedFindings(app);
    expect(findings).toEqual([]);
  });

  it('is one HTTP API whose only route, $default, invokes the web function (payload 2.0)', () => {
    const apis = resourcesOfType(template, 'AWS::ApiGatewayV2::Api');
    expect(apis).toHaveLength(1);
    expect(apis[0]![1].Properties).toMatchObject({ ProtocolType: 'HTTP' });
    const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route');
    expect(routes.map(([, r]) => r.Properties?.RouteKey)).toEqual(['$default']);
    const integrations = resourcesOfType(template, 'AWS::ApiGatewayV2::Integration');
    expect(integrations).toHaveLength(1);
    expect(integrations[0]![1].Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [logicalId(webFn.function), 'Arn'] },
    });
    // Only this API may invoke the function through API Gateway.
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission').filter(
      ([, p]) => p.Properties?.Principal === 'apigateway.amazonaws.com',
    );
    expect(permissions).toHaveLength(1);
    expect(permissions[0]![1].Properties?.FunctionName).toEqual({
      'Fn::GetAtt': [logicalId(webFn.function), 'Arn'],
    });
    expect(JSON.stringify(permissions[0]![1].Properties?.SourceArn)).toContain(logicalId(web.api));
  });

  it('has a $default stage, deployed automatically, with throttling and JSON access logs', () => {
    const stages = resourcesOfType(template, 'AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    const props = stages[0]![1].Properties!;
    expect(props).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: WEB_THROTTLE.rateLimit,
        ThrottlingBurstLimit: WEB_THROTTLE.burstLimit,
      },
    });
    expect(WEB_THROTTLE.rateLimit).toBeGreaterThan(0);
    expect(WEB_THROTTLE.burstLimit).toBeGreaterThanOrEqual(WEB_THROTTLE.rateLimit);
    const access = props.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(access.DestinationArn).toEqual({ 'Fn::GetAtt': [logicalId(web.accessLogs), 'Arn'] });
    const format = JSON.parse(access.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      sourceIp: '$context.identity.sourceIp',
      method: '$context.httpMethod',
      status: '$context.status',
    });
    // No path or query: a sign-in link carries its secret in the path.
    expect(access.Format).not.toMatch(/\$context\.(path|routeKey|resourcePath)|querystring/i);
  });

  it('writes its access logs to a log group kept a year, under the data key', () => {
    expect(resource(template, logicalId(web.accessLogs)).Properties).toMatchObject({
      RetentionInDays: 365,
      KmsKeyId: { 'Fn::GetAtt': [logicalId(stack.dataKey), 'Arn'] },
    });
  });

  it('gives the web address and the API address as outputs, and the address to the function', () => {
    const endpoint = { 'Fn::GetAtt': [logicalId(web.api), 'ApiEndpoint'] };
    expect(outputs().WebUrl?.Value).toEqual({ 'Fn::Join': ['', [endpoint, '/']] });
    expect(outputs().WebUrl?.Description).toMatch(/ISMS_WEB_URL/);
    expect(outputs().WebApiUrl?.Value).toEqual({ 'Fn::Join': ['', [endpoint, '/']] });
    expect(variables().WEB_BASE_URL).toEqual(endpoint);
  });

  it('sends sign-in links to the address the context names (behind CloudFront), keeping the API output', () => {
    const given = build({ [WEB_BASE_URL_CONTEXT]: 'https://review.example.com/' });
    const t = Template.fromStack(given.stack);
    const fn = given.stack.functions.get(WEB_FUNCTION_ID)!;
    const env = (
      resource(t, logicalId(fn.function)).Properties?.Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(env.WEB_BASE_URL).toBe('https://review.example.com');
    const out = t.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(out.WebUrl?.Value).toBe('https://review.example.com/');
    expect(JSON.stringify(out.WebApiUrl?.Value)).toContain('ApiEndpoint');
  });
});

describe('the web function and its session keys', () => {
  it("has no secret of its own: the reply keyring is the stack's one secret, and no output names another", () => {
    expect(resourcesOfType(template, 'AWS::SecretsManager::Secret').map(([id]) => id)).toEqual([replyKeyId]);
    expect(Object.keys(outputs()).filter((name) => /Session/i.test(name))).toEqual([]);
  });

  it('names the reply keyring by ARN in the environment, never a key value', () => {
    const env = variables();
    expect(env.REPLY_KEY_SECRET_ARN).toEqual({ Ref: replyKeyId });
    expect(env.WEB_SESSION_KEY_SECRET_ARN).toBeUndefined();
    expect(env.WEB_SESSION_KEY).toBeUndefined();
    expect(env.PROGRAMME_ID).toBe(testProgramme.organisation.id);
    for (const [name, value] of Object.entries(env)) {
      expect(name, 'no variable holds a key').not.toMatch(/KEY$/);
      expect(JSON.stringify(value)).not.toMatch(/[0-9a-f]{64}/);
    }
  });

  it('reads the reply keyring (GetSecretValue, DescribeSecret) and cannot change it', () => {
    const onSecret = roleStatements(template, logicalId(webFn.role)).filter((s) =>
      JSON.stringify(s.Resource).includes(`"${replyKeyId}"`),
    );
    expect(onSecret.flatMap(actionsOf).sort()).toEqual([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
    ]);
    expect(onSecret.flatMap(resourcesOf).filter((r) => !r.includes(`"${replyKeyId}"`))).toEqual([]);
    // Its data key: the one the function already decrypts the table with.
    const onKey = roleStatements(template, logicalId(webFn.role)).filter((s) =>
      JSON.stringify(s.Resource).includes(`"${logicalId(stack.dataKey)}"`),
    );
    expect(onKey.flatMap(actionsOf)).toContain('kms:Decrypt');
  });

  it('holds exactly the grants its pages need: the table, mail, the workflow (resume, start), evidence, raw mail, the reply key, the anchoring key’s public half', () => {
    const actions = new Set(
      roleStatements(template, logicalId(webFn.role))
        .flatMap(actionsOf)
        .filter((a) => !/^(logs|xray|sqs):/.test(a)),
    );
    for (const needed of [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:Query',
      'ses:SendRawEmail',
      'states:SendTaskSuccess',
      // Starting a cycle (`cycle start`); the evidence bundle reads raw mail received before copies
      // were kept in the evidence bucket.
      'states:StartExecution',
      's3:GetObject',
      's3:PutObject',
      'secretsmanager:GetSecretValue',
      // The evidence page verifies the anchors' signatures with the anchoring key's public half.
      'kms:GetPublicKey',
    ]) {
      expect(actions, needed).toContain(needed);
    }
    for (const never of ['dynamodb:Scan', 'dynamodb:DeleteItem', 'kms:Sign']) {
      expect(actions, never).not.toContain(never);
    }
  });

  it('releases held mail through the ingest function: may invoke it and no other function, named in its environment', () => {
    const ingestFn = stack.functions.get(INGEST_FUNCTION_ID)!;
    const statements = roleStatements(template, logicalId(webFn.role));
    const lambda = statements.filter((statement) =>
      actionsOf(statement).some((a) => a.startsWith('lambda:')),
    );
    expect(lambda.map((statement) => [actionsOf(statement), resourcesOf(statement)])).toEqual([
      [['lambda:InvokeFunction'], [JSON.stringify({ 'Fn::GetAtt': [logicalId(ingestFn.function), 'Arn'] })]],
    ]);
    expect(variables().INGEST_FUNCTION_NAME).toEqual({ Ref: logicalId(ingestFn.function) });
    // No other function role may invoke the ingest function, and no other function is told its name.
    const invokers = allPolicyStatements(template).filter(
      ({ statement }) =>
        actionsOf(statement).includes('lambda:InvokeFunction') &&
        JSON.stringify(statement.Resource).includes(`"${logicalId(ingestFn.function)}"`),
    );
    expect(invokers.flatMap(({ roles }) => roles)).toEqual([logicalId(webFn.role)]);
    for (const [id, fn] of stack.functions) {
      if (id === WEB_FUNCTION_ID) continue;
      const env = (
        resource(template, logicalId(fn.function)).Properties?.Environment as {
          Variables: Record<string, unknown>;
        }
      ).Variables;
      expect(env.INGEST_FUNCTION_NAME, id).toBeUndefined();
    }
  });

  it('refuses a registry in which a function holds ingest:invoke before the ingest function is built', () => {
    const webSpec = registry.find((spec) => spec.id === WEB_FUNCTION_ID)!;
    const reordered = [webSpec, ...registry.filter((spec) => spec.id !== WEB_FUNCTION_ID)];
    expect(() => build({}, reordered)).toThrow(InvalidStackInput);
    expect(() => build({}, reordered)).toThrow(
      /functions\/web.ts holds ingest:invoke, but no "ingest-email" is built before it/,
    );
  });
});
