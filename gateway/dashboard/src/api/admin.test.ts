import { describe, expect, it } from 'vitest';
import { adminApi, modelStatusNotice } from './admin';
import { ApiClient, ApiError, type Session } from './client';

interface Call { method: string; url: string; body: unknown; auth: string | null }

function client(answer: (call: Call) => Response) {
  const calls: Call[] = [];
  const session: Session = { accessToken: 'T', refreshToken: 'R', accessExpiresAt: 1e12, userName: 'admin', role: 'admin' };
  const fetch = async (url: string, init?: RequestInit) => {
    const call = { method: init?.method ?? 'GET', url, body: init?.body ? JSON.parse(String(init.body)) : undefined, auth: new Headers(init?.headers).get('Authorization') };
    calls.push(call);
    return answer(call);
  };
  return { api: new ApiClient(fetch, { load: () => session, save: () => {} }, () => 0), calls };
}

const ok = (body: unknown, status = 200) => new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('senders', () => {
  it('lists, replaces (body without the AE title, AE title escaped in the path) and removes', async () => {
    const { api, calls } = client((c) => (c.method === 'DELETE' ? ok(null, 204) : ok(c.method === 'GET' ? [{ aeTitle: 'CT 1', allowed: true }] : { aeTitle: 'CT 1' })));
    expect(await adminApi.senders(api)).toEqual([{ aeTitle: 'CT 1', allowed: true }]);
    await adminApi.putSender(api, { aeTitle: 'CT 1', host: '10.0.0.5', allowed: true, routingProfile: 'chest', stableTimeout: '00:00:30', enabled: true });
    await adminApi.deleteSender(api, 'CT 1');
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['GET /api/senders', 'PUT /api/senders/CT%201', 'DELETE /api/senders/CT%201']);
    expect(calls[1].body).toEqual({ host: '10.0.0.5', allowed: true, routingProfile: 'chest', stableTimeout: '00:00:30', enabled: true });
    expect(calls.every((c) => c.auth === 'Bearer T')).toBe(true);
  });

  it('surfaces a refusal (configured sender, read-only) as the problem', async () => {
    const { api } = client(() => new Response(JSON.stringify({ title: 'Read-only', detail: 'CT1 is configured.' }), { status: 409, headers: { 'Content-Type': 'application/problem+json' } }));
    const error = (await adminApi.deleteSender(api, 'CT1').catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(409);
    expect(error.detail).toBe('CT1 is configured.');
  });
});

describe('models and routing profiles', () => {
  it('enables and disables a package with PUT {enabled}', async () => {
    const { api, calls } = client((c) => ok(c.method === 'GET' ? [{ id: 'radai.ct.lung-quant', status: 'RESEARCH', enabled: true }] : { id: 'radai.ct.lung-quant', enabled: false }));
    const models = await adminApi.models(api);
    expect(models[0].status).toBe('RESEARCH');
    await adminApi.setModelEnabled(api, 'radai.ct.lung-quant', false);
    expect(calls[1]).toMatchObject({ method: 'PUT', url: '/api/models/radai.ct.lung-quant/enabled', body: { enabled: false } });
  });

  it('sets the packages of a profile, each once', async () => {
    const { api, calls } = client((c) => ok(c.method === 'GET' ? [{ name: 'default', packages: [] }] : { name: 'default', packages: ['a', 'b'] }));
    expect(await adminApi.routingProfiles(api)).toEqual([{ name: 'default', packages: [] }]);
    await adminApi.setProfilePackages(api, 'default', ['a', 'b', 'a']);
    expect(calls[1]).toMatchObject({ method: 'PUT', url: '/api/routing-profiles/default', body: { packages: ['a', 'b'] } });
  });

  it('flags DEMO and RESEARCH packages, not CLINICAL ones', () => {
    expect(modelStatusNotice('DEMO')).toBe('demo');
    expect(modelStatusNotice('research')).toBe('research');
    expect(modelStatusNotice('CLINICAL')).toBeNull();
  });
});
