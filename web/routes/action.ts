/**
 * An action's page and its forms (web/pages/action.ts). Every change goes through `changeAction`
 * (shared/actions/register.ts), the use case the reply email and `isms-review action ...` use, with
 * the source `web` naming who was signed in: the same checks, the same history entry and event, the
 * same messages sent. A form that does not read, or a change the register refuses, answers 400 with
 * the page and what is wrong, and changes nothing; a change answers 303 to the page, which says what
 * was recorded (POST, redirect, GET).
 */
import type { Context, Hono } from 'hono';
import { ActionClosed, changeAction, InvalidActionChange } from '#shared/actions/register.ts';
import type { ActionCommand } from '#shared/actions/register.ts';
import type { Action } from '#shared/model/action.ts';
import { ActionId } from '#shared/model/ids.ts';
import { UnknownPerson } from '#shared/programme/queries.ts';
import {
  closureCommand,
  decisionOf,
  doneCommand,
  extendCommand,
  extensionAnswer,
  FormProblems,
  progressCommand,
  updateCommand,
  type FormFields,
} from '#shared/web/manage-forms.ts';
import type { WebAction } from '#shared/web/authorise.ts';
import { can } from '#shared/web/authorise.ts';
import { todayIn } from '#shared/web/views.ts';
import { ACTION_FORMS, actionPage, type ActionForm, type ActionPageData } from '../pages/action.ts';
import { NotFoundHere, type ManageDeps, type ManageKit, type WebEnv } from './kit.ts';

/** Who may use each form, and the command (and who it is recorded for) it gives. */
const FORMS: Record<
  ActionForm,
  {
    readonly may: WebAction;
    readonly read: (
      form: FormFields,
      c: Context<WebEnv>,
    ) => { command: ActionCommand; by?: string } | ActionCommand;
  }
> = {
  done: { may: 'report-on-action', read: doneCommand },
  progress: { may: 'report-on-action', read: progressCommand },
  extend: { may: 'report-on-action', read: extendCommand },
  update: { may: 'update-action', read: updateCommand },
  closure: { may: 'update-action', read: closureCommand },
  extension: {
    may: 'record-management-answer',
    read: (form, c) => extensionAnswer(form, c.get('programme')),
  },
  decision: { may: 'record-management-answer', read: (form, c) => decisionOf(form, c.get('programme')) },
};

const isForm = (name: string): name is ActionForm => (ACTION_FORMS as readonly string[]).includes(name);

/** The text fields of a form, kept to be shown again when it is refused (each cut to its limit). */
function keptValues(form: FormFields): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(form)) {
    if (name !== '_csrf' && typeof value === 'string') kept[name] = value.slice(0, 4000);
  }
  return kept;
}

export function registerActionRoutes(app: Hono<WebEnv>, deps: ManageDeps, kit: ManageKit): void {
  /** The action a URL names, of this programme; NotFoundHere otherwise (another programme's too). */
  const actionOf = async (c: Context<WebEnv>): Promise<Action> => {
    const id = c.req.param('id') ?? '';
    if (id.length > 64 || !ActionId.safeParse(id).success) {
      throw new NotFoundHere('there is no such action: action ids look like A-20270301T0900Z-Q-001');
    }
    const action = await deps.repo.getAction(id);
    if (!action || action.programmeId !== c.get('programme').organisation.id) {
      throw new NotFoundHere('there is no such action');
    }
    return action;
  };

  const resource = (action: Action) =>
    ({ kind: 'action', programmeId: action.programmeId, ownerId: action.ownerId }) as const;

  const render = async (
    c: Context<WebEnv>,
    action: Action,
    extra: Pick<ActionPageData, 'done' | 'refused'>,
    status: 200 | 400 = 200,
  ) => {
    const cycle = await deps.repo.getCycle(action.cycleId);
    if (!cycle) throw new NotFoundHere('there is no such action');
    const viewer = c.get('viewer');
    return c.html(
      actionPage(kit.pageOf(c), {
        action,
        cycle,
        today: todayIn(c.get('programme'), deps.clock.now()),
        ownerForms: can(viewer, 'report-on-action', resource(action)),
        managerForms: can(viewer, 'update-action', resource(action)),
        ...extra,
      }),
      status,
    );
  };

  app.get(
    '/actions/:id',
    kit.guard(async (c) => {
      const action = await actionOf(c);
      kit.demand(c, 'view-action', resource(action));
      const done = c.req.query('done');
      if (done !== undefined && !isForm(done)) {
        return kit.badRequest(c, `done takes one of ${ACTION_FORMS.join(', ')}; nothing was changed`);
      }
      return render(c, action, done ? { done } : {});
    }),
  );

  app.post(
    '/actions/:id/:form',
    kit.guard(async (c) => {
      const name = c.req.param('form') ?? '';
      if (!isForm(name)) throw new NotFoundHere('there is no such form');
      const action = await actionOf(c);
      const spec = FORMS[name];
      kit.demand(c, spec.may, resource(action));
      const form = (await c.req.parseBody()) as FormFields;
      const viewer = c.get('viewer');
      const refuse = (problems: readonly string[]) =>
        render(c, action, { refused: { form: name, problems, values: keptValues(form) } }, 400);
      try {
        const read = spec.read(form, c);
        const { command, by } = 'kind' in read ? { command: read, by: undefined } : read;
        await changeAction(
          { repo: deps.repo, clock: deps.clock, notifier: deps.notifier, workflow: deps.workflow },
          {
            actionId: action.id,
            by: by ?? viewer.person.id,
            source: { channel: 'web', signedInAs: viewer.person.id },
            command,
          },
        );
      } catch (error) {
        if (error instanceof FormProblems) return refuse(error.problems);
        if (
          error instanceof InvalidActionChange ||
          error instanceof ActionClosed ||
          error instanceof UnknownPerson
        ) {
          return refuse([kit.capital(error.message)]);
        }
        throw error;
      }
      return c.redirect(`/actions/${action.id}?done=${name}`, 303);
    }),
  );
}
