/**
 * Mailer on SES: SendRawEmail with the MIME composed by shared/mail/compose.ts.
 *
 * The configuration set (SES_CONFIGURATION_SET) records delivery, bounce and complaint events:
 * the proof that a notice reached its recipient. Message tags (e.g. the cycle and the purpose)
 * travel with those events. The endpoint is the SDK's own business (AWS_ENDPOINT_URL_SES locally).
 *
 * SES errors become two named errors the workflow can tell apart: MailRejected (SES will not
 * send this message; retrying the same message will not help) and MailServiceUnavailable
 * (throttled or unreachable; retry later).
 */
import { SESClient, SendRawEmailCommand, type SESClientConfig } from '@aws-sdk/client-ses';
import type { Mailer, SendOptions } from '../mail/outbox.ts';

export class MailRejected extends Error {
  override name = 'MailRejected' as const;
}

export class MailServiceUnavailable extends Error {
  override name = 'MailServiceUnavailable' as const;
}

/** SES errors that a retry of the same message cannot fix. */
const PERMANENT = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'ConfigurationSetDoesNotExistException',
  'ConfigurationSetSendingPausedException',
  'AccountSendingPausedException',
  'InvalidParameterValue',
  'ValidationError',
]);

/** SES tag names and values: letters, digits, _ and -, at most 256 characters. */
function tagValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256) || '_';
}

export interface SesMailerOptions {
  client: SESClient;
  /** Used when a send names none. */
  configurationSet?: string;
}

export class SesMailer implements Mailer {
  readonly #client: SESClient;
  readonly #configurationSet: string | undefined;

  constructor(options: SesMailerOptions) {
    this.#client = options.client;
    this.#configurationSet = options.configurationSet;
  }

  static fromEnv(
    env: Record<string, string | undefined> = process.env,
    config: SESClientConfig = {},
  ): SesMailer {
    const configurationSet = env.SES_CONFIGURATION_SET?.trim();
    return new SesMailer({ client: new SESClient(config), configurationSet: configurationSet || undefined });
  }

  async sendRaw(raw: Buffer, opts: SendOptions = {}): Promise<{ messageId: string }> {
    const configurationSet = opts.configurationSet ?? this.#configurationSet;
    const tags = Object.entries(opts.tags ?? {}).map(([name, value]) => ({
      Name: tagValue(name),
      Value: tagValue(value),
    }));
    let result;
    try {
      result = await this.#client.send(
        new SendRawEmailCommand({
          RawMessage: { Data: raw },
          ConfigurationSetName: configurationSet,
          Tags: tags.length ? tags : undefined,
        }),
      );
    } catch (error) {
      const name = (error as { name?: string }).name ?? 'Error';
      const message = (error as Error).message;
      if (PERMANENT.has(name)) throw new MailRejected(`SES refused the message (${name}): ${message}`);
      throw new MailServiceUnavailable(
        `SES could not take the message now (${name}): ${message}; try again later`,
      );
    }
    if (!result.MessageId)
      throw new MailServiceUnavailable('SES accepted the message but returned no message id');
    return { messageId: result.MessageId };
  }
}
