/**
 * The messages the action register sends besides the follow-up ladder: the request to confirm a
 * corrective action's closure and its refusal to the owner, the effectiveness check to
 * its assignee, an extension request to the chair, the chair's answer to the owner, and a reopened
 * action to its owner. Each is idempotent by its business key (action, due date or request).
 */
import type { Action } from '../model/action.ts';
import type { Cycle } from '../model/cycle.ts';
import type { Programme } from '../programme/schema.ts';

export interface ActionMessage {
  /** The cycle whose review decided the action. */
  readonly cycle: Cycle;
  readonly programme: Programme;
  /** The action as stored after the change. */
  readonly action: Action;
}

export interface ActionNotifierPort {
  /**
   * Asks the confirmer (the ISMS manager, or the chair when the ISMS manager owns the action) to
   * CONFIRM the closure of a done corrective action on its evidence, or REOPEN it.
   */
  closureConfirmationRequest(
    args: ActionMessage & {
      /** The confirmation has waited too long: a reminder. */
      readonly overdue?: boolean;
    },
  ): Promise<void>;
  /** Tells the owner the confirmer sent the action back to in progress, and what is missing. */
  closureReopened(
    args: ActionMessage & { readonly reason: string; readonly reopenedBy: string },
  ): Promise<void>;
  /** Asks the assignee of a done corrective action's effectiveness check for PASS or FAIL. */
  effectivenessCheckRequest(
    args: ActionMessage & {
      /** The check is past its due date: a reminder, the ISMS manager copied. */
      readonly overdue?: boolean;
    },
  ): Promise<void>;
  /** Asks the chair to APPROVE or REFUSE the owner's pending extension request. */
  extensionRequest(args: ActionMessage): Promise<void>;
  /** Tells the owner the chair's answer. */
  extensionDecision(
    args: ActionMessage & {
      readonly approved: boolean;
      /** When the owner asked (UTC): names the request, so each answer is sent once. */
      readonly requestedAt: string;
      readonly requestedDueDate: string;
      readonly previousDueDate: string;
      readonly reason?: string;
    },
  ): Promise<void>;
  /** Tells the owner a failed effectiveness check reopened the action. */
  actionReopened(
    args: ActionMessage & { readonly finding: string; readonly checkedBy: string },
  ): Promise<void>;
  /**
   * Tells the owner top management's decision on the escalated action: a new due date, a new owner
   * (both owners are told), or the risk accepted and the action closed.
   */
  managementDecision(
    args: ActionMessage & {
      readonly decision: 'reschedule' | 'reassign' | 'accept-risk';
      readonly reason: string;
      readonly decidedBy: string;
      readonly decidedAt: string;
      readonly previousOwnerId: string;
      readonly previousDueDate: string;
    },
  ): Promise<void>;
}
