/**
 * The one authorisation rule of the web app: `can(viewer, action, resource)`, asked by every route
 * on the server before it reads or changes anything. Nothing of another programme is ever allowed;
 * an auditor may look at everything of theirs and change nothing.
 */
import type { Role, Viewer } from './viewer.ts';

export const WEB_ACTIONS = [
  /** The start page (what it shows depends on the roles). */
  'view-start',
  /** A cycle's page: its inputs, package versions, decisions and actions. */
  'view-cycle',
  /** A cycle's event log as a timeline. */
  'view-timeline',
  /** The whole action register (others see their own actions only). */
  'view-all-actions',
  /** The answer form of an input request, and sending it. */
  'answer-input',
  /** Moving a cycle's meeting (`isms-review cycle move`). */
  'move-meeting',
  // The ISMS manager's actions and the action owners' forms (web/routes/manage.ts).
  /** Held inbound mail: the list and releasing one (`isms-review mail held`, `mail release`). */
  'release-held-mail',
  /** Starting a cycle (`isms-review cycle start`). */
  'start-cycle',
  /** An action's page: its facts, evidence and history. */
  'view-action',
  /** The owner's (or their delegate's) DONE, PROGRESS and EXTEND, as by reply to a reminder. */
  'report-on-action',
  /** `action update` (status, note, evidence link) and `action confirm` (confirm or reopen a closure). */
  'update-action',
  /** `action extension` (approve or refuse) and `action decide`, recorded in top management's name. */
  'record-management-answer',
  // The review's record (web/routes/review.ts): top management's and the auditor's pages.
  /** A cycle's package: every frozen version, its files to download, the decision sheet's proposals. */
  'view-package',
  /** A cycle's minutes: every accepted version and its files to download. */
  'view-minutes',
  /** The trace of each input to its decisions and actions (the evidence bundle's trace.csv). */
  'view-trace',
  /** The evidence bundle: its verification result and the download. */
  'view-evidence',
  /** The ISMS manager's APPROVE or CHANGES on a package version, as by reply. */
  'approve-package',
  /** The chair's APPROVE or OBJECT on the minutes, as by reply (any other member is refused by the rule). */
  'approve-minutes',
] as const;
export type WebAction = (typeof WEB_ACTIONS)[number];

/** What an action is asked about. */
export type WebResource =
  | { readonly kind: 'programme'; readonly programmeId: string }
  /** `involved`: the owners of the cycle's input requests and actions. */
  | {
      readonly kind: 'cycle';
      readonly programmeId: string;
      readonly involved: readonly string[];
    }
  | {
      readonly kind: 'input';
      readonly programmeId: string;
      readonly ownerId: string | undefined;
      readonly automatic: boolean;
    }
  | { readonly kind: 'action'; readonly programmeId: string; readonly ownerId: string };

const has = (viewer: Viewer, ...roles: Role[]) => roles.some((role) => viewer.roles.has(role));

export function can(viewer: Viewer, action: WebAction, resource: WebResource): boolean {
  if (resource.programmeId !== viewer.programmeId) return false;
  switch (action) {
    case 'view-start':
      return viewer.roles.size > 0;
    case 'view-all-actions':
      return has(viewer, 'isms-manager', 'auditor');
    case 'view-cycle':
      if (has(viewer, 'isms-manager', 'auditor', 'top-management')) return true;
      return (
        resource.kind === 'cycle' &&
        has(viewer, 'owner') &&
        resource.involved.some((id) => viewer.answersFor.has(id))
      );
    case 'view-timeline':
      return resource.kind === 'cycle' && has(viewer, 'isms-manager', 'auditor');
    case 'answer-input':
      return (
        resource.kind === 'input' &&
        !resource.automatic &&
        resource.ownerId !== undefined &&
        has(viewer, 'owner') &&
        viewer.answersFor.has(resource.ownerId)
      );
    case 'move-meeting':
      return resource.kind === 'cycle' && has(viewer, 'isms-manager');
    case 'release-held-mail':
    case 'start-cycle':
      return resource.kind === 'programme' && has(viewer, 'isms-manager');
    case 'view-action':
      if (resource.kind !== 'action') return false;
      return (
        has(viewer, 'isms-manager', 'auditor', 'top-management') || viewer.answersFor.has(resource.ownerId)
      );
    case 'report-on-action':
      return resource.kind === 'action' && has(viewer, 'owner') && viewer.answersFor.has(resource.ownerId);
    case 'update-action':
    case 'record-management-answer':
      return resource.kind === 'action' && has(viewer, 'isms-manager');
    case 'view-package':
    case 'view-minutes':
      return resource.kind === 'cycle' && has(viewer, 'isms-manager', 'top-management', 'auditor');
    case 'view-trace':
    case 'view-evidence':
      return resource.kind === 'cycle' && has(viewer, 'isms-manager', 'auditor');
    case 'approve-package':
      return resource.kind === 'cycle' && has(viewer, 'isms-manager');
    case 'approve-minutes':
      return resource.kind === 'cycle' && has(viewer, 'top-management');
  }
}
