/**
 * An action's page: what it is, where it stands, its evidence and its history (who, when, from
 * where), and the forms of whoever may change it: the owner's (or their delegate's) DONE, PROGRESS
 * and EXTEND, as by reply to a reminder; the ISMS manager's update, the confirmation of a corrective
 * action's closure, and the answers recorded in top management's name (an extension, a decision on
 * an escalated action), as `isms-review action update | confirm | extension | decide` do.
 */
import type { Action } from '#shared/model/action.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import { cycleTitle, STATUS_WORDS } from '#shared/package/content.ts';
import type { Programme } from '#shared/programme/schema.ts';
import { MAX_FORM_TEXT } from '#shared/web/manage-forms.ts';
import { html, type Html } from '../html.ts';
import { csrfField, layout, when, type PageContext } from '../pages.ts';

/** The forms of the action page, by the name each posts to (/actions/<id>/<form>). */
export const ACTION_FORMS = [
  'done',
  'progress',
  'extend',
  'update',
  'closure',
  'extension',
  'decision',
] as const;
export type ActionForm = (typeof ACTION_FORMS)[number];

/** What each form did, said after it (POST, then redirect to the page with ?done=<form>). */
export const FORM_DONE: Record<ActionForm, string> = {
  done: 'Marked done, with its evidence.',
  progress: 'Your progress is recorded.',
  extend: 'Your request for a later due date is recorded; the chair is asked by email.',
  update: 'The action is updated.',
  closure: 'Your answer on the closure is recorded.',
  extension: 'The answer to the extension request is recorded; the owner is told by email.',
  decision: "Top management's decision is recorded; the owner is told by email.",
};

export interface ActionPageData {
  readonly action: Action;
  readonly cycle: Cycle;
  readonly today: string;
  /** The owner's forms (DONE, PROGRESS, EXTEND). */
  readonly ownerForms: boolean;
  /** The ISMS manager's forms. */
  readonly managerForms: boolean;
  /** After a change: the form that made it. */
  readonly done?: ActionForm;
  /** A form refused: which, what is wrong, and what was typed (shown again). */
  readonly refused?: {
    readonly form: ActionForm;
    readonly problems: readonly string[];
    readonly values: Readonly<Record<string, string>>;
  };
}

const nameOf = (programme: Programme, id: string | undefined): string =>
  programme.people.find((p) => p.id === id)?.name ?? id ?? '';

const sourceWords = (entry: Action['history'][number], programme: Programme): string => {
  const source = entry.source;
  if (!source) return 'not recorded';
  switch (source.channel) {
    case 'email':
      return 'email';
    case 'cli':
      return 'command line';
    case 'web':
      return source.signedInAs === entry.by
        ? 'web app'
        : `web app (recorded by ${nameOf(programme, source.signedInAs)})`;
    default:
      return 'the system';
  }
};

/** A text area, a text field, a date or a select, labelled, with the refused value shown again. */
function textArea(id: string, name: string, label: string, value: string, required: boolean): Html {
  return html`<label for="${id}">${label}</label>
    <textarea
      class="short"
      id="${id}"
      name="${name}"
      maxlength="${MAX_FORM_TEXT}"
      ${required ? html`required` : ''}
    >
${value}</textarea>`;
}

function linkField(id: string, value: string, required: boolean): Html {
  return html`<label for="${id}">Link to the evidence (https://…)</label>
    <input
      id="${id}"
      name="link"
      type="url"
      maxlength="2048"
      inputmode="url"
      value="${value}"
      ${required ? html`required` : ''}
    />`;
}

function dateField(
  id: string,
  name: string,
  label: string,
  value: string,
  min: string,
  required: boolean,
): Html {
  return html`<label for="${id}">${label}</label>
    <input
      id="${id}"
      name="${name}"
      type="date"
      min="${min}"
      value="${value}"
      ${required ? html`required` : ''}
    />`;
}

function select(
  id: string,
  name: string,
  label: string,
  options: readonly { value: string; label: string }[],
  chosen: string,
): Html {
  return html`<label for="${id}">${label}</label>
    <select id="${id}" name="${name}">
      ${options.map(
        (o) =>
          html`<option value="${o.value}" ${o.value === chosen ? html`selected` : ''}>${o.label}</option>`,
      )}
    </select>`;
}

/** One form in a section of its own, headed, with its error (if it was the one refused). */
function formSection(
  page: PageContext,
  d: ActionPageData,
  form: ActionForm,
  heading: string,
  intro: Html | string,
  fields: (value: (name: string, fallback?: string) => string) => Html,
  buttons: Html,
): Html {
  const refused = d.refused?.form === form ? d.refused : undefined;
  const value = (name: string, fallback = '') => refused?.values[name] ?? fallback;
  return html`<section aria-labelledby="f-${form}">
    <h2 id="f-${form}">${heading}</h2>
    ${
      refused
        ? html`<div class="notice error" role="alert">
            <p>Nothing was changed. Please correct this and send it again:</p>
            <ul>
              ${refused.problems.map((p) => html`<li>${p}</li>`)}
            </ul>
          </div>`
        : ''
    }
    <p>${intro}</p>
    <form class="stack" method="post" action="/actions/${d.action.id}/${form}">
      ${csrfField(page.csrf)} ${fields(value)} ${buttons}
    </form>
  </section>`;
}

