import {
  readStackFile,
  BACKEND_HELP,
  backendOptions,
  resolveBackend,
  resolveProgrammeId,
} from '../backend.ts';
import { ExitCode, UsageError } from '../output.ts';
import type { Command } from './types.ts';

/** Where the web app is: locally from the running stack, on AWS from ISMS_WEB_URL. */
async function webUrlOf(
  backend: Awaited<ReturnType<typeof resolveBackend>>,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  const given = env.ISMS_WEB_URL?.trim();
  if (backend.kind === 'local' && backend.dataDir !== undefined) {
    const stack = await readStackFile(backend.dataDir);
    const url = stack.env.ISMS_WEB_URL ?? given;
    if (!url) {
      throw new UsageError(
        'The local stack does not say where its web app is: restart it with `npm start` (the web app starts with it).',
      );
    }
    return url;
  }
  if (!given || !/^https:\/\/[^\s/]+/.test(given)) {
    throw new UsageError(
      'Set ISMS_WEB_URL to the web app’s address (https://...), the stack output WebUrl of the deployed stack.',
    );
  }
  return given;
}

export const webSignIn: Command = {
  words: ['web', 'sign-in'],
  usage: 'web sign-in <email> [--programme <id>]',
  summary: 'Email a programme member a link that signs them in to the web app (locally, print it too).',
  help: [
    'Issues a sign-in link for the person with this address and emails it to them, as the sign-in page',
    'does: it works once, for 15 minutes. On the local stack the link is also printed (with --json:',
    '{"url": "..."}), so you can open it without the mailbox; on AWS it is only emailed.',
    'An address that is not that of anyone in the programme gets no link (exit 1).',
    '',
    'Options:',
    '  --programme <id>   default: ISMS_PROGRAMME_ID, or locally the one applied last',
    '',
    BACKEND_HELP,
  ].join('\n'),
  options: { ...backendOptions, programme: { type: 'string' } },
  async run({ positionals, values, out, clock, env }) {
    const [email, ...extra] = positionals;
    if (email === undefined || extra.length > 0) throw new UsageError('Give exactly one email address.');
    if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) {
      throw new UsageError(`"${email.slice(0, 80)}" is not an email address; expected name@example.com.`);
    }
    const backend = await resolveBackend(values, env);
    const programmeId = await resolveProgrammeId(backend, values, env);
    const baseUrl = (await webUrlOf(backend, env)).replace(/\/+$/, '');
    const [{ Wiring }, { repository }, { mailer }, { requestSignIn }] = await Promise.all([
      import('#shared/wiring/wiring.ts'),
      import('#shared/wiring/repository.ts'),
      import('#shared/wiring/mailer.ts'),
      import('#shared/web/sign-in.ts'),
    ]);
    const wiring = new Wiring({ env: process.env, overrides: { clock } });
    const result = await requestSignIn(
      { repo: await wiring.get(repository), mailer: await wiring.get(mailer), clock, programmeId, baseUrl },
      { email, client: 'cli' },
    );
    if (!result.issued) {
      const message = `${email.trim()} is not the address of anyone in programme ${programmeId}: no link was sent (add them to people in the programme file and apply it)`;
      out.error(message);
      out.result({ ok: false, error: message });
      return ExitCode.failed;
    }
    out.say(
      `Sign-in link emailed to ${result.person.name} <${result.person.email}>; it works once, for 15 minutes.`,
    );
    if (backend.kind === 'local') {
      out.say(result.url);
      out.result({ url: result.url });
    } else {
      out.result({ ok: true, sent: true });
    }
    return ExitCode.ok;
  },
};
