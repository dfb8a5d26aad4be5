/** Every store contract, one per port: a runner calls each with a name and a fresh-store factory. */
import { actionStoreContract } from './actions.contract.ts';
import { cycleStoreContract } from './cycles.contract.ts';
import { eventLogContract } from './event-log.contract.ts';
import { inboundMailStoreContract } from './held-mail.contract.ts';
import { inputRequestsContract } from './input-requests.contract.ts';
import { mailRecordStoreContract } from './mail-records.contract.ts';
import { minutesStoreContract } from './minutes.contract.ts';
import { periodClaimsContract } from './periods.contract.ts';
import { programmeStoreContract } from './programmes.contract.ts';
import type { MakeRepository } from './records.ts';
import { signInTokenStoreContract } from './sign-in-tokens.contract.ts';
import { taskTokenStoreContract } from './task-tokens.contract.ts';

export type { MakeRepository } from './records.ts';

export const storeContracts: readonly ((name: string, makeRepo: MakeRepository) => void)[] = [
  programmeStoreContract,
  cycleStoreContract,
  inputRequestsContract,
  actionStoreContract,
  minutesStoreContract,
  eventLogContract,
  mailRecordStoreContract,
  taskTokenStoreContract,
  periodClaimsContract,
  inboundMailStoreContract,
  signInTokenStoreContract,
];
