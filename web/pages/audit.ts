/**
 * What the auditor (and the ISMS manager) reads: the cycle's event log as a timeline, the trace of
 * each input to the decisions and actions it led to, and the evidence bundle with what its
 * verification says. Read-only pages: no form but the header's.
 */
import type { Action } from '#shared/model/action.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import type { CycleEvent } from '#shared/model/event.ts';
import { cycleTitle, STATUS_WORDS } from '#shared/package/content.ts';
import type { Programme } from '#shared/programme/schema.ts';
import type { AuditedBundle } from '#shared/web/review.ts';
import { html } from '../html.ts';
import { layout, when, type PageContext } from '../pages.ts';
import { reviewNav } from './review.ts';
import { LIST_SEPARATOR } from '#shared/evidence/people.ts';

const nameOf = (programme: Programme, id: string | undefined): string =>
  id === undefined
    ? ''
    : id === 'system'
      ? 'the system'
      : (programme.people.find((p) => p.id === id)?.name ?? id);

const auditLinks = (cycle: Cycle) => [
  { href: `/cycles/${cycle.id}/timeline`, label: 'Timeline' },
  { href: `/cycles/${cycle.id}/trace`, label: 'Trace' },
  { href: `/cycles/${cycle.id}/evidence`, label: 'Evidence bundle' },
  { href: `/cycles/${cycle.id}/package`, label: 'Package' },
  { href: `/cycles/${cycle.id}/minutes`, label: 'Minutes' },
];

export function timelinePage(
  page: PageContext,
  args: { cycle: Cycle; events: readonly CycleEvent[] },
): string {
  const tz = page.viewer.timeZone;
  const body = html`${reviewNav(args.cycle, auditLinks(args.cycle))}
    <p>
      Every entry of the cycle’s append-only, hash-chained log, oldest first (${args.events.length} entries).
      Each entry’s hash covers the one before it; the evidence bundle lets anyone check the chain.
    </p>
    <ol class="timeline">
      ${args.events.map(
        (e) =>
          html`<li>
            <strong>${when(e.at, tz)}</strong>: ${e.type.replace(/[._]/g, ' ')}
            <span class="muted"
              >(by ${nameOf(page.programme, e.actor)}; entry ${e.seq}; hash
              <code>${e.hash.slice(0, 16)}</code>)</span
            >
          </li>`,
      )}
    </ol>`;
  return layout({ title: `Timeline: ${cycleTitle(args.cycle)}`, page, body });
}

export function tracePage(
  page: PageContext,
  args: { cycle: Cycle; audited: AuditedBundle; actions: readonly Action[] },
): string {
  const tz = page.viewer.timeZone;
  const byId = new Map(args.actions.map((a) => [a.id, a]));
  const body = html`${reviewNav(args.cycle, auditLinks(args.cycle))}
    <p>
      Each input followed from its request to the package, the minutes and the actions decided on it: the rows
      of
      <code>trace.csv</code> in the evidence bundle.
    </p>
    ${args.audited.traces.map((t) => {
      const r = t.row as Record<string, string>;
      const ids = r.actionIds ? r.actionIds.split(LIST_SEPARATOR).filter(Boolean) : [];
      return html`<section class="trace" aria-labelledby="t-${t.request.inputKey}">
        <h2 id="t-${t.request.inputKey}">Input ${t.request.inputKey}: ${t.request.title}</h2>
        <dl class="facts">
          <dt>Owner</dt>
          <dd>${r.ownerName}</dd>
          <dt>Request</dt>
          <dd>${r.requestStatus}${r.requestSentAt ? `, sent ${when(r.requestSentAt, tz)}` : ''}</dd>
          <dt>In the package</dt>
          <dd>${r.packageStatus}</dd>
          <dt>In the minutes</dt>
          <dd>${r.minutesOutcome || 'not in the minutes (yet)'}</dd>
          <dt>Decisions</dt>
          <dd>${r.decisions || 'none'}</dd>
        </dl>
        ${
          ids.length === 0
            ? html`<p>No action came from this input.</p>`
            : html`<table>
                <caption>
                  Actions from input ${t.request.inputKey}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Action</th>
                    <th scope="col">Owner</th>
                    <th scope="col">Status</th>
                    <th scope="col">Closure evidence</th>
                  </tr>
                </thead>
                <tbody>
                  ${ids.map((id) => {
                    const a = byId.get(id);
                    const evidence = a?.closureEvidence;
                    return html`<tr>
                      <td data-label="Action">${a?.title ?? id} <span class="id muted">(${id})</span></td>
                      <td data-label="Owner">${nameOf(page.programme, a?.ownerId)}</td>
                      <td data-label="Status">${a ? STATUS_WORDS[a.status] : ''}; due ${a?.dueDate ?? ''}</td>
                      <td data-label="Closure evidence">
                        ${
                          evidence
                            ? html`${evidence.text}
                                ${(evidence.links ?? []).map((l) => html`<br /><code>${l}</code>`)}
                                ${(evidence.attachments ?? []).map((f) => html`<br />file <code>${f.name}</code>`)}
                                <span class="muted">(${when(evidence.at, tz)})</span>`
                            : 'not closed'
                        }
                      </td>
                    </tr>`;
                  })}
                </tbody>
              </table>`
        }
        <details>
          <summary>Files in the evidence bundle for input ${t.request.inputKey}</summary>
          <ul>
            ${t.files.map((f) => html`<li><code>${f}</code></li>`)}
          </ul>
        </details>
      </section>`;
    })}`;
  return layout({ title: `Trace: ${cycleTitle(args.cycle)}`, page, body });
}

