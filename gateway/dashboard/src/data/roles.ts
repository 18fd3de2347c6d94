import type { Role } from '../api/types';

/** What each role may do in the dashboard; the API refuses the same (docs/security.md), this only hides. */
export type Capability =
  | 'patient-identity' | 'download-report' | 'view-images' | 'rerun' | 'resend'
  | 'admin-destinations' | 'admin-senders' | 'admin-models' | 'admin-users' | 'audit';

const CAPABILITIES: Record<Role, readonly Capability[]> = {
  // Patient identity and report files are patient data: radiologists only (policy radai.patient-data).
  radiologist: ['patient-identity', 'download-report', 'view-images', 'rerun', 'resend'],
  admin: ['view-images', 'rerun', 'resend', 'admin-destinations', 'admin-senders', 'admin-models', 'admin-users', 'audit'],
  viewer: [],
};

export function can(role: Role | null | undefined, capability: Capability): boolean {
  return role ? CAPABILITIES[role].includes(capability) : false;
}
