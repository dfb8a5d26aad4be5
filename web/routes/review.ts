/**
 * The review's record on the web: the package (every frozen version, its files, the proposals of its
 * decision sheet) and the minutes (every accepted version), each file served only when its bytes
 * hash to what the cycle's log recorded; the approvals (the ISMS manager's on a package version, the
 * chair's on the minutes) through the same use case as a reply; and for the ISMS manager and the
 * auditor the timeline of the event log, the trace of each input, and the evidence bundle with its
 * verification result.
 *
 * GET  /cycles/:id/package                      view-package
 * GET  /cycles/:id/package/:version/:file       view-package   (v1/package.pdf, ...)
 * POST /cycles/:id/package/approval             approve-package
 * GET  /cycles/:id/minutes                      view-minutes
 * GET  /cycles/:id/minutes/:version/:file       view-minutes   (v1/minutes.pdf, v1/minutes.html)
 * POST /cycles/:id/minutes/approval             approve-minutes
 * GET  /cycles/:id/timeline                     view-timeline
 * GET  /cycles/:id/trace                        view-trace
 * GET  /cycles/:id/evidence                     view-evidence
 * GET  /cycles/:id/evidence/bundle.zip          view-evidence
 */
import type { Context, Hono } from 'hono';
import type { WaitingDeps } from '#shared/cycle/ports.ts';
import type { EvidenceSource } from '#shared/evidence/export.ts';
import type { Outbox } from '#shared/mail/outbox.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import type { Programme } from '#shared/programme/schema.ts';
import type { ReviewRepository } from '#shared/store/repository.ts';
import { approveOnWeb } from '#shared/web/approve.ts';
import type { WebAction, WebResource } from '#shared/web/authorise.ts';
import { auditBundle, minutesPageData, packagePageData } from '#shared/web/review.ts';
import {
  FileAltered,
  FileMissing,
  minutesDownload,
  NoSuchFile,
  packageDownload,
  type Download,
} from '#shared/web/review-files.ts';
import type { Session } from '#shared/web/session.ts';
import type { Viewer } from '#shared/web/viewer.ts';
import { messagePage, type PageContext } from '../pages.ts';
import { evidencePage, timelinePage, tracePage } from '../pages/audit.ts';
import { minutesPage, packagePage, type PageNotice } from '../pages/review.ts';

type Env = { Variables: { session: Session; viewer: Viewer; programme: Programme } };

/** What these routes need of the app: its dependencies and its per-request helpers. */
export interface ReviewRouteKit {
  readonly deps: WaitingDeps & {
    readonly repo: ReviewRepository;
    readonly outbox: Pick<Outbox, 'sendOnce'>;
    readonly evidenceSource: EvidenceSource;
  };
  /** The cycle the URL names, of this programme (404 otherwise). */
  cycleOf(c: Context<Env>): Promise<Cycle>;
  cycleResource(cycle: Cycle): Promise<WebResource & { kind: 'cycle' }>;
  /** 403 unless `can(viewer, action, resource)`. */
  demand(c: Context<Env>, action: WebAction, resource: WebResource): void;
  pageOf(c: Context<Env>): PageContext;
}

/**
 * The largest file served: on AWS a response passes through Lambda (at most 6 MB, and a binary body
 * is base64-encoded, a third larger). A bigger evidence bundle is exported with the CLI.
 */
export const MAX_DOWNLOAD_BYTES = 4_000_000;

/** A file as an attachment: its type, a safe name, its hash; the app's security headers stay. */
function attachment(
  kit: ReviewRouteKit,
  c: Context<Env>,
  file: Download | { body: Uint8Array; filename: string; contentType: string },
) {
  if (file.body.byteLength > MAX_DOWNLOAD_BYTES) {
    return c.html(
      messagePage({
        title: 'Too large to download here',
        message: `${file.filename} is ${(file.body.byteLength / 1e6).toFixed(1)} MB, more than the web app sends (${MAX_DOWNLOAD_BYTES / 1e6} MB). Ask the ISMS manager for it, or export it with the CLI (\`isms-review evidence export\`).`,
        page: kit.pageOf(c),
      }),
      413,
    );
  }
  c.header('Content-Type', file.contentType);
  c.header('Content-Disposition', `attachment; filename="${file.filename}"`);
  c.header('Content-Length', String(file.body.byteLength));
  if ('sha256' in file)
    c.header('Repr-Digest', `sha-256=:${Buffer.from(file.sha256, 'hex').toString('base64')}:`);
  return c.body(new Uint8Array(file.body));
}

