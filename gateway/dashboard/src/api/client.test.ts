import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError, type Session, type SessionStore } from './client';

function memoryStore(initial: Session | null = null): SessionStore & { value: Session | null } {
  const store = { value: initial, load: () => store.value, save: (s: Session | null) => { store.value = s; } };
  return store;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers } });

describe('api client', () => {
  it('signs in, reads the role from /api/auth/me and sends the bearer token', async () => {
    const calls: { url: string; auth: string | null }[] = [];
    const fetch = async (url: string, init?: RequestInit) => {
      calls.push({ url, auth: new Headers(init?.headers).get('Authorization') });
      if (url === '/api/auth/login') return json(200, { accessToken: 'A1', tokenType: 'Bearer', expiresIn: 900, refreshToken: 'R1', refreshExpiresIn: 3600 });
      if (url === '/api/auth/me') return json(200, { id: 'u', name: 'dr', kind: 'user', roles: ['radiologist'] });
      return json(200, []);
    };
    const store = memoryStore();
    const client = new ApiClient(fetch, store, () => 0);
    const session = await client.login('dr', 'secret');
    expect(session).toMatchObject({ role: 'radiologist', userName: 'dr', accessExpiresAt: 900_000 });
    await client.json('/api/jobs');
    expect(calls.at(-1)).toEqual({ url: '/api/jobs', auth: 'Bearer A1' });
    expect(store.value?.refreshToken).toBe('R1');
  });

  it('refreshes once on 401 and retries with the new token', async () => {
    const auths: (string | null)[] = [];
    let refreshes = 0;
    const fetch = async (url: string, init?: RequestInit) => {
      if (url === '/api/auth/refresh') {
        refreshes++;
        expect(JSON.parse(String(init?.body))).toEqual({ refreshToken: 'R1' });
        return json(200, { accessToken: 'A2', tokenType: 'Bearer', expiresIn: 900, refreshToken: 'R2', refreshExpiresIn: 3600 });
      }
      const auth = new Headers(init?.headers).get('Authorization');
      auths.push(auth);
      return auth === 'Bearer A2' ? json(200, { ok: true }) : json(401, { title: 'Unauthorized' });
    };
    const store = memoryStore({ accessToken: 'A1', refreshToken: 'R1', accessExpiresAt: 10_000_000, userName: 'x', role: 'viewer' });
    const client = new ApiClient(fetch, store, () => 0);
    expect(await client.json('/api/jobs/1')).toEqual({ ok: true });
    expect(auths).toEqual(['Bearer A1', 'Bearer A2']);
    expect(refreshes).toBe(1);
    expect(store.value?.refreshToken).toBe('R2');
  });

  it('signs out when the refresh is refused, and turns problems into ApiError', async () => {
    const fetch = async (url: string) =>
      url === '/api/auth/refresh' ? json(401, { title: 'Invalid token' }) : json(401, { title: 'Unauthorized' });
    const store = memoryStore({ accessToken: 'A1', refreshToken: 'R1', accessExpiresAt: 10_000_000, userName: 'x', role: 'viewer' });
    const client = new ApiClient(fetch, store, () => 0);
    const error = await client.json('/api/jobs').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(store.value).toBeNull();
    expect(client.current).toBeNull();
  });

  it('reads the title and detail of an RFC 9457 problem', async () => {
    const fetch = async () => json(409, { title: 'No report', detail: 'Job 1 has no report to send.' });
    const client = new ApiClient(fetch, memoryStore({ accessToken: 'A', refreshToken: 'R', accessExpiresAt: 1e12, userName: 'x', role: 'admin' }), () => 0);
    const error = (await client.post('/api/jobs/1/resend', {}).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(409);
    expect(error.title).toBe('No report');
    expect(error.detail).toBe('Job 1 has no report to send.');
  });

  it('refuses an account without a dashboard role', async () => {
    const fetch = async (url: string) =>
      url === '/api/auth/login'
        ? json(200, { accessToken: 'A', tokenType: 'Bearer', expiresIn: 900, refreshToken: 'R', refreshExpiresIn: 1 })
        : json(200, { id: 'k', name: null, kind: 'apikey', roles: [] });
    const client = new ApiClient(fetch, memoryStore(), () => 0);
    await expect(client.login('x', 'y')).rejects.toMatchObject({ status: 403 });
  });
});
