import type { ApiClient } from './client';
import type { ModelPackage, RoutingProfile, Sender } from './types';

/** The body of PUT /api/senders/{ae} (what the api reads; source and updatedAt are its own). */
export type SenderChange = Pick<Sender, 'aeTitle' | 'host' | 'allowed' | 'routingProfile' | 'stableTimeout' | 'enabled'>;

/**
 * The administration endpoints of dicom-ingest's senders and inference's model packages and routing profiles, as the
 * api exposes them (GET /api/senders, PUT/DELETE /api/senders/{ae}; GET /api/models, PUT /api/models/{id}/enabled;
 * GET /api/routing-profiles, PUT /api/routing-profiles/{name}).
 */
export const adminApi = {
  senders: (api: ApiClient) => api.json<Sender[]>('/api/senders'),
  putSender: (api: ApiClient, sender: SenderChange) => {
    const { aeTitle, host, allowed, routingProfile, stableTimeout, enabled } = sender;
    return api.post<Sender>(`/api/senders/${encodeURIComponent(aeTitle)}`, { host, allowed, routingProfile, stableTimeout, enabled }, 'PUT');
  },
  deleteSender: (api: ApiClient, aeTitle: string) => api.json<void>(`/api/senders/${encodeURIComponent(aeTitle)}`, { method: 'DELETE' }),
  models: (api: ApiClient) => api.json<ModelPackage[]>('/api/models'),
  setModelEnabled: (api: ApiClient, id: string, enabled: boolean) =>
    api.post<ModelPackage>(`/api/models/${encodeURIComponent(id)}/enabled`, { enabled }, 'PUT'),
  routingProfiles: (api: ApiClient) => api.json<RoutingProfile[]>('/api/routing-profiles'),
  setProfilePackages: (api: ApiClient, name: string, packages: string[]) =>
    api.post<RoutingProfile>(`/api/routing-profiles/${encodeURIComponent(name)}`, { packages: [...new Set(packages)] }, 'PUT'),
};

/** A model's status as shown: DEMO and RESEARCH are never for diagnosis. */
export function modelStatusNotice(status: string): 'demo' | 'research' | null {
  switch (status.toUpperCase()) {
    case 'DEMO': return 'demo';
    case 'RESEARCH': return 'research';
    default: return null;
  }
}
