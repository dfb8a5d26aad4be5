/**
 * DynamoDB clients built from the runtime environment contract.
 *
 * TABLE_NAME names the table. The endpoint is the SDK's own business: on AWS the default, locally
 * AWS_ENDPOINT_URL_DYNAMODB (which the SDK reads itself), so this code is the same in both places.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MissingConfiguration } from './configuration.ts';

// Still exported here, where it was first declared, for the modules that import it from here.
export { MissingConfiguration };

export interface DynamoClients {
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** A document client that drops undefined values (optional fields) and keeps numbers as numbers. */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}

type ClientHook = (client: DynamoDBClient) => void;
const clientHooks = new Set<ClientHook>();

/**
 * Calls `hook` with every client createDynamoClients builds from now on (the request counter in
 * the bench and tests attaches its middleware this way). Returns a function that removes the hook.
 */
export function onDynamoClientCreated(hook: ClientHook): () => void {
  clientHooks.add(hook);
  return () => clientHooks.delete(hook);
}

export function createDynamoClients(
  env: Record<string, string | undefined> = process.env,
  config: DynamoDBClientConfig = {},
): DynamoClients {
  const tableName = env.TABLE_NAME?.trim();
  if (!tableName) {
    throw new MissingConfiguration(
      'TABLE_NAME is not set: set it to the DynamoDB table name (the stack sets it on every function; locally `npm start` prints it)',
    );
  }
  const client = new DynamoDBClient(config);
  for (const hook of clientHooks) hook(client);
  return { client, doc: documentClient(client), tableName };
}
