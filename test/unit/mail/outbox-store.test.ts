import { MemoryOutboxStore } from '#shared/mail/memory-outbox-store.ts';
import { outboxStoreContract } from './outbox-store-contract.ts';

outboxStoreContract('in memory', async () => new MemoryOutboxStore());
