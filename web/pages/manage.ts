/**
 * The ISMS manager's pages: the mail held at the front door, with a Release button per message (as
 * `isms-review mail held` and `mail release`), and the form that starts a cycle (as `isms-review
 * cycle start`). Nothing of a held message's body is shown: its sender, subject, reason and time,
 * each escaped.
 */
import type { Cycle } from '#shared/model/cycle.ts';
import type { HeldMail } from '#shared/store/held-mail.ts';
import { html } from '../html.ts';
import { csrfField, layout, when, type PageContext } from '../pages.ts';

const problemsNotice = (problems: readonly string[] | undefined, what: string) =>
  problems?.length
    ? html`<div class="notice error" role="alert">
        <p>${what}</p>
        <ul>
          ${problems.map((p) => html`<li>${p}</li>`)}
        </ul>
      </div>`
    : '';

export interface HeldMailPageData {
  readonly held: readonly HeldMail[];
  readonly days: number;
  readonly all: boolean;
  /** After a release: the message released, as stored. */
  readonly released?: HeldMail;
  readonly problems?: readonly string[];
}

export function heldMailPage(page: PageContext, d: HeldMailPageData): string {
  const tz = page.viewer.timeZone;
  const body = html`${problemsNotice(d.problems, 'Nothing was changed:')}
    ${
      d.released
        ? html`<div class="notice ok" role="status">
            <p>
              Released ${d.released.id}: ${d.released.releaseOutcome ?? ''}. It was read as if it had just
              arrived; its sender got the usual answer.
            </p>
          </div>`
        : ''
    }
    <p>
      Mail to a reply address is held when the system cannot be sure who sent it. Its sender is told nothing.
      Check with the person by other means (not by replying to it), then release it: it is read as if it had
      just arrived, and the release is recorded in the cycle's log. Held mail is kept 90 days.
    </p>
    <form method="get" action="/held-mail">
      <fieldset class="filters">
        <legend>Show</legend>
        <div>
          <label for="days">Received in the last (days)</label
          ><input id="days" name="days" type="number" min="1" max="400" value="${d.days}" />
        </div>
        <div>
          <label for="all">Which</label
          ><select id="all" name="all">
            <option value="">held only</option>
            <option value="yes" ${d.all ? html`selected` : ''}>released ones too</option>
          </select>
        </div>
        <button type="submit">Show</button>
      </fieldset>
    </form>
    ${
      d.held.length === 0
        ? html`<p>No mail held in the last ${d.days} days.</p>`
        : html`<table>
            <caption>
              Held mail, newest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">From</th>
                <th scope="col">Subject</th>
                <th scope="col">Why it is held</th>
                <th scope="col">Release</th>
              </tr>
            </thead>
            <tbody>
              ${d.held.map(
                (h) =>
                  html`<tr>
                    <td data-label="Received">
                      ${when(h.receivedAt, tz)}<br /><span class="id muted">${h.id}</span>
                    </td>
                    <td data-label="From" class="id">
                      ${h.from}${h.sender.length ? html`<br />Sender: ${h.sender.join(', ')}` : ''}
                    </td>
                    <td data-label="Subject">${h.subject || '(no subject)'}</td>
                    <td data-label="Why it is held">
                      ${h.reason}${h.cycleId ? html`<br /><a href="/cycles/${h.cycleId}">the review it answers</a>` : ''}
                    </td>
                    <td data-label="Release">
                      ${
                        h.status === 'held'
                          ? html`<form method="post" action="/held-mail/${h.id}/release">
                              ${csrfField(page.csrf)}
                              <button
                                type="submit"
                                aria-label="Release the message from ${h.from} received ${when(h.receivedAt, tz)}"
                              >
                                Release
                              </button>
                            </form>`
                          : html`released ${when(h.releasedAt, tz)}: ${h.releaseOutcome ?? ''}`
                      }
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }`;
  return layout({ title: 'Held mail', page, body });
}

export interface StartCyclePageData {
  /** The reviews the programme schedules (type, comprehensive). */
  readonly reviews: readonly { type: string; comprehensive: boolean }[];
  /** The next scheduled review's type, the default. */
  readonly next?: string;
  readonly zoneWords: string;
  readonly values?: { type: string; meeting: string };
  readonly problems?: readonly string[];
  /** Refused: the period already has this cycle. */
  readonly existing?: { cycleId: string; cycle?: Cycle };
  /** Started: the cycle id, its meeting (UTC). */
  readonly started?: { cycleId: string; meetingAt?: string; opened: boolean };
}

export function startCyclePage(page: PageContext, d: StartCyclePageData): string {
  const tz = page.viewer.timeZone;
  const chosen = d.values?.type ?? '';
  const body = html`${problemsNotice(d.problems, 'No cycle was started:')}
    ${
      d.existing
        ? html`<div class="notice error" role="alert">
            <p>
              No cycle was started: this period of the schedule already has its cycle,
              <a href="/cycles/${d.existing.cycleId}">${d.existing.cycleId}</a>. One cycle per period: move
              its meeting on its page if the date is wrong.
            </p>
          </div>`
        : ''
    }
    ${
      d.started
        ? html`<div class="notice ok" role="status">
            <p>
              Started cycle
              ${d.started.cycleId}${d.started.meetingAt ? `, meeting ${when(d.started.meetingAt, tz)}` : ''}.
              ${
                d.started.opened
                  ? html`<a href="/cycles/${d.started.cycleId}">See the cycle</a>.`
                  : 'Its page shows once the workflow has opened it, in a few seconds.'
              }
            </p>
          </div>`
        : ''
    }
    <p>
      Starts a review now, as the schedule would: its input owners are asked for their inputs by email. One
      cycle per review type and period of the schedule: a period that already has its cycle is refused.
    </p>
    <form class="stack" method="post" action="/start-cycle">
      ${csrfField(page.csrf)}
      <label for="type">Review</label>
      <select id="type" name="type">
        <option value="">the next scheduled${d.next ? ` (${d.next})` : ''}</option>
        ${d.reviews.map(
          (r) =>
            html`<option value="${r.type}" ${chosen === r.type ? html`selected` : ''}>
              ${r.type}${r.comprehensive ? ' (comprehensive)' : ''}
            </option>`,
        )}
      </select>
      <label for="meeting">Meeting (${d.zoneWords}; empty: from the schedule)</label>
      <input id="meeting" name="meeting" type="datetime-local" value="${d.values?.meeting ?? ''}" />
      <div><button type="submit">Start the cycle</button></div>
    </form>`;
  return layout({ title: 'Start a cycle', page, body });
}
