/**
 * DynamoDB clients built from the runtime environment contract.
 *
 * TABLE_NAME names the table. The endpoint is the SDK's own business: on AWS the default, locally
 * AWS_ENDPOINT_URL_DYNAMODB (which the SDK reads itself), so this code is the same in both places.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export class MissingConfiguration extends Error {
  override name = 'MissingConfiguration' as const;
}

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
  return { client, doc: documentClient(client), tableName };
}
