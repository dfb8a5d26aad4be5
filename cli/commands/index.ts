import {
  actionConfirm,
  actionDecide,
  actionExtension,
  actionShow,
  actionsList,
  actionUpdate,
} from './actions.ts';
import { cycleList, cycleMove, cycleShow, cycleStart } from './cycle.ts';
import { evidenceExport, evidenceKey, evidenceVerify } from './evidence.ts';
import { inputSubmit } from './input.ts';
import { mailHeld, mailIngest, mailRelease } from './mail.ts';
import { minutesSubmit } from './minutes.ts';
import { programmeApply, programmeValidate } from './programme.ts';
import { status } from './status.ts';
import type { Command } from './types.ts';
import { webSignIn } from './web.ts';

export type { Command } from './types.ts';

export const commands: Command[] = [
  status,
  programmeValidate,
  programmeApply,
  cycleStart,
  cycleList,
  cycleShow,
  cycleMove,
  evidenceExport,
  evidenceVerify,
  evidenceKey,
  inputSubmit,
  mailIngest,
  mailHeld,
  mailRelease,
  minutesSubmit,
  actionsList,
  actionUpdate,
  actionConfirm,
  actionDecide,
  actionExtension,
  actionShow,
  webSignIn,
];
