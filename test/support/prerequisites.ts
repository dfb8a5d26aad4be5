/**
 * What the emulated and browser test projects need from this machine, checked in their global
 * setups before anything starts, so that a missing program stops the run at once with its name and
 * how to install it. The unit and infra projects need neither.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';

export const MIN_JAVA_MAJOR = 17;
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

const INSTALL_JAVA =
  'Install it: Debian/Ubuntu `sudo apt-get install openjdk-17-jre-headless`; macOS `brew install openjdk@17`, ' +
  'then put `$(brew --prefix openjdk@17)/bin` first on PATH.';
const INSTALL_CHROMIUM =
  'Install it: Debian/Ubuntu `sudo apt-get install chromium`; macOS `brew install --cask chromium`, then ' +
  '`export CHROMIUM_PATH=/Applications/Chromium.app/Contents/MacOS/Chromium`. ' +
  'Or set CHROMIUM_PATH to any Chromium or Chrome binary.';

export class JavaMissing extends Error {
  override name = 'JavaMissing' as const;
}

export class ChromiumMissing extends Error {
  override name = 'ChromiumMissing' as const;
}

/** The major version in `java -version` output: `"17.0.15"` is 17, `"1.8.0_301"` is 8, `"21"` is 21. */
export function javaMajorVersion(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (match === null) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

/**
 * Runs `java -version` the way DynamoDB Local is started (the `java` found on `env.PATH`) and
 * returns its major version; throws JavaMissing when there is no java or it is older than 17.
 */
export function requireJava(env: NodeJS.ProcessEnv = process.env): number {
  const need = `Java ${MIN_JAVA_MAJOR} or newer is needed for the emulated tests (DynamoDB Local runs on it)`;
  const run = spawnSync('java', ['-version'], { env, encoding: 'utf8', timeout: 30_000 });
  if (run.error !== undefined) {
    const code = (run.error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no `java` on PATH' : `\`java -version\` failed (${run.error.message})`;
    throw new JavaMissing(`${need}: ${why}. ${INSTALL_JAVA}`);
  }
  const output = `${run.stderr}${run.stdout}`;
  const major = javaMajorVersion(output);
  if (run.status !== 0 || major === undefined) {
    const said = output.trim().split('\n')[0]?.slice(0, 200) || `exit code ${run.status}`;
    throw new JavaMissing(`${need}: \`java -version\` did not report a version (${said}). ${INSTALL_JAVA}`);
  }
  if (major < MIN_JAVA_MAJOR) {
    throw new JavaMissing(`${need}: the \`java\` on PATH is Java ${major}. ${INSTALL_JAVA}`);
  }
  return major;
}

/** Where the browser tests look for Chromium: CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.CHROMIUM_PATH?.trim();
  return configured === undefined || configured === '' ? DEFAULT_CHROMIUM : configured;
}

/** Returns the Chromium binary the browser tests will launch; throws ChromiumMissing when there is none. */
export function requireChromium(env: NodeJS.ProcessEnv = process.env): string {
  const path = chromiumPath(env);
  const where = env.CHROMIUM_PATH?.trim() ? `CHROMIUM_PATH is ${path}` : `CHROMIUM_PATH is not set`;
  const need = 'Chromium is needed for the browser tests';
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new ChromiumMissing(`${need}: nothing at ${path} (${where}). ${INSTALL_CHROMIUM}`);
  }
  try {
    if (!isFile) throw new Error('not a file');
    accessSync(path, constants.X_OK);
  } catch {
    throw new ChromiumMissing(`${need}: ${path} is not an executable file (${where}). ${INSTALL_CHROMIUM}`);
  }
  return path;
}
