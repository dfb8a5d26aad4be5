/**
 * The composition root: how the adapters become the dependencies a Lambda handler (or the CLI, the
 * local stack, a test) hands to the use cases.
 *
 * Each dependency is a *part*: a name from `Parts` and a factory, in a module of its own beside this
 * one (repository.ts, notifier.ts, ...) that imports only the adapters it needs. A function file
 * names the parts its handler uses, `cycleStepHandler({ repo: repository, clock, notifier }, ...)`
 * (handler.ts), and so its bundle holds those adapters' SDK clients and no others: esbuild follows
 * imports, not what is called.
 *
 * A `Wiring` builds each part at most once, on first use (a part that needs another asks the wiring
 * for it, so both share one instance), and takes `overrides` by part name instead of building: a
 * test's clock, a stand-in workflow. The process has one wiring, built from process.env when a
 * handler first runs: once per execution environment on AWS; the local stack, which runs every
 * handler in one process and changes the environment, starts it again with `resetWiring()`.
 *
 * This module imports no adapter; the types below are erased when bundled.
 */
import type { Clock } from '../clock.ts';
import type { RotationDeps } from '../adapters/reply-key-rotation.ts';
import type { NotifierPort, PackagePort } from '../cycle/ports.ts';
import type { Starter } from '../cycle/start.ts';
import type { AnchorStore } from '../evidence/anchor.ts';
import type { AnchorSigner } from '../evidence/signer.ts';
import type { EvidenceSource } from '../evidence/export-source.ts';
import type { IngestSettings } from '../ingest/pipeline.ts';
import type { HeldMailReleaser } from '../ingest/release.ts';
import type { Mailer, Outbox } from '../mail/outbox.ts';
import type { ReplyKeyring } from '../mail/reply-keyring.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { ReviewRepository } from '../store/repository.ts';
import type { WorkflowPort } from '../store/workflow.ts';
import type { SessionKeys } from '../web/session.ts';

/** Everything that can be wired (and overridden), by name. */
export interface Parts {
  /** The runtime environment contract the parts are built from. */
  readonly env: NodeJS.ProcessEnv;
  readonly clock: Clock;
  readonly repo: ReviewRepository;
  /** Resumes waiting tasks (SendTaskSuccess). */
  readonly workflow: WorkflowPort;
  /** Starts review cycles (StartExecution). */
  readonly starter: Starter;
  /** The evidence bucket: raw copies of sent mail, attachments, packages, minutes. */
  readonly evidence: BlobStore;
  /** The raw mail bucket the SES receipt rule writes to. */
  readonly rawMail: BlobStore;
  readonly packages: PackagePort;
  readonly mailer: Mailer;
  readonly outbox: Outbox;
  /** The reply-address HMAC keyring. Never log it. */
  readonly replyKey: ReplyKeyring;
  readonly notifier: NotifierPort;
  /** The anchoring key (KMS on AWS, the data folder's file locally); only anchor-chain signs. */
  readonly anchorSigner: AnchorSigner;
  /** The anchoring key's fingerprint for the package and minutes emails, read on first use. */
  readonly anchorKeyFingerprint: () => Promise<string | undefined>;
  readonly anchors: AnchorStore;
  readonly ingestSettings: IngestSettings;
  /** The Secrets Manager client the reply keyring's rotation uses. */
  readonly secrets: RotationDeps['secrets'];
  /** A signer for the KMS key a deploy-time request names (GetPublicKey only). */
  readonly signerFor: (keyId: string) => AnchorSigner;
  /** Everything a cycle's evidence bundle is built from (the web app's downloads and audit pages). */
  readonly evidenceSource: EvidenceSource;
  /** The web app's HMAC keys of sessions and CSRF tokens, derived from the reply keyring. Never log them. */
  readonly sessionKeys: SessionKeys;
  /** Releases held mail through the pipeline (in this process, or the ingest function's on AWS). */
  readonly heldMailReleaser: HeldMailReleaser;
  /** The programme the web app serves. */
  readonly programmeId: string;
  /** Where the web app is reached, for the links in sign-in mail. */
  readonly baseUrl: string;
}

