/**
 * The Powertools instances every Lambda handler shares: one logger, one metrics object. Configured
 * once here (service name, namespace), as Powertools recommends, so that every function logs and
 * counts alike.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const logger = new Logger({ serviceName: 'isms-review' });
export const metrics = new Metrics({ namespace: 'IsmsReview', serviceName: 'isms-review' });
