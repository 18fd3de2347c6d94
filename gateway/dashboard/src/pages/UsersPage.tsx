import { useState, type FormEvent } from 'react';
import type { Role, User } from '../api/types';
import { formatDateTime, useI18n } from '../i18n';
import { Empty, Notice, Show, useApp, useLoad } from '../components/common';

const ROLES: Role[] = ['viewer', 'radiologist', 'admin'];

export function UsersPage() {
  const { api } = useApp();
  const { t, language } = useI18n();
  const [users, reload] = useLoad(() => api.json<User[]>('/api/users'), []);
  const [form, setForm] = useState({ username: '', password: '', role: 'viewer' as Role });
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);

  const run = async (call: () => Promise<unknown>) => {
    setMessage(null);
    try {
      await call();
      setMessage({ tone: 'ok', text: t('form.saved') });
      reload();
    } catch (e) {
      setMessage({ tone: 'error', text: (e as Error).message });
    }
  };
  const create = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await api.post('/api/users', form);
      setForm({ username: '', password: '', role: 'viewer' });
    });
  };

  return (
    <section className="page" aria-labelledby="users-title">
      <h1 id="users-title">{t('users.title')}</h1>
      {message && <Notice tone={message.tone}>{message.text}</Notice>}
      <Show value={users} onRetry={reload}>
        {(list) => list.length === 0 ? <Empty /> : (
          <table className="grid" data-testid="users">
            <thead><tr><th>{t('login.user')}</th><th>{t('users.role')}</th><th>{t('users.state')}</th><th>{t('jobs.col.received')}</th><th>{t('form.actions')}</th></tr></thead>
            <tbody>
              {list.map((u) => (
                <tr key={u.id} data-user={u.username} className={u.disabled ? 'muted' : ''}>
                  <td>{u.username}</td>
                  <td>
                    <select value={u.role} aria-label={t('users.role')} onChange={(e) => void run(() => api.post(`/api/users/${u.id}/role`, { role: e.target.value }, 'PUT'))}>
                      {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
                    </select>
                  </td>
                  <td>{u.disabled ? t('users.disabled') : t('users.active')}</td>
                  <td>{formatDateTime(u.createdAt, language)}</td>
                  <td>
                    <button type="button" onClick={() => void run(() => api.post(`/api/users/${u.id}/${u.disabled ? 'enable' : 'disable'}`))}>
                      {u.disabled ? t('users.enable') : t('users.disable')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
      <form className="card form" onSubmit={create}>
        <h2>{t('users.add')}</h2>
        <label>{t('login.user')}<input value={form.username} required onChange={(e) => setForm({ ...form, username: e.target.value })} /></label>
        <label>{t('form.password')}<input type="password" autoComplete="new-password" value={form.password} required onChange={(e) => setForm({ ...form, password: e.target.value })} /></label>
        <label>{t('users.role')}
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
          </select>
        </label>
        <button type="submit" className="primary">{t('form.create')}</button>
      </form>
    </section>
  );
}
