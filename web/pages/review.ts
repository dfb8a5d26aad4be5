/**
 * The package and minutes pages: every frozen version with its files to download (each checked
 * against its recorded hash when served), who approved what, the proposals of the decision sheet,
 * and the approver's form (APPROVE, or CHANGES / OBJECT <what>) while a version awaits them.
 */
import type { ApprovalItem, ApprovalSubject } from '#shared/cycle/ports.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import { cycleTitle } from '#shared/package/content.ts';
import type { Programme } from '#shared/programme/schema.ts';
import { answerFormId, MAX_APPROVAL_TEXT } from '#shared/web/approve.ts';
import type { FrozenFile } from '#shared/web/review-files.ts';
import type { ApprovalStep, MinutesPageData, PackagePageData } from '#shared/web/review.ts';
import { html, type Html } from '../html.ts';
import { csrfField, layout, when, type PageContext } from '../pages.ts';

/** A notice above the page: the answer recorded, or why it was not. */
export interface PageNotice {
  readonly kind: 'ok' | 'error';
  readonly lines: readonly string[];
}

const nameOf = (programme: Programme, id: string): string =>
  id === 'system' ? 'the system' : (programme.people.find((p) => p.id === id)?.name ?? id);

export function noticeOf(notice: PageNotice | undefined): Html {
  if (!notice) return html``;
  return html`<div class="notice ${notice.kind}" role="${notice.kind === 'ok' ? 'status' : 'alert'}">
    ${notice.lines.map((line) => html`<p>${line}</p>`)}
  </div>`;
}

/** The links between a cycle's pages, shown on each of them. */
export function reviewNav(cycle: Cycle, links: readonly { href: string; label: string }[]): Html {
  return html`<nav aria-label="This review">
    <ul class="inline">
      <li><a href="/cycles/${cycle.id}">The cycle</a></li>
      ${links.map((l) => html`<li><a href="${l.href}">${l.label}</a></li>`)}
    </ul>
  </nav>`;
}

function filesList(base: string, files: readonly FrozenFile[], label: string): Html {
  return html`<ul>
    ${files.map(
      (f) =>
        html`<li>
          <a href="${base}/${f.name}" download>${f.name}</a>
          <span class="muted"
            >(${label}${f.size === undefined ? '' : `, ${f.size} bytes`}; SHA-256
            <code>${f.sha256}</code>)</span
          >
        </li>`,
    )}
  </ul>`;
}

const STEP_WORDS: Record<ApprovalStep['what'], string> = {
  asked: 'approval asked of',
  approved: 'approved by',
  changes: 'changes asked for by',
  objected: 'objected to by',
};

function stepsList(steps: readonly ApprovalStep[], version: number, page: PageContext): Html {
  const mine = steps.filter((s) => s.version === version);
  if (mine.length === 0) return html`<p class="muted">No approval asked for this version.</p>`;
  return html`<ul>
    ${mine.map(
      (s) =>
        html`<li>
          ${STEP_WORDS[s.what]} ${nameOf(page.programme, s.by)},
          ${when(s.at, page.viewer.timeZone)}${s.text ? html`: “${s.text}”` : ''}
        </li>`,
    )}
  </ul>`;
}

/** The approver's two forms: APPROVE (with an optional comment) and the objection with what. */
function approvalForms(
  page: PageContext,
  cycle: Cycle,
  subject: ApprovalSubject,
  item: ApprovalItem,
  text: string,
): Html {
  const action = `/cycles/${cycle.id}/${subject}/approval`;
  const objection = subject === 'package' ? 'changes' : 'object';
  const words =
    subject === 'package'
      ? { title: 'Ask for changes', label: 'What must change (CHANGES)', button: 'Ask for changes' }
      : { title: 'Object', label: 'What is wrong in the minutes (OBJECT)', button: 'Object to the minutes' };
  return html`<section aria-labelledby="s-answer">
    <h2 id="s-answer">Your answer to version ${item.version}</h2>
    <p>
      You approve
      ${subject === 'package' ? 'the package before it goes to top management' : 'the minutes before they are distributed'}:
      the same answer as by reply to the approval request (content hash <code>${item.sha256}</code>).
    </p>
    <form class="stack" method="post" action="${action}">
      ${csrfField(page.csrf)}
      <input type="hidden" name="version" value="${item.version}" />
      <input type="hidden" name="answer" value="approve" />
      <input type="hidden" name="answerId" value="${answerFormId()}" />
      <label for="approve-text">Comment (optional)</label>
      <textarea
        class="short"
        id="approve-text"
        name="text"
        maxlength="${MAX_APPROVAL_TEXT}"
        rows="3"
      ></textarea>
      <button type="submit">Approve version ${item.version}</button>
    </form>
    <h3>${words.title}</h3>
    <form class="stack" method="post" action="${action}">
      ${csrfField(page.csrf)}
      <input type="hidden" name="version" value="${item.version}" />
      <input type="hidden" name="answer" value="${objection}" />
      <input type="hidden" name="answerId" value="${answerFormId()}" />
      <label for="objection-text">${words.label}</label>
      <textarea
        class="short"
        id="objection-text"
        name="text"
        required
        maxlength="${MAX_APPROVAL_TEXT}"
        rows="4"
      >
${text}</textarea>
      <button type="submit">${words.button}</button>
    </form>
  </section>`;
}

