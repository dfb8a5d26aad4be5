/**
 * The layers of shared/, lowest first, and who may import whom (docs/architecture.md draws them).
 * Imports only go down: a folder imports its own files, the folders of lower layers and, inside one
 * layer, only the siblings named in `siblings`. Everything else under shared/ is a wrong-way import
 * and fails `npm run lint` with the rule's comment, which says which layer may import which.
 *
 * Run: npx depcruise shared functions web --config .dependency-cruiser.mjs --output-type err-long
 */

/** Lowest first. `folders` are the top-level folders (or files) of shared/ the layer holds. */
const layers = [
  {
    name: 'model',
    what: 'record schemas, ids, canonical JSON, the clock, the follow-up ladder',
    folders: ['model', 'clock.ts', 'ladder.ts'],
  },
  { name: 'catalogue', what: "the standards' input catalogues", folders: ['catalogue'] },
  { name: 'programme', what: 'configuration, schedules, cron', folders: ['programme'] },
  { name: 'store', what: 'ports: the interfaces the adapters implement', folders: ['store'] },
  {
    name: 'mail',
    what: 'message building blocks: templates, reply addresses, the outbox',
    folders: ['mail'],
  },
  {
    name: 'features',
    what: 'actions, evidence, package, minutes: each on the ports below',
    folders: ['actions', 'evidence', 'package', 'minutes'],
    siblings: { package: ['actions'], minutes: ['actions', 'package'] },
  },
  { name: 'cycle', what: "the workflow's use cases, one file per phase", folders: ['cycle'] },
  {
    name: 'mail flows',
    what:
      'ingest (inbound mail, drives cycle steps), notify (composes outbound messages) and web (sign-in, ' +
      "sessions, authorisation and the pages' data of the web app)",
    folders: ['ingest', 'notify', 'web'],
  },
  { name: 'adapters', what: 'AWS implementations of the ports', folders: ['adapters'] },
  {
    name: 'wiring',
    what: 'the composition root: one small factory per dependency, the handler factory',
    folders: ['wiring'],
  },
];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A path regex for a folder (`shared/x/`) or a top-level file (`shared/x.ts`). */
const pathOf = (folder) => (folder.endsWith('.ts') ? `^shared/${escape(folder)}$` : `^shared/${folder}/`);
const list = (names) => (names.length ? names.join(', ') : 'nothing');

const layerRules = layers.flatMap((layer, index) => {
  const below = layers.slice(0, index);
  const above = layers.slice(index + 1);
  const lowerFolders = below.flatMap((l) => l.folders);
  return layer.folders.map((folder) => {
    const siblings = layer.siblings?.[folder] ?? [];
    const others = layer.folders.filter((f) => f !== folder && !siblings.includes(f));
    const allowed = [folder, ...siblings, ...lowerFolders];
    const name = folder.replace(/\.ts$/, '');
    const may = [...(siblings.length ? [`${list(siblings)} (same layer)`] : []), ...below.map((l) => l.name)];
    return {
      name: `${name}-imports-only-lower-layers`,
      severity: 'error',
      comment:
        `shared/${folder} is in layer "${layer.name}" (${layer.what}). ` +
        (may.length ? `It may import only ${list(may.reverse())}. ` : 'It imports nothing else of ours. ') +
        (others.length ? `Not its siblings ${list(others)}; ` : '') +
        (above.length ? `not the layers above it: ${list(above.map((l) => l.name))}. ` : '') +
        'Move the code to the layer it belongs to, or pass what it needs in as a port.',
      from: { path: pathOf(folder) },
      to: { path: '^shared/', pathNot: allowed.map(pathOf) },
    };
  });
});

export default {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Files of shared/ and functions/ import one another in a circle: break it by moving the shared ' +
        'part down a layer (a record into model, a port into store).',
      from: { path: '^(shared|functions|web)/' },
      to: { circular: true },
    },
    {
      name: 'shared-imports-no-entry-points',
      severity: 'error',
      comment:
        'shared/ is the library: it must not import the entry points above it (functions, web, infra, cli, ' +
        'demo, bench, test). They import shared/, never the other way round.',
      from: { path: '^shared/' },
      to: { path: '^(functions|infra|cli|demo|bench|test|web)/' },
    },
    {
      name: 'web-imports-no-tools',
      severity: 'error',
      comment:
        'The web app in web/ runs as a Lambda function too: it imports shared/ and its libraries only, ' +
        'not infra, cli, demo, bench or test code.',
      from: { path: '^web/' },
      to: { path: '^(infra|cli|demo|bench|test|functions)/' },
    },
    {
      name: 'functions-import-no-tools',
      severity: 'error',
      comment:
        'A Lambda handler in functions/ imports shared/ and its libraries only: not infra, cli, demo, ' +
        'bench or test code, which would end up in its bundle.',
      from: { path: '^functions/' },
      to: { path: '^(infra|cli|demo|bench|test)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    // Type-only imports count: a layer that needs another's types depends on it all the same.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
