import { useState, type FormEvent } from 'react';
import type { Role, User } from '../api/types';
import { formatDateTime, useI18n } from '../i18n';
import { Empty, Show, useApp, useLoad } from '../components/common';
import { ActionNotice, AdminForm, AdminTable, RowActions, StateBadge, useAdminAction } from '../components/admin';

const ROLES: Role[] = ['viewer', 'radiologist', 'admin'];
const EMPTY_FORM = { username: '', password: '', role: 'viewer' as Role };

/** GET/POST /api/users, PUT /api/users/{id}/role, POST /api/users/{id}/disable|enable (docs/security.md). */
export function UsersPage() {
  const { api, session } = useApp();
  const { t, language } = useI18n();
  const [users, reload] = useLoad(() => api.json<User[]>('/api/users'), []);
  const [form, setForm] = useState(EMPTY_FORM);
  const { message, busy, run } = useAdminAction(reload);
  const create = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await api.post('/api/users', { ...form, username: form.username.trim() });
      setForm(EMPTY_FORM);
    });
  };

  return (
    <section className="page" aria-labelledby="users-title">
      <h1 id="users-title">{t('users.title')}</h1>
      <ActionNotice message={message} />
      <Show value={users} onRetry={reload}>
        {(list) => list.length === 0 ? <Empty /> : (
          <AdminTable testId="users" headers={[t('login.user'), t('users.role'), t('users.state'), t('users.created'), t('form.actions')]}>
                {list.map((u) => {
                  const self = u.username === session.userName;
                  return (
                    <tr key={u.id} data-user={u.username} data-role={u.role} data-disabled={u.disabled} className={u.disabled ? 'muted' : ''}>
                      <td><strong>{u.username}</strong> {self && <span className="muted">{t('users.you')}</span>}</td>
                      <td>
                        <select value={u.role} aria-label={t('users.role')} name="role" disabled={busy || self}
                          onChange={(e) => void run(() => api.post(`/api/users/${u.id}/role`, { role: e.target.value }, 'PUT'))}>
                          {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
                        </select>
                      </td>
                      <td>
                        <StateBadge enabled={!u.disabled} />
                        {u.lockedUntil && new Date(u.lockedUntil).getTime() > Date.now() && <small className="muted"> {t('users.locked', { until: formatDateTime(u.lockedUntil, language) })}</small>}
                      </td>
                      <td>{formatDateTime(u.createdAt, language)}</td>
                      <RowActions>
                        {!self && (
                          <button type="button" disabled={busy} data-action={u.disabled ? 'enable' : 'disable'}
                            onClick={() => void run(() => api.post(`/api/users/${u.id}/${u.disabled ? 'enable' : 'disable'}`))}>
                            {u.disabled ? t('users.enable') : t('users.disable')}
                          </button>
                        )}
                      </RowActions>
                    </tr>
                  );
                })}
          </AdminTable>
        )}
      </Show>
      <AdminForm testId="user-form" title={t('users.add')} submitLabel={t('form.create')} onSubmit={create} busy={busy}>
        <label>{t('login.user')}<input name="username" autoComplete="off" value={form.username} required onChange={(e) => setForm({ ...form, username: e.target.value })} /></label>
        <label>{t('form.password')}<input name="password" type="password" autoComplete="new-password" value={form.password} required onChange={(e) => setForm({ ...form, password: e.target.value })} /></label>
        <label>{t('users.role')}
          <select name="role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
          </select>
        </label>
      </AdminForm>
    </section>
  );
}
