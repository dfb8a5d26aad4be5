/**
 * The pages of the web app: valid, labelled HTML built with `html` (every value escaped), one
 * style sheet, no script. Dates are shown in the viewer's time zone, with the zone in words.
 */
import { formatDateTime } from '#shared/mail/templates/format.ts';
import type { Action } from '#shared/model/action.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import type { CycleEvent } from '#shared/model/event.ts';
import type { InputRequest } from '#shared/model/input.ts';
import type { MinutesRecord } from '#shared/model/minutes-record.ts';
import { cycleTitle, STATUS_WORDS } from '#shared/package/content.ts';
import type { PlannedCycle } from '#shared/programme/schedule.ts';
import type { Programme } from '#shared/programme/schema.ts';
import type { ActionFilter, DecisionItem, PackageVersion, Waiting } from '#shared/web/views.ts';
import type { Role, Viewer } from '#shared/web/viewer.ts';
import { html, type Html } from './html.ts';

export const PHASE_WORDS: Record<Cycle['phase'], string> = {
  OPEN: 'opened',
  REQUESTING_INPUTS: 'requesting inputs',
  AWAITING_INPUTS: 'awaiting inputs',
  COMPILING: 'compiling the package',
  AWAITING_DISTRIBUTION: 'package ready to send',
  DISTRIBUTED: 'package sent',
  AWAITING_MINUTES: 'awaiting the minutes',
  FOLLOW_UP: 'following up actions',
  CLOSED: 'closed',
  FAILED: 'stopped by a failure',
};

const INPUT_STATUS_WORDS: Record<InputRequest['status'], string> = {
  REQUESTED: 'awaited',
  SUBMITTED: 'answered',
  NOTHING_TO_REPORT: 'nothing to report',
  NOT_PROVIDED: 'not provided',
};

const ROLE_WORDS: Record<Role, string> = {
  'isms-manager': 'ISMS manager',
  'top-management': 'top management',
  owner: 'input and action owner',
  auditor: 'auditor (read-only)',
};

/** What every signed-in page carries: who is looking and the session's CSRF token. */
export interface PageContext {
  readonly viewer: Viewer;
  readonly csrf: string;
  readonly programme: Programme;
}

export const csrfField = (token: string): Html => html`<input type="hidden" name="_csrf" value="${token}" />`;

/** A time in the viewer's zone, e.g. "Monday 29 March 2027, 10:00 UK time". */
export const when = (utc: string | undefined, timeZone: string): string =>
  utc ? formatDateTime(utc, timeZone) : '';

