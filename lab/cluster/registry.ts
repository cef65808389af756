// Whether an image can be pulled, asked of its registry over the Docker Registry HTTP API v2 as a
// container runtime asks it, anonymously: a HEAD of the manifest; when the registry answers 401
// with a Bearer challenge (Docker Hub, ghcr.io, quay.io), an anonymous token from the challenge's
// realm for `repository:<name>:pull`, then the HEAD again. Nothing is downloaded but the token.
// Plain http only for a registry on this machine (as Docker does by default); https otherwise.

import { isLoopbackRegistry, parseImageRef } from './images.ts';

export type Pullability =
  | { pullable: true; digest?: string }
  /** missing: the registry says there is no such manifest; denied: it wants credentials (Docker Hub says so for a repository that does not exist, too); unreachable: no answer */
  | { pullable: false; why: 'missing' | 'denied' | 'unreachable'; detail: string };

/** How the lab asks: the real one fetches; tests give a stand-in. */
export type ImagePullCheck = (ref: string) => Promise<Pullability>;

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** The parameters of a `WWW-Authenticate: Bearer realm="...",service="...",scope="..."` header. */
export function parseBearerChallenge(header: string | null): Record<string, string> | undefined {
  if (!header || !/^Bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const [, key, value] of header.slice(7).matchAll(/([A-Za-z_]+)="([^"]*)"/g)) params[key!.toLowerCase()] = value!;
  return params.realm ? params : undefined;
}

/** fetch says "fetch failed"; what failed is in its cause (ECONNREFUSED, ENOTFOUND, a timeout, a certificate). */
const errorText = (error: unknown) => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.message?.includes(cause.code) ? cause.message : `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  return cause?.message ?? (error as Error).message;
};

/** Asks the image's registry whether `ref` can be pulled (one check, `timeoutMs` for each request). */
export async function checkImagePullable(ref: string, options: { timeoutMs?: number; fetch?: typeof fetch } = {}): Promise<Pullability> {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const { registry, repository, reference } = parseImageRef(ref);
  const scheme = isLoopbackRegistry(registry) ? 'http' : 'https';
  const manifestUrl = `${scheme}://${registry}/v2/${repository}/manifests/${reference}`;
  const head = (authorization?: string) => doFetch(manifestUrl, {
    method: 'HEAD',
    headers: { accept: MANIFEST_TYPES, ...(authorization ? { authorization } : {}) },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const answer = (res: Response, asked: string): Pullability => {
    if (res.ok) return { pullable: true, digest: res.headers.get('docker-content-digest') ?? undefined };
    if (res.status === 404) return { pullable: false, why: 'missing', detail: `${registry} has no ${repository}:${reference} (HTTP 404${asked})` };
    if (res.status === 401 || res.status === 403) {
      return { pullable: false, why: 'denied', detail: `${registry} refuses an anonymous pull of ${repository} (HTTP ${res.status}${asked}): the repository is private or does not exist` };
    }
    return { pullable: false, why: 'unreachable', detail: `${registry} answered HTTP ${res.status} for ${repository}:${reference}` };
  };
  let res: Response;
  try {
    res = await head();
  } catch (error) {
    return { pullable: false, why: 'unreachable', detail: `${scheme}://${registry} did not answer (${errorText(error)})` };
  }
  if (res.status !== 401) return answer(res, '');
  const challenge = parseBearerChallenge(res.headers.get('www-authenticate'));
  if (!challenge) return answer(res, ', no Bearer challenge to ask a token from');
  const tokenUrl = new URL(challenge.realm!);
  if (challenge.service) tokenUrl.searchParams.set('service', challenge.service);
  tokenUrl.searchParams.set('scope', challenge.scope ?? `repository:${repository}:pull`);
  let token: string | undefined;
  try {
    const tokenRes = await doFetch(tokenUrl, { signal: AbortSignal.timeout(timeoutMs) });
    if (!tokenRes.ok) return answer(tokenRes, ` from its token service ${tokenUrl.origin}`);
    const body = await tokenRes.json() as { token?: string; access_token?: string };
    token = body.token ?? body.access_token;
  } catch (error) {
    return { pullable: false, why: 'unreachable', detail: `the token service of ${registry} (${tokenUrl.origin}) did not answer (${errorText(error)})` };
  }
  if (!token) return { pullable: false, why: 'denied', detail: `the token service of ${registry} gave no token for ${repository}` };
  try {
    return answer(await head(`Bearer ${token}`), ' with an anonymous token');
  } catch (error) {
    return { pullable: false, why: 'unreachable', detail: `${scheme}://${registry} did not answer (${errorText(error)})` };
  }
}