export function packagePage(
  page: PageContext,
  args: { cycle: Cycle; data: PackagePageData; approver: boolean; notice?: PageNotice; text?: string },
): string {
  const { cycle, data } = args;
  const tz = page.viewer.timeZone;
  const proposals = data.proposals;
  const body = html`${reviewNav(cycle, [{ href: `/cycles/${cycle.id}/minutes`, label: 'Minutes' }])}
    ${noticeOf(args.notice)}
    <section aria-labelledby="s-proposals">
      <h2 id="s-proposals">Items for decision</h2>
      ${
        !proposals
          ? html`<p>No package compiled yet: the items for decision come with it.</p>`
          : 'problem' in proposals
            ? html`<div class="notice error" role="alert"><p>${proposals.problem}</p></div>`
            : proposals.items.length === 0
              ? html`<p>The decision sheet of version ${proposals.version} asks for no decision.</p>`
              : html`<p>From the decision sheet of package version ${proposals.version}.</p>
                  ${proposals.items.map(
                    (p) =>
                      html`<article class="proposal" aria-labelledby="p-${p.id}">
                        <h3 id="p-${p.id}">${p.label}: ${p.title}</h3>
                        <dl class="facts">
                          <dt>Why now</dt>
                          <dd>${p.reason}</dd>
                          <dt>From</dt>
                          <dd>input ${p.inputKey} (${p.inputTitle}), ${p.owner}</dd>
                          <dt>Options</dt>
                          <dd>
                            ${
                              p.options.length
                                ? html`<ol>
                                    ${p.options.map((o) => html`<li>${o}</li>`)}
                                  </ol>`
                                : 'none given'
                            }
                          </dd>
                          <dt>Recommendation</dt>
                          <dd>${p.recommendation ?? 'no recommendation given'}</dd>
                          ${
                            p.cost
                              ? html`<dt>Cost or effort</dt>
                                  <dd>${p.cost}</dd>`
                              : ''
                          }
                          <dt>Risk of not deciding</dt>
                          <dd>${p.riskIfNotDecided ?? 'not given'}</dd>
                        </dl>
                      </article>`,
                  )}`
      }
    </section>
    ${args.approver && data.awaiting ? approvalForms(page, cycle, 'package', data.awaiting, args.text ?? '') : ''}
    <section aria-labelledby="s-versions">
      <h2 id="s-versions">Package versions</h2>
      ${
        data.versions.length === 0
          ? html`<p>No package compiled yet.</p>`
          : data.versions
              .slice()
              .reverse()
              .map(
                (v) =>
                  html`<h3>Version ${v.version}</h3>
                    <p>
                      Compiled ${when(v.builtAt, tz)}; content hash <code>${v.sha256}</code>.
                      ${data.awaiting?.version === v.version ? html`<strong>Awaiting approval.</strong>` : ''}
                    </p>
                    ${stepsList(data.steps, v.version, page)}
                    ${
                      v.problem
                        ? html`<div class="notice error" role="alert"><p>${v.problem}</p></div>`
                        : filesList(`/cycles/${cycle.id}/package/v${v.version}`, v.files, 'download')
                    }`,
              )
      }
    </section>`;
  return layout({ title: `Package: ${cycleTitle(cycle)}`, page, body });
}

export function minutesPage(
  page: PageContext,
  args: { cycle: Cycle; data: MinutesPageData; approver: boolean; notice?: PageNotice; text?: string },
): string {
  const { cycle, data } = args;
  const tz = page.viewer.timeZone;
  const latest = data.versions.at(-1)?.record.version;
  const approvedLatest = data.steps.find((s) => s.what === 'approved' && s.version === latest);
  const body = html`${reviewNav(cycle, [{ href: `/cycles/${cycle.id}/package`, label: 'Package' }])}
    ${noticeOf(args.notice)}
    <p>
      ${
        approvedLatest
          ? `Version ${approvedLatest.version} of the minutes was approved ${when(approvedLatest.at, tz)}.`
          : data.versions.length
            ? 'The latest minutes are not approved yet.'
            : 'No minutes were accepted yet.'
      }
    </p>
    ${args.approver && data.awaiting ? approvalForms(page, cycle, 'minutes', data.awaiting, args.text ?? '') : ''}
    <section aria-labelledby="s-minutes-versions">
      <h2 id="s-minutes-versions">Accepted versions</h2>
      ${
        data.versions.length === 0
          ? html`<p>None yet.</p>`
          : data.versions
              .slice()
              .reverse()
              .map(
                ({ record, archived }) =>
                  html`<h3>Version ${record.version}</h3>
                    <p>
                      Accepted ${when(record.acceptedAt, tz)}; ${record.content.decisions.length} decision(s),
                      ${record.content.actions.length} action(s).
                      ${data.awaiting?.version === record.version ? html`<strong>Awaiting approval.</strong>` : ''}
                    </p>
                    ${stepsList(data.steps, record.version, page)}
                    ${
                      archived
                        ? filesList(
                            `/cycles/${cycle.id}/minutes/v${record.version}`,
                            archived.files,
                            'download',
                          )
                        : html`<p class="muted">
                            Not rendered as PDF yet: it is rendered when its approval is asked for.
                          </p>`
                    }`,
              )
      }
    </section>`;
  return layout({ title: `Minutes: ${cycleTitle(cycle)}`, page, body });
}
