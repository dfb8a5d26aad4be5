/** The review's records: the DynamoDB table (TABLE_NAME) and its event log (EVENTS_TABLE_NAME). */
import { repositoryFromEnv } from '../adapters/dynamodb-repository.ts';
import { part } from './wiring.ts';

export const repository = part('repo', (wiring) => repositoryFromEnv(wiring.env));
