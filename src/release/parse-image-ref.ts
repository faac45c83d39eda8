export interface ImageRef {
  /** Everything before the tag: `ghcr.io/kubeflow/kfp-api-server`, `localhost:5000/mysql`. */
  repository: string;
  tag: string | undefined;
  digest: string | undefined;
}

/** Splits `registry[:port]/path[:tag][@digest]`; the tag colon is the one after the last slash. */
export function parseImageRef(image: string): ImageRef {
  const at = image.indexOf("@");
  const name = at === -1 ? image : image.slice(0, at);
  const digest = at === -1 ? undefined : image.slice(at + 1);
  const colon = name.lastIndexOf(":");
  if (colon > name.lastIndexOf("/"))
    return { repository: name.slice(0, colon), tag: name.slice(colon + 1), digest };
  return { repository: name, tag: undefined, digest };
}