export function registerReviewRoutes(app: Hono<Env>, kit: ReviewRouteKit): void {
  const { deps } = kit;

  /** The refusals of a download, each a page that says what is wrong. */
  const refused = (c: Context<Env>, error: unknown) => {
    const page = kit.pageOf(c);
    if (error instanceof NoSuchFile) {
      return c.html(messagePage({ title: 'Not found', message: `${capital(error.message)}.`, page }), 404);
    }
    if (error instanceof FileAltered) {
      return c.html(messagePage({ title: 'File refused', message: `${capital(error.message)}.`, page }), 409);
    }
    if (error instanceof FileMissing) {
      return c.html(
        messagePage({
          title: 'File not available',
          message: `${capital(error.message)}. Tell the ISMS manager.`,
          page,
        }),
        404,
      );
    }
    throw error;
  };

  const guarded = async (c: Context<Env>, action: WebAction) => {
    const cycle = await kit.cycleOf(c);
    kit.demand(c, action, await kit.cycleResource(cycle));
    return cycle;
  };

  // ------------------------------------------------------------------ package
  const renderPackage = async (
    c: Context<Env>,
    cycle: Cycle,
    notice?: PageNotice,
    text?: string,
    status = 200,
  ) => {
    const events = await deps.repo.listEvents(cycle.id);
    const data = await packagePageData(
      { repo: deps.repo, evidence: deps.evidenceSource.evidence },
      cycle,
      events,
    );
    const approver = c.get('viewer').person.id === c.get('programme').roles.ismsManager;
    return c.html(
      packagePage(kit.pageOf(c), {
        cycle,
        data,
        approver,
        ...(notice ? { notice } : {}),
        ...(text ? { text } : {}),
      }),
      status as 200,
    );
  };

  app.get('/cycles/:id/package', async (c) => renderPackage(c, await guarded(c, 'view-package')));

  // ------------------------------------------------------------------ minutes
  const renderMinutes = async (
    c: Context<Env>,
    cycle: Cycle,
    notice?: PageNotice,
    text?: string,
    status = 200,
  ) => {
    const events = await deps.repo.listEvents(cycle.id);
    const data = await minutesPageData(deps.repo, cycle, events);
    const approver = c.get('viewer').person.id === c.get('programme').roles.topManagement.chair;
    return c.html(
      minutesPage(kit.pageOf(c), {
        cycle,
        data,
        approver,
        ...(notice ? { notice } : {}),
        ...(text ? { text } : {}),
      }),
      status as 200,
    );
  };

  app.get('/cycles/:id/minutes', async (c) => renderMinutes(c, await guarded(c, 'view-minutes')));

  // ------------------------------------------------------------------ downloads
  // A file of a package or minutes version, served only when its bytes hash to the recorded hash.
  const downloads = {
    package: { action: 'view-package', download: packageDownload },
    minutes: { action: 'view-minutes', download: minutesDownload },
  } as const;
  for (const [subject, { action, download }] of Object.entries(downloads)) {
    app.get(`/cycles/:id/${subject}/:version/:file`, async (c) => {
      const cycle = await guarded(c, action);
      try {
        const file = await download(deps.evidenceSource.evidence, await deps.repo.listEvents(cycle.id), {
          cycleId: cycle.id,
          versionText: c.req.param('version').slice(0, 16),
          name: c.req.param('file').slice(0, 80),
        });
        return attachment(kit, c, file);
      } catch (error) {
        return refused(c, error);
      }
    });
  }

  // ------------------------------------------------------------------ approvals
  for (const subject of ['package', 'minutes'] as const) {
    app.post(`/cycles/:id/${subject}/approval`, async (c) => {
      const cycle = await guarded(c, subject === 'package' ? 'approve-package' : 'approve-minutes');
      const form = await c.req.parseBody();
      const answered = await approveOnWeb(deps, {
        cycle,
        programme: c.get('programme'),
        viewer: c.get('viewer'),
        subject,
        form,
      });
      const render = subject === 'package' ? renderPackage : renderMinutes;
      const current = (await deps.repo.getCycle(cycle.id)) ?? cycle;
      if (!answered.ok) {
        const text = typeof form.text === 'string' ? form.text.slice(0, 2000) : '';
        return render(
          c,
          current,
          { kind: 'error', lines: [`Nothing was recorded: ${answered.problem}.`] },
          text,
          answered.status,
        );
      }
      return render(c, current, {
        kind: 'ok',
        lines: [
          answered.repeated
            ? `This answer was recorded before, exactly so: nothing changed.`
            : `Recorded as ${answered.recordedAs}. A confirmation is on its way to your email.`,
          ...answered.fields.map((f) => `${f.label}: ${f.value}`),
        ],
      });
    });
  }

  // ------------------------------------------------------------------ the auditor's pages
  app.get('/cycles/:id/timeline', async (c) => {
    const cycle = await guarded(c, 'view-timeline');
    const events = [...(await deps.repo.listEvents(cycle.id))].sort((a, b) => a.seq - b.seq);
    return c.html(timelinePage(kit.pageOf(c), { cycle, events }));
  });

  app.get('/cycles/:id/trace', async (c) => {
    const cycle = await guarded(c, 'view-trace');
    const audited = await auditBundle(deps.evidenceSource, cycle.id);
    const actions = await deps.repo.listActionsOfCycle(cycle.id);
    return c.html(tracePage(kit.pageOf(c), { cycle, audited, actions }));
  });

  app.get('/cycles/:id/evidence', async (c) => {
    const cycle = await guarded(c, 'view-evidence');
    const audited = await auditBundle(deps.evidenceSource, cycle.id);
    return c.html(evidencePage(kit.pageOf(c), { cycle, audited }));
  });

  app.get('/cycles/:id/evidence/bundle.zip', async (c) => {
    const cycle = await guarded(c, 'view-evidence');
    const { buildEvidenceBundle } = await import('#shared/evidence/export.ts');
    const bundle = await buildEvidenceBundle(deps.evidenceSource, cycle.id);
    return attachment(kit, c, {
      body: bundle.zip,
      filename: `evidence-${cycle.id}.zip`,
      contentType: 'application/zip',
    });
  });
}

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
