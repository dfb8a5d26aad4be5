/**
 * The web app's settings as the environment gives them on AWS (and to a test): the programme
 * (PROGRAMME_ID) and the address the app is reached at (WEB_BASE_URL), for the links in sign-in mail.
 * Each is checked here, so a function with a bad setting fails at its first request with a message
 * that says what to set. (The session keys are no setting: they are derived from the reply keyring,
 * shared/web/session.ts.)
 */
import { ProgrammeId } from '../model/common.ts';
import { WebSettingInvalid } from '../web/errors.ts';

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
