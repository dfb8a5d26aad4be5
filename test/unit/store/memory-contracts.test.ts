/** Every store contract on the in-memory store (test/support/memory-store/). */
import { storeContracts } from '#test/contracts/index.ts';
import { memoryRepository } from '#test/support/memory-store/index.ts';

for (const contract of storeContracts) {
  contract('in memory', async (hooks = {}) => memoryRepository(hooks));
}
