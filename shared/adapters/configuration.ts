/**
 * The error every adapter throws when the runtime environment contract lacks what it needs (a table
 * name, a bucket, a key). Its own module, so that an adapter that throws it loads no other adapter's
 * SDK client.
 */
export class MissingConfiguration extends Error {
  override name = 'MissingConfiguration' as const;
}