export function layout(args: { title: string; body: Html; page?: PageContext }): string {
  const { page } = args;
  const header = page
    ? html`<header class="site">
        <p class="who">
          ${page.programme.organisation.name} management review · signed in as ${page.viewer.person.name}
          (${[...page.viewer.roles].map((r) => ROLE_WORDS[r]).join(', ')})
        </p>
        <nav aria-label="Main">
          <ul>
            <li><a href="/">Start</a></li>
            <li><a href="/actions">Actions</a></li>
            ${
              page.viewer.roles.has('isms-manager')
                ? html`<li><a href="/held-mail">Held mail</a></li>
                    <li><a href="/start-cycle">Start a cycle</a></li>`
                : ''
            }
          </ul>
        </nav>
        <form method="post" action="/sign-out">
          ${csrfField(page.csrf)}<button type="submit">Sign out</button>
        </form>
      </header>`
    : html`<header class="site"><p class="who">Management review</p></header>`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${args.title}</title>
        <link rel="stylesheet" href="/static/app.css" />
      </head>
      <body>
        <a class="skip" href="#main">Skip to the content</a>
        ${header}
        <main id="main">
          <h1>${args.title}</h1>
          ${args.body}
        </main>
      </body>
    </html> `.value;
}

/** A page that says what went wrong and what to do (no data of the review). */
export function messagePage(args: {
  title: string;
  message: string;
  page?: PageContext;
  next?: Html;
}): string {
  return layout({
    title: args.title,
    ...(args.page ? { page: args.page } : {}),
    body: html`<div class="notice error" role="alert"><p>${args.message}</p></div>
      ${args.next ?? ''}`,
  });
}

// ------------------------------------------------------------------ sign-in

export function signInPage(args: { csrf: string; email?: string; error?: string }): string {
  return layout({
    title: 'Sign in',
    body: html`${args.error ? html`<div class="notice error" role="alert"><p>${args.error}</p></div>` : ''}
      <p>
        Enter the email address the management review writes to you at. If it belongs to someone taking part,
        a sign-in link is sent to it; the link works once, for 15 minutes.
      </p>
      <form class="stack" method="post" action="/sign-in">
        ${csrfField(args.csrf)}
        <label for="email">Email address</label>
        <input
          id="email"
          name="email"
          type="email"
          autocomplete="email"
          required
          maxlength="254"
          value="${args.email ?? ''}"
        />
        <button type="submit">Email me a sign-in link</button>
      </form>`,
  });
}

export function signInSentPage(): string {
  return layout({
    title: 'Check your email',
    body: html`<div class="notice ok" role="status">
        <p>
          If this address belongs to someone taking part in the management review, a sign-in link is on its
          way to it. The link works once, for 15 minutes.
        </p>
      </div>
      <p>Nothing arrived? Check the spam folder, or <a href="/sign-in">ask again</a>.</p>`,
  });
}

export function redeemPage(args: { csrf: string; secret: string }): string {
  return layout({
    title: 'Sign in',
    body: html`<p>Press the button to sign in. The link works once.</p>
      <form method="post" action="/sign-in/${args.secret}">
        ${csrfField(args.csrf)}
        <button type="submit">Sign in</button>
      </form>`,
  });
}

// ------------------------------------------------------------------ pieces

function cycleLink(cycle: Pick<Cycle, 'id'>, label?: string): Html {
  return html`<a href="/cycles/${cycle.id}">${label ?? cycle.id}</a>`;
}

function cyclesTable(cycles: readonly Cycle[], tz: string, caption: string): Html {
  if (cycles.length === 0) return html`<p>No review cycle yet.</p>`;
  return html`<table>
    <caption>
      ${caption}
    </caption>
    <thead>
      <tr>
        <th scope="col">Review</th>
        <th scope="col">Cycle</th>
        <th scope="col">Phase</th>
        <th scope="col">Meeting</th>
      </tr>
    </thead>
    <tbody>
      ${cycles.map(
        (c) =>
          html`<tr>
            <td data-label="Review">${cycleLink(c, cycleTitle(c))}</td>
            <td class="id" data-label="Cycle">${c.id}</td>
            <td data-label="Phase">${PHASE_WORDS[c.phase]}</td>
            <td data-label="Meeting">${when(c.heldAt ?? c.plannedMeetingAt, tz)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function nameOf(programme: Programme, id: string | undefined): string {
  return programme.people.find((p) => p.id === id)?.name ?? id ?? '';
}

export function actionsTable(
  actions: readonly Action[],
  args: { programme: Programme; today: string; caption: string },
): Html {
  if (actions.length === 0) return html`<p>No action.</p>`;
  return html`<table>
    <caption>
      ${args.caption}
    </caption>
    <thead>
      <tr>
        <th scope="col">Action</th>
        <th scope="col">Owner</th>
        <th scope="col">Due</th>
        <th scope="col">Status</th>
        <th scope="col">Cycle</th>
      </tr>
    </thead>
    <tbody>
      ${actions.map((a) => {
        const overdue = (a.status === 'open' || a.status === 'in_progress') && a.dueDate < args.today;
        return html`<tr>
          <td data-label="Action">
            <a href="/actions/${a.id}">${a.title}</a> <span class="id muted">(${a.id})</span>
          </td>
          <td data-label="Owner">${nameOf(args.programme, a.ownerId)}</td>
          <td data-label="Due">${a.dueDate}${overdue ? html` <span class="late">overdue</span>` : ''}</td>
          <td data-label="Status">${STATUS_WORDS[a.status]}</td>
          <td data-label="Cycle">${cycleLink({ id: a.cycleId })}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

function decisionsList(items: readonly DecisionItem[]): Html {
  if (items.length === 0) return html`<p>No item for decision yet.</p>`;
  return html`<ul>
    ${items.map((d) => html`<li><strong>Input ${d.inputKey}, ${d.title}:</strong> ${d.text}</li>`)}
  </ul>`;
}

function packagesList(versions: readonly PackageVersion[], tz: string): Html {
  if (versions.length === 0) return html`<p>No package compiled yet.</p>`;
  return html`<ul>
    ${versions.map(
      (v) =>
        html`<li>
          Version ${v.version}, compiled ${when(v.builtAt, tz)}; content hash <code>${v.sha256}</code>
        </li>`,
    )}
  </ul>`;
}

function minutesSummary(minutes: MinutesRecord | undefined, tz: string): Html {
  if (!minutes) return html`<p>No minutes recorded yet.</p>`;
  // The chair's approval is an event of its own (minutes.approved), shown on the minutes page;
  // cycle.minutesApprovedAt is when the minutes passed the rules, not the chair's approval.
  return html`<p>Minutes version ${minutes.version}, recorded ${when(minutes.acceptedAt, tz)}.</p>`;
}

/** The calendar of the next reviews the schedules open. */
function upcomingList(planned: readonly PlannedCycle[], tz: string): Html {
  if (planned.length === 0) return html`<p>No review is scheduled.</p>`;
  return html`<ul>
    ${planned.map(
      (c) =>
        html`<li>
          ${c.comprehensive ? 'Comprehensive ' : ''}${c.type} review: opens ${when(c.opensAt, tz)}; inputs due
          ${when(c.inputsDueAt, tz)}; meeting ${when(c.meetingAt, tz)}
        </li>`,
    )}
  </ul>`;
}

// ------------------------------------------------------------------ start

export interface StartData {
  readonly today: string;
  readonly manager?: {
    cycles: Cycle[];
    upcoming: PlannedCycle[];
    lateInputs: InputRequest[];
    overdueActions: Action[];
    waiting: Waiting[];
  };
  readonly top?: {
    cycle?: Cycle;
    decisions: DecisionItem[];
    packages: PackageVersion[];
    minutes?: MinutesRecord;
    actions: Action[];
  };
  readonly owner?: { requests: { cycle: Cycle; request: InputRequest }[]; actions: Action[] };
  readonly auditor?: { cycles: Cycle[] };
}

export function startPage(page: PageContext, data: StartData): string {
  const tz = page.viewer.timeZone;
  const { programme } = page;
  const sections: Html[] = [];
  if (data.manager) {
    const m = data.manager;
    sections.push(
      html`<section aria-labelledby="s-cycles">
          <h2 id="s-cycles">Review cycles</h2>
          ${cyclesTable(m.cycles, tz, 'Every cycle, newest meeting first')}
        </section>
        <section aria-labelledby="s-upcoming">
          <h2 id="s-upcoming">Upcoming reviews</h2>
          ${upcomingList(m.upcoming, tz)}
        </section>
        <section aria-labelledby="s-late">
          <h2 id="s-late">What is late</h2>
          ${
            m.lateInputs.length === 0
              ? html`<p>No input is awaited past its deadline.</p>`
              : html`<ul>
                  ${m.lateInputs.map(
                    (r) =>
                      html`<li>
                        <span class="late">Input ${r.inputKey}</span> (${r.title}) from
                        ${nameOf(programme, r.ownerId)}, due ${when(r.dueAt, tz)}, in
                        ${cycleLink({ id: r.cycleId })}
                      </li>`,
                  )}
                </ul>`
          }
          ${actionsTable(m.overdueActions, { programme, today: data.today, caption: 'Overdue actions' })}
        </section>
        <section aria-labelledby="s-waiting">
          <h2 id="s-waiting">Who is waiting on whom</h2>
          ${
            m.waiting.length === 0
              ? html`<p>Nobody is waiting on anyone.</p>`
              : html`<ul>
                  ${m.waiting.map(
                    (w) =>
                      html`<li>
                        ${w.who} waits on <strong>${w.on}</strong> for
                        ${w.what}${w.since ? html`, since ${when(w.since, tz)}` : ''}
                      </li>`,
                  )}
                </ul>`
          }
        </section>`,
    );
  }
  if (data.top) {
    const t = data.top;
    sections.push(
      html`<section aria-labelledby="s-decide">
          <h2 id="s-decide">For decision${t.cycle ? html`: ${cycleTitle(t.cycle)}` : ''}</h2>
          ${t.cycle ? html`<p>Meeting ${when(t.cycle.plannedMeetingAt, tz)}; ${cycleLink(t.cycle, 'see the whole cycle')}; <a href="/cycles/${t.cycle.id}/package">the package and its proposals</a>; <a href="/cycles/${t.cycle.id}/minutes">the minutes</a>.</p>` : html`<p>No cycle is open.</p>`}
          ${decisionsList(t.decisions)}
          <h3>Package versions</h3>
          ${packagesList(t.packages, tz)}
          <h3>Minutes</h3>
          ${minutesSummary(t.minutes, tz)}
        </section>
        <section aria-labelledby="s-top-actions">
          <h2 id="s-top-actions">Your actions</h2>
          ${actionsTable(t.actions, { programme, today: data.today, caption: 'Actions you own' })}
        </section>`,
    );
  }
  if (data.owner) {
    const o = data.owner;
    sections.push(
      html`<section aria-labelledby="s-requests">
          <h2 id="s-requests">Your open requests</h2>
          ${
            o.requests.length === 0
              ? html`<p>No input is awaited from you.</p>`
              : html`<ul>
                  ${o.requests.map(
                    ({ cycle, request }) =>
                      html`<li>
                        <a href="/cycles/${cycle.id}/inputs/${request.inputKey}"
                          >Answer input ${request.inputKey}: ${request.title}</a
                        >, due ${when(request.dueAt, tz)} (${cycleTitle(cycle)})
                      </li>`,
                  )}
                </ul>`
          }
        </section>
        ${
          data.top
            ? ''
            : html`<section aria-labelledby="s-own-actions">
                <h2 id="s-own-actions">Your actions</h2>
                ${actionsTable(o.actions, { programme, today: data.today, caption: 'Actions you own' })}
              </section>`
        }`,
    );
  }
  if (data.auditor && !data.manager) {
    sections.push(
      html`<section aria-labelledby="s-audit">
        <h2 id="s-audit">Every review cycle</h2>
        <p>You have read-only access.</p>
        ${cyclesTable(data.auditor.cycles, tz, 'Every cycle, newest meeting first')}
      </section>`,
    );
  }
  return layout({ title: 'Start', page, body: html`${sections}` });
}

// ------------------------------------------------------------------ cycle

export interface CyclePageData {
  readonly cycle: Cycle;
  readonly requests: InputRequest[];
  readonly packages: PackageVersion[];
  readonly minutes?: MinutesRecord;
  readonly actions: Action[];
  readonly today: string;
  /** Now (epoch ms): what "late" is measured against. */
  readonly now: number;
  /** Only for those who may see the event log. */
  readonly events?: CycleEvent[];
  /** The meeting form, for those who may move it: the current meeting as yyyy-mm-ddTHH:MM in the organisation's zone. */
  readonly meetingForm?: { value: string; zoneWords: string; error?: string; moved?: boolean };
  /** Input keys the viewer may answer. */
  readonly answerable: ReadonlySet<string>;
}

/** The links to the review's record (web/routes/review.ts) a viewer may open. */
function reviewLinks(page: PageContext, c: Cycle): Html {
  const roles = page.viewer.roles;
  const record = roles.has('isms-manager') || roles.has('top-management') || roles.has('auditor');
  const audit = roles.has('isms-manager') || roles.has('auditor');
  if (!record) return html``;
  return html`<nav aria-label="This review">
    <ul class="inline">
      <li><a href="/cycles/${c.id}/package">Package</a></li>
      <li><a href="/cycles/${c.id}/minutes">Minutes</a></li>
      ${
        audit
          ? html`<li><a href="/cycles/${c.id}/timeline">Timeline</a></li>
              <li><a href="/cycles/${c.id}/trace">Trace</a></li>
              <li><a href="/cycles/${c.id}/evidence">Evidence bundle</a></li>`
          : ''
      }
    </ul>
  </nav>`;
}

export function cyclePage(page: PageContext, d: CyclePageData): string {
  const tz = page.viewer.timeZone;
  const { programme } = page;
  const c = d.cycle;
  const decisions = d.minutes?.content.decisions ?? [];
  const body = html`${reviewLinks(page, c)}
    <dl class="facts">
      <dt>Cycle</dt>
      <dd class="id">${c.id}</dd>
      <dt>Phase</dt>
      <dd>${PHASE_WORDS[c.phase]}</dd>
      <dt>Meeting</dt>
      <dd>${when(c.heldAt ?? c.plannedMeetingAt, tz)}</dd>
      <dt>Inputs due</dt>
      <dd>${when(c.inputsDueAt, tz)}</dd>
      <dt>Package</dt>
      <dd>
        ${c.packageSentAt ? `sent ${when(c.packageSentAt, tz)}` : `to be sent ${when(c.packageSendAt, tz)}`}
      </dd>
    </dl>
    ${
      d.meetingForm
        ? html`<section aria-labelledby="s-move">
            <h2 id="s-move">Move the meeting</h2>
            ${d.meetingForm.moved ? html`<div class="notice ok" role="status"><p>The meeting is now ${when(c.plannedMeetingAt, tz)}.</p></div>` : ''}
            ${d.meetingForm.error ? html`<div class="notice error" role="alert"><p>${d.meetingForm.error}</p></div>` : ''}
            <form class="stack" method="post" action="/cycles/${c.id}/meeting">
              ${csrfField(page.csrf)}
              <label for="meeting">New meeting time (${d.meetingForm.zoneWords})</label>
              <input
                id="meeting"
                name="meeting"
                type="datetime-local"
                required
                value="${d.meetingForm.value}"
              />
              <button type="submit">Move the meeting</button>
            </form>
          </section>`
        : ''
    }
    <section aria-labelledby="s-inputs">
      <h2 id="s-inputs">Inputs</h2>
      <table>
        <caption>
          Inputs of this review
        </caption>
        <thead>
          <tr>
            <th scope="col">Input</th>
            <th scope="col">Owner</th>
            <th scope="col">Status</th>
            <th scope="col">Due</th>
          </tr>
        </thead>
        <tbody>
          ${d.requests.map(
            (r) =>
              html`<tr>
                <td data-label="Input">
                  ${r.inputKey}:
                  ${r.title}${d.answerable.has(r.inputKey) ? html` (<a href="/cycles/${c.id}/inputs/${r.inputKey}">answer</a>)` : ''}
                </td>
                <td data-label="Owner">
                  ${r.automatic ? 'filled automatically' : nameOf(programme, r.ownerId)}
                </td>
                <td data-label="Status">
                  ${r.status === 'REQUESTED' && Date.parse(r.dueAt) < d.now ? html`<span class="late">late</span>` : INPUT_STATUS_WORDS[r.status]}
                </td>
                <td data-label="Due">${when(r.dueAt, tz)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>
    <section aria-labelledby="s-packages">
      <h2 id="s-packages">Package versions</h2>
      ${packagesList(d.packages, tz)}
    </section>
    <section aria-labelledby="s-minutes">
      <h2 id="s-minutes">Minutes and decisions</h2>
      ${minutesSummary(d.minutes, tz)}
      ${
        decisions.length
          ? html`<ul>
              ${decisions.map((x) => html`<li><strong>${x.category}:</strong> ${x.text}</li>`)}
            </ul>`
          : ''
      }
    </section>
    <section aria-labelledby="s-actions">
      <h2 id="s-actions">Actions</h2>
      ${actionsTable(d.actions, { programme, today: d.today, caption: 'Actions of this review' })}
    </section>
    ${
      d.events
        ? html`<section aria-labelledby="s-timeline">
            <h2 id="s-timeline">Event log</h2>
            <ol class="timeline">
              ${d.events.map(
                (e) =>
                  html`<li>
                    <strong>${when(e.at, tz)}</strong>: ${e.type.replace(/[._]/g, ' ')}
                    <span class="muted"
                      >(by ${e.actor === 'system' ? 'the system' : nameOf(programme, e.actor)}; entry
                      ${e.seq})</span
                    >
                  </li>`,
              )}
            </ol>
          </section>`
        : ''
    }`;
  return layout({ title: cycleTitle(c), page, body });
}

// ------------------------------------------------------------------ actions

export function actionsPage(
  page: PageContext,
  args: { actions: Action[]; filter: ActionFilter; all: boolean; today: string; error?: string },
): string {
  const f = args.filter;
  const statuses = Object.keys(STATUS_WORDS) as Action['status'][];
  const body = html`${args.error ? html`<div class="notice error" role="alert"><p>${args.error}</p></div>` : ''}
    <p>${args.all ? 'Every action of the programme.' : 'Your actions.'}</p>
    <form method="get" action="/actions">
      <fieldset class="filters">
        <legend>Filter</legend>
        ${
          args.all
            ? html`<div>
                <label for="owner">Owner</label
                ><select id="owner" name="owner">
                  <option value="">anyone</option>
                  ${page.programme.people.map(
                    (p) =>
                      html`<option value="${p.id}" ${f.owner === p.id ? html` selected` : ''}>
                        ${p.name}
                      </option>`,
                  )}
                </select>
              </div>`
            : ''
        }
        <div>
          <label for="status">Status</label
          ><select id="status" name="status">
            <option value="">any</option>
            ${statuses.map(
              (s) =>
                html`<option value="${s}" ${f.status === s ? html` selected` : ''}>
                  ${STATUS_WORDS[s]}
                </option>`,
            )}
          </select>
        </div>
        <div>
          <label for="overdue">Overdue</label
          ><select id="overdue" name="overdue">
            <option value="">either</option>
            <option value="yes" ${f.overdue === true ? html` selected` : ''}>overdue</option>
            <option value="no" ${f.overdue === false ? html` selected` : ''}>not overdue</option>
          </select>
        </div>
        <div>
          <label for="due-within">Due within (days)</label
          ><input
            id="due-within"
            name="due-within"
            type="number"
            min="0"
            max="9999"
            value="${f.dueWithin ?? ''}"
          />
        </div>
        <div>
          <label for="decision">From decision</label
          ><input id="decision" name="decision" type="text" maxlength="64" value="${f.decision ?? ''}" />
        </div>
        <button type="submit">Show</button>
      </fieldset>
    </form>
    ${actionsTable(args.actions, { programme: page.programme, today: args.today, caption: 'Action register' })}`;
  return layout({ title: 'Actions', page, body });
}

// ------------------------------------------------------------------ answer form

export function answerPage(
  page: PageContext,
  args: {
    cycle: Cycle;
    request: InputRequest;
    help: readonly string[];
    text: string;
    problems?: { where?: string; problem: string }[];
    closed?: string;
  },
): string {
  const tz = page.viewer.timeZone;
  const r = args.request;
  const body = html`<p>
      ${cycleTitle(args.cycle)}: input ${r.inputKey}, ${r.title}. Due ${when(r.dueAt, tz)}.
    </p>
    ${
      args.problems?.length
        ? html`<div class="notice error" role="alert">
            <p>Nothing was recorded. Please correct this and send it again:</p>
            <ul>
              ${args.problems.map(
                (p) => html`<li>${p.where ? html`<strong>${p.where}:</strong> ` : ''}${p.problem}</li>`,
              )}
            </ul>
          </div>`
        : ''
    }
    ${
      args.closed
        ? html`<div class="notice error" role="alert"><p>${args.closed}</p></div>`
        : html`<details>
              <summary>How to fill in the block</summary>
              <pre>${args.help.join('\n')}</pre>
            </details>
            <form class="stack" method="post" action="/cycles/${args.cycle.id}/inputs/${r.inputKey}">
              ${csrfField(page.csrf)}
              <label for="answer">Your answer (the same block as in the request email)</label>
              <textarea id="answer" name="answer" required maxlength="20000" spellcheck="true">
${args.text}</textarea>
              <button type="submit">Send the answer</button>
            </form>`
    }`;
  return layout({ title: `Input ${r.inputKey}: ${r.title}`, page, body });
}

export function confirmationPage(
  page: PageContext,
  args: {
    cycle: Cycle;
    recordedAs: string;
    reference: string;
    fields: { label: string; value: string }[];
    replaces?: string;
    note?: string;
    repeated: boolean;
    receivedAt: string;
  },
): string {
  const tz = page.viewer.timeZone;
  const body = html`<div class="notice ok" role="status">
      <p>
        ${
          args.repeated
            ? `This answer was recorded before, exactly so: nothing changed.`
            : `Thank you: your answer is recorded as ${args.recordedAs} for the ${cycleTitle(args.cycle)}, received ${when(args.receivedAt, tz)}. A confirmation is on its way to your email.`
        }
      </p>
    </div>
    <dl class="facts">
      <dt>Reference</dt>
      <dd class="id">${args.reference}</dd>
      ${
        args.replaces
          ? html`<dt>Replaces</dt>
              <dd class="id">${args.replaces}</dd>`
          : ''
      }
    </dl>
    <h2>What was recorded</h2>
    <p>Exactly as stored:</p>
    ${args.fields.map(
      (f) =>
        html`<h3>${f.label}</h3>
          <pre>${f.value}</pre>`,
    )}
    ${args.note ? html`<p>${args.note}</p>` : ''}
    <p><a href="/">Back to the start page</a></p>`;
  return layout({ title: 'Answer recorded', page, body });
}
