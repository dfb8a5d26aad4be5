import { MemoryOutboxStore } from '#shared/mail/outbox.ts';
import { outboxStoreContract } from './outbox-store-contract.ts';

outboxStoreContract('in memory', async () => new MemoryOutboxStore());
