/**
 * The rendering libraries (vega, vega-lite, resvg, pdfkit), loaded only when a package is drawn.
 *
 * They are imported by a name held in a variable, so a bundler leaves them out of every bundle:
 * resvg is a native module and pdfkit reads its font metrics from files next to its code, neither
 * of which survives inlining, and only the functions that build a package need them at all. Those
 * functions carry the packages beside their bundle (NodejsFunction `bundling.nodeModules`).
 */
export class RendererUnavailable extends Error {
  override name = 'RendererUnavailable' as const;
}

export async function loadRenderer<T>(name: 'vega' | 'vega-lite' | '@resvg/resvg-js' | 'pdfkit'): Promise<T> {
  const specifier: string = name;
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    throw new RendererUnavailable(
      `${name} could not be loaded (${(error as Error).message}): the function that builds the package ` +
        `must ship it beside its bundle (NodejsFunction bundling.nodeModules, built for the Lambda architecture)`,
    );
  }
}