const submit = (label: string) => html`<div><button type="submit">${label}</button></div>`;

function ownerForms(page: PageContext, d: ActionPageData): Html[] {
  const a = d.action;
  if (!d.ownerForms || (a.status !== 'open' && a.status !== 'in_progress')) return [];
  return [
    formSection(
      page,
      d,
      'done',
      'Mark it done (DONE)',
      'Say what was done and give a link to where someone else can see it, as DONE by reply does. Files cannot be uploaded here: to attach a document instead, reply to the reminder email with DONE and the file.',
      (v) =>
        html`${textArea('done-evidence', 'evidence', 'What was done', v('evidence'), true)}
        ${linkField('done-link', v('link'), false)}`,
      submit('Mark done'),
    ),
    formSection(
      page,
      d,
      'progress',
      'Report progress (PROGRESS)',
      'Where the action stands, as PROGRESS by reply does.',
      (v) => textArea('progress-note', 'note', 'Where it stands', v('note'), true),
      submit('Record progress'),
    ),
    formSection(
      page,
      d,
      'extend',
      'Ask for a later due date (EXTEND)',
      html`The chair is asked and answers; until then the due date stays ${a.dueDate}.`,
      (v) =>
        html`${dateField('extend-until', 'until', 'New due date', v('until'), d.today, true)}
        ${textArea('extend-reason', 'reason', 'Why it needs longer', v('reason'), true)}`,
      submit('Ask for the later date'),
    ),
  ];
}

function managerForms(page: PageContext, d: ActionPageData): Html[] {
  const a = d.action;
  if (!d.managerForms || a.status === 'verified' || a.status === 'cancelled') return [];
  const { programme } = page;
  const top = [programme.roles.topManagement.chair, ...programme.roles.topManagement.members];
  const deciders = top.map((id) => ({
    value: id,
    label: `${nameOf(programme, id)}${id === programme.roles.topManagement.chair ? ' (chair)' : ''}`,
  }));
  const sections: Html[] = [
    formSection(
      page,
      d,
      'update',
      'Update the action',
      'As `isms-review action update`: recorded in your name. Done needs evidence someone else can look at: a link here, or one in the note.',
      (v) =>
        html`${select(
          'update-status',
          'status',
          'New status',
          (['in_progress', 'done', 'verified', 'open', 'cancelled'] as const).map((s) => ({
            value: s,
            label: s === 'open' ? 'open (reopened)' : STATUS_WORDS[s],
          })),
          v('status', 'in_progress'),
        )}
        ${textArea('update-note', 'note', 'Note (for done: what was done; for cancelled: the reason)', v('note'), true)}
        ${linkField('update-link', v('link'), false)}`,
      submit('Update'),
    ),
  ];
  if (a.status === 'done' && a.corrective && !a.closureConfirmation) {
    sections.push(
      formSection(
        page,
        d,
        'closure',
        'Confirm the closure, or send it back',
        'A done corrective action waits for its closure to be confirmed on its evidence, as `isms-review action confirm` does; confirming starts its effectiveness check. Sending it back tells the owner what is missing.',
        (v) =>
          html`${select(
            'closure-answer',
            'answer',
            'Answer',
            [
              { value: 'confirm', label: 'confirm the closure' },
              { value: 'reopen', label: 'send it back to the owner' },
            ],
            v('answer', 'confirm'),
          )}
          ${textArea('closure-note', 'note', 'Note (what is missing, to send it back)', v('note'), false)}`,
        submit('Record the answer'),
      ),
    );
  }
  if (a.extensionRequest) {
    sections.push(
      formSection(
        page,
        d,
        'extension',
        'Answer the extension request',
        html`${nameOf(programme, a.extensionRequest.by)} asked for ${a.extensionRequest.dueDate}:
        “${a.extensionRequest.reason}”. Recorded in the name of the member of top management who decided, as
        \`isms-review action extension\` does.`,
        (v) =>
          html`${select(
            'extension-answer',
            'answer',
            'Answer',
            [
              { value: 'approve', label: `approve: due ${a.extensionRequest!.dueDate}` },
              { value: 'refuse', label: `refuse: due date stays ${a.dueDate}` },
            ],
            v('answer', 'approve'),
          )}
          ${textArea('extension-note', 'note', 'Comment or reason (a refusal needs the reason)', v('note'), false)}
          ${select('extension-by', 'by', 'Decided by', deciders, v('by', programme.roles.topManagement.chair))}`,
        submit('Record the answer'),
      ),
    );
  }
  if (a.status === 'open' || a.status === 'in_progress') {
    sections.push(
      formSection(
        page,
        d,
        'decision',
        "Record top management's decision",
        "On an escalated action, as `isms-review action decide` does: a new due date, a new owner, or the risk accepted (the action is closed as cancelled). Recorded in the decider's name; the owner is told.",
        (v) =>
          html`${select(
            'decision-kind',
            'decision',
            'Decision',
            [
              { value: 'reschedule', label: 'a new due date' },
              { value: 'reassign', label: 'a new owner' },
              { value: 'accept-risk', label: 'the risk accepted' },
            ],
            v('decision', 'reschedule'),
          )}
          ${dateField('decision-until', 'until', 'New due date (for a new owner: if overdue)', v('until'), d.today, false)}
          ${select(
            'decision-to',
            'to',
            'New owner',
            [
              { value: '', label: 'nobody (the same owner)' },
              ...programme.people
                .filter((p) => p.id !== a.ownerId)
                .map((p) => ({ value: p.id, label: p.name })),
            ],
            v('to'),
          )}
          ${textArea('decision-reason', 'reason', 'Reason (auditors will read it)', v('reason'), true)}
          ${select('decision-by', 'by', 'Decided by', deciders, v('by', programme.roles.topManagement.chair))}`,
        submit('Record the decision'),
      ),
    );
  }
  return sections;
}

