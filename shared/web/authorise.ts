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
    };

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
  }
}
