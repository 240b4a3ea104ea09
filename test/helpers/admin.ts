/**
 * The owner and operator side of a test: requests to the real HTTP API of a running test server
 * (ADMIN-API.md), as a site owner or the operator would send them with curl.
 */
import { expect } from 'vitest';
import type { Site, SiteSettings } from '../../backend/admin-protocol.js';
import { OPERATOR_TOKEN, type TestServer } from './server.js';

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** Sends one API request with a bearer credential; parses the JSON answer when there is one. */
export async function api<T = unknown>(
  server: { url: string },
  method: string,
  path: string,
  options: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers.Authorization = `Bearer ${options.key}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  const body = (text && type.includes('application/json') ? JSON.parse(text) : text) as T;
  return { status: res.status, body, headers: res.headers };
}

/** Claims `site` as the operator and returns its key. */
export async function claimSite(
  server: TestServer,
  site: string,
  settings: Partial<SiteSettings> = {},
): Promise<string> {
  const res = await api<{ site: Site; key: string }>(server, 'POST', '/sites', {
    key: OPERATOR_TOKEN,
    body: { site, settings },
  });
  expect(res.status).toBe(201);
  return res.body.key;
}