export function actionPage(page: PageContext, d: ActionPageData): string {
  const { programme } = page;
  const tz = page.viewer.timeZone;
  const a = d.action;
  const open = a.status === 'open' || a.status === 'in_progress';
  const overdue = open && a.dueDate < d.today;
  const evidence = a.closureEvidence;
  const forms = [...ownerForms(page, d), ...managerForms(page, d)];
  // A form refused that the page no longer offers (the action moved on): its problems at the top.
  const shown = forms.some((f) => f.value.includes(`id="f-${d.refused?.form ?? ''}"`));
  const body = html`${
      d.refused && !shown
        ? html`<div class="notice error" role="alert">
            <p>Nothing was changed:</p>
            <ul>
              ${d.refused.problems.map((p) => html`<li>${p}</li>`)}
            </ul>
          </div>`
        : ''
    }${
      d.done
        ? html`<div class="notice ok" role="status">
            <p>${FORM_DONE[d.done]} Recorded: ${a.history.at(-1)?.change ?? ''}</p>
          </div>`
        : ''
    }
    <dl class="facts">
      <dt>Action</dt>
      <dd class="id">${a.id}</dd>
      <dt>Owner</dt>
      <dd>${nameOf(programme, a.ownerId)}</dd>
      <dt>Due</dt>
      <dd>${a.dueDate}${overdue ? html` <span class="late">overdue</span>` : ''}</dd>
      <dt>Status</dt>
      <dd>${STATUS_WORDS[a.status]}${a.cancelReason ? `: ${a.cancelReason}` : ''}</dd>
      <dt>Kind</dt>
      <dd>
        ${a.corrective ? 'corrective (its closure is confirmed, then its effectiveness checked)' : 'improvement'}
      </dd>
      <dt>Decided in</dt>
      <dd><a href="/cycles/${a.cycleId}">${cycleTitle(d.cycle)}</a></dd>
      ${
        a.description
          ? html`<dt>What</dt>
              <dd>${a.description}</dd>`
          : ''
      }
      ${
        a.extensionRequest
          ? html`<dt>Extension asked</dt>
              <dd>to ${a.extensionRequest.dueDate}: ${a.extensionRequest.reason} (awaiting the chair)</dd>`
          : ''
      }
      ${
        evidence
          ? html`<dt>Evidence</dt>
              <dd>
                ${evidence.text}
                ${(evidence.links ?? []).map(
                  (l) => html`<br /><a href="${l}" rel="noreferrer noopener">${l}</a>`,
                )}
                ${(evidence.attachments ?? []).map((f) => html`<br />file ${f.name}, ${f.size} bytes`)}
              </dd>`
          : ''
      }
      ${
        a.closureConfirmation
          ? html`<dt>Closure</dt>
              <dd>
                confirmed by ${nameOf(programme, a.closureConfirmation.by)},
                ${when(a.closureConfirmation.at, tz)}
              </dd>`
          : a.status === 'done' && a.corrective
            ? html`<dt>Closure</dt>
                <dd>awaiting confirmation</dd>`
            : ''
      }
      ${
        a.effectivenessCheck
          ? html`<dt>Effectiveness check</dt>
              <dd>
                by ${nameOf(programme, a.effectivenessCheck.assigneeId)}, due
                ${a.effectivenessCheck.dueDate}${a.effectivenessCheck.result ? `: ${a.effectivenessCheck.result}` : ''}
              </dd>`
          : ''
      }
    </dl>
    ${forms}
    <section aria-labelledby="s-history">
      <h2 id="s-history">History</h2>
      <table>
        <caption>
          Every change, oldest first
        </caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">From</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          ${a.history.map(
            (h) =>
              html`<tr>
                <td data-label="When">${when(h.at, tz)}</td>
                <td data-label="Who">${h.by === 'system' ? 'the system' : nameOf(programme, h.by)}</td>
                <td data-label="From">${sourceWords(h, programme)}</td>
                <td data-label="Change">${h.change}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>`;
  return layout({ title: `Action: ${a.title}`, page, body });
}
