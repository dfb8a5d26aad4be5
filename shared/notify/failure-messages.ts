/**
 * The message that tells the ISMS manager a workflow step failed: which step, the error, and what to
 * do before restarting it.
 */
import type { NotifierPort } from '../cycle/ports.ts';
import { ismsManager } from '../programme/queries.ts';
import * as templates from '../mail/templates/index.ts';
import type { CycleMail } from './envelope.ts';

export async function failure(
  mail: CycleMail,
  { cycle, programme, error, cause, state }: Parameters<NotifierPort['failure']>[0],
) {
  const manager = ismsManager(programme);
  await mail.send({
    cycle,
    programme,
    key: `failure:${state}:${error}`.slice(0, 190),
    purpose: 'failure',
    to: [manager],
    build: async () =>
      templates.workflowFailure({
        ...mail.addressed(cycle, programme, manager),
        step: state,
        error: { name: error, message: cause },
        occurredAt: mail.options.clock.now().toISOString(),
        executionName: cycle.id,
        consequence: 'The review cycle has stopped at this step; nothing after it has been sent.',
        whatToDo: [
          'Check the cause above and fix it (for example the programme, a mail identity or a permission).',
          `Then restart the step: \`npx isms-review cycle show ${cycle.id}\` shows where it stopped.`,
        ],
      }),
  });
}

/** The failure notice on one envelope: the notifier of the function that records failures. */
export const failureMessages = (mail: CycleMail): Pick<NotifierPort, 'failure'> => ({
  failure: (args) => failure(mail, args),
});