export type PartName = keyof Parts;

/**
 * A part named `K` whose value is `V`: by default all of `Parts[K]`; a narrower view where a function
 * needs less (the notifier of one message family), so its bundle holds only that.
 */
export interface Part<K extends PartName, V = Parts[K]> {
  readonly name: K;
  readonly build: (wiring: Wiring) => V | Promise<V>;
}

/** A part: its name (what an override replaces) and how it is built. */
export const part = <K extends PartName>(name: K, build: Part<K>['build']): Part<K> => ({ name, build });

/**
 * A part that gives a view of `Parts[K]` (for instance the notifier of one message family): its
 * value `V` must be something the whole `Parts[K]` also is, so an override of the part still fits.
 */
export const partView = <K extends PartName, V>(
  name: K,
  build: (wiring: Wiring) => V | Promise<V>,
  ..._view: Parts[K] extends V ? [] : [never]
): Part<K, V> => ({ name, build });

export interface WiringOptions {
  /** Default process.env (read when a part is built, and by parts that read it later: the clock). */
  readonly env?: NodeJS.ProcessEnv;
  /** Parts given rather than built, by name. */
  readonly overrides?: Partial<Parts>;
}

export class Wiring {
  readonly env: NodeJS.ProcessEnv;
  readonly #overrides: Partial<Parts>;
  readonly #built = new Map<Part<PartName, unknown>, Promise<unknown>>();

  constructor(options: WiringOptions = {}) {
    this.env = options.overrides?.env ?? options.env ?? process.env;
    this.#overrides = options.overrides ?? {};
  }

  /** The part, built on first use and kept; an override when one is given for its name. */
  get<K extends PartName, V = Parts[K]>(wanted: Part<K, V>): Promise<V> {
    if (Object.hasOwn(this.#overrides, wanted.name)) {
      // `part` checked that the whole Parts[K] is a V.
      return Promise.resolve(this.#overrides[wanted.name] as V);
    }
    let built = this.#built.get(wanted) as Promise<V> | undefined;
    if (!built) {
      const building = Promise.resolve().then(() => wanted.build(this));
      built = building;
      this.#built.set(wanted, building);
      // A part that failed to build (a secret not readable yet) is built again by the next caller.
      building.catch(() => {
        if (this.#built.get(wanted) === building) this.#built.delete(wanted);
      });
    }
    return built;
  }
}

/** Parts under the names a use case's dependencies have, e.g. `{ repo: repository, clock }`. */
export type PartSet = Readonly<Record<string, Part<PartName, unknown>>>;

/** The dependencies a set of parts gives, under the set's own keys. */
export type Wired<S extends PartSet> = {
  readonly [K in keyof S]: S[K] extends Part<PartName, infer V> ? V : never;
};

/** Builds a set of parts from a wiring; with none, from this process's. */
export type WiredDeps<S extends PartSet> = (wiring?: Wiring) => Promise<Wired<S>>;

/** The dependencies of one handler (or use case): exactly the parts named, nothing else imported. */
export function wire<S extends PartSet>(parts: S): WiredDeps<S> {
  const entries = Object.entries(parts);
  return async (wiring = processWiring()) => {
    const values = await Promise.all(entries.map(([, wanted]) => wiring.get(wanted)));
    return Object.fromEntries(entries.map(([key], i) => [key, values[i]])) as Wired<S>;
  };
}

let current: Wiring | undefined;

/** This process's wiring, from process.env: built once per execution environment. */
export function processWiring(): Wiring {
  current ??= new Wiring();
  return current;
}

/** Forget this process's wiring: the next handler builds its parts again from the environment. */
export function resetWiring(): void {
  current = undefined;
}

/** The environment itself, for a use case that reads a setting when it runs (STATE_MACHINE_ARN). */
export const environment = part('env', (wiring) => wiring.env);
