/**
 * The web app's settings as the environment gives them on AWS (and to a test): the session key
 * (WEB_SESSION_KEY_SECRET_ARN names the Secrets Manager secret, its AWSCURRENT value; WEB_SESSION_KEY
 * holds the hex key itself where there is no secret), the programme (PROGRAMME_ID) and the address
 * the app is reached at (WEB_BASE_URL), for the links in sign-in mail. Each is checked here, so a
 * function with a bad setting fails at its first request with a message that says what to set.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ProgrammeId } from '../model/common.ts';
import { WebSettingInvalid } from '../web/errors.ts';
import { sessionKey } from '../web/session.ts';

/** The web session key: WEB_SESSION_KEY when set, else the secret WEB_SESSION_KEY_SECRET_ARN names. */
export async function webSessionKeyFromEnv(
  env: NodeJS.ProcessEnv,
  secrets: Pick<SecretsManagerClient, 'send'>,
): Promise<Buffer> {
  const local = env.WEB_SESSION_KEY?.trim() || undefined;
  const secretArn = env.WEB_SESSION_KEY_SECRET_ARN?.trim() || undefined;
  let value = local;
  if (!value && secretArn) {
    const out = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
    value = out.SecretString?.trim() || undefined;
    if (!value) {
      throw new WebSettingInvalid(
        'the WEB_SESSION_KEY_SECRET_ARN secret has no text value: put 64 hex digits in it (`openssl rand -hex 32`)',
      );
    }
  }
  if (!value) {
    throw new WebSettingInvalid(
      'no web session key: set WEB_SESSION_KEY_SECRET_ARN (AWS) or WEB_SESSION_KEY to 64 hex digits',
    );
  }
  try {
    return sessionKey(value);
  } catch (error) {
    if (error instanceof WebSettingInvalid) {
      throw new WebSettingInvalid(
        `${local ? 'WEB_SESSION_KEY' : 'the WEB_SESSION_KEY_SECRET_ARN secret'}: ${error.message}`,
      );
    }
    throw error;
  }
}

/** The programme the web app serves (PROGRAMME_ID). */
export function webProgrammeIdFromEnv(env: NodeJS.ProcessEnv): string {
  const given = env.PROGRAMME_ID?.trim() ?? '';
  const parsed = ProgrammeId.safeParse(given);
  if (!parsed.success) {
    throw new WebSettingInvalid(
      given
        ? `PROGRAMME_ID "${given.slice(0, 60)}" is not a programme id: ${parsed.error.issues[0]?.message ?? 'invalid'}`
        : 'PROGRAMME_ID is not set: set it to the id of the programme the web app serves (organisation.id)',
    );
  }
  return parsed.data;
}

/**
 * Where the web app is reached (WEB_BASE_URL): an https origin, with no query or fragment; a trailing
 * slash is dropped. http is accepted for loopback addresses only (a local run).
 */
export function webBaseUrlFromEnv(env: NodeJS.ProcessEnv): string {
  const given = env.WEB_BASE_URL?.trim() ?? '';
  const refuse = (why: string) =>
    new WebSettingInvalid(
      `WEB_BASE_URL ${given ? `"${given.slice(0, 120)}" ` : ''}${why}: set it to the address people open, e.g. https://review.example.com`,
    );
  if (!given) throw refuse('is not set');
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw refuse('is not a URL');
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw refuse('must start with https://');
  }
  if (url.search || url.hash || url.username || url.password) {
    throw refuse('must have no query, fragment or credentials');
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}
