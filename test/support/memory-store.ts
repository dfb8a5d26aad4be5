/** The in-memory review store (test/support/memory-store/): what shared/store/repository.ts points to. */
export * from './memory-store/index.ts';
