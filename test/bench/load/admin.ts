/**
 * The operator's side of a load scenario: claiming the benchmark's site and banning visitors over
 * the real HTTP API (ADMIN-API.md), as an owner's tool would.
 */
export async function adminRequest<T>(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Claims `site` with `settings`; throws unless the server answers 201. */
export async function claim(
  url: string,
  token: string,
  site: string,
  settings: Record<string, unknown>,
): Promise<void> {
  const res = await adminRequest(url, token, 'POST', '/sites', { site, settings });
  if (res.status !== 201) throw new Error(`claiming ${site} answered ${res.status}`);
}