export function evidencePage(page: PageContext, args: { cycle: Cycle; audited: AuditedBundle }): string {
  const a = args.audited;
  const v = a.verification;
  const tz = page.viewer.timeZone;
  const body = html`${reviewNav(args.cycle, auditLinks(args.cycle))}
    <div class="notice ${v.ok ? 'ok' : 'error'}" role="${v.ok ? 'status' : 'alert'}">
      <p>
        <strong>${v.ok ? 'VERIFIED' : 'NOT VERIFIED'}</strong>:
        ${
          v.ok
            ? `the evidence bundle of this cycle, built ${when(a.exportedAt, tz)}, is intact (${v.files} files, ${v.events} events).`
            : `${v.problems.length} problem(s) in the evidence bundle built ${when(a.exportedAt, tz)}.`
        }
      </p>
    </div>
    <p>
      <a href="/cycles/${args.cycle.id}/evidence/bundle.zip" download>Download the evidence bundle (ZIP)</a>
      <span class="muted">
        (built afresh for the download; check it yourself with
        <code>isms-review evidence verify &lt;file.zip&gt;</code>)</span
      >
    </p>
    <dl class="facts">
      <dt>Files</dt>
      <dd>${a.files}</dd>
      <dt>Event log</dt>
      <dd>up to entry ${a.chainHead.seq}, hash <code>${a.chainHead.hash}</code></dd>
      <dt>Anchors</dt>
      <dd>
        ${a.anchorsCompared ? 'compared with the anchors in the evidence store' : 'the bundle’s own copies only'}
      </dd>
      ${
        v.key
          ? html`<dt>Signing key</dt>
              <dd>
                <code>${v.key.fingerprint}</code>
                ${v.key.source === 'bundle' ? '(the key inside the bundle: compare it with the fingerprint you were given)' : ''}
              </dd>`
          : ''
      }
    </dl>
    ${
      v.problems.length
        ? html`<h2>Problems</h2>
            <ul class="wrap">
              ${v.problems.map((p) => html`<li><strong>${p.place}</strong>: ${p.message}</li>`)}
            </ul>`
        : ''
    }
    ${
      v.warnings.length
        ? html`<h2>Warnings</h2>
            <ul class="wrap">
              ${v.warnings.map((w) => html`<li>${w}</li>`)}
            </ul>`
        : ''
    }
    <h2>What was checked</h2>
    <ul class="wrap">
      ${v.held.map((h) => html`<li>${h}</li>`)}
    </ul>
    ${
      v.notes.length
        ? html`<h2>Not checked</h2>
            <ul class="wrap">
              ${v.notes.map((n) => html`<li>${n}</li>`)}
            </ul>`
        : ''
    }
    ${
      a.gaps.length
        ? html`<h2>Not in the bundle</h2>
            <ul class="wrap">
              ${a.gaps.map((g) => html`<li><code>${g.path}</code>: ${g.reason}</li>`)}
            </ul>`
        : ''
    }`;
  return layout({ title: `Evidence: ${cycleTitle(args.cycle)}`, page, body });
}
