import { useState, type FormEvent } from 'react';
import type { Sender } from '../api/types';
import { adminApi, type SenderChange } from '../api/admin';
import { formatDateTime, useI18n } from '../i18n';
import { Empty, Show, useApp, useLoad } from '../components/common';
import { ActionNotice, AdminForm, AdminTable, RowActions, SourceBadge, StateBadge, useAdminAction } from '../components/admin';

const EMPTY_FORM = { aeTitle: '', host: '', routingProfile: '', stableTimeout: '', allowed: true };

/**
 * dicom-ingest's known senders (GET /api/senders, PUT/DELETE /api/senders/{ae}). DELETE disables (the row stays);
 * configured senders (source `config`) are read-only: no action is offered, and the api answers 409 anyway.
 */
export function SendersPage() {
  const { api } = useApp();
  const { t, language } = useI18n();
  const [list, reload] = useLoad(() => adminApi.senders(api), []);
  const [form, setForm] = useState(EMPTY_FORM);
  const { message, busy, run: act } = useAdminAction(reload);
  const change = (s: Sender, patch: Partial<SenderChange>) =>
    act(() => adminApi.putSender(api, { aeTitle: s.aeTitle, host: s.host ?? null, allowed: s.allowed, routingProfile: s.routingProfile ?? null, stableTimeout: s.stableTimeout ?? null, enabled: s.enabled, ...patch }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void act(() => adminApi.putSender(api, {
      aeTitle: form.aeTitle.trim(), host: form.host.trim() || null, routingProfile: form.routingProfile.trim() || null,
      stableTimeout: form.stableTimeout.trim() || null, allowed: form.allowed, enabled: true,
    }), () => setForm(EMPTY_FORM));
  };

  return (
    <section className="page" aria-labelledby="senders-title">
      <h1 id="senders-title">{t('senders.title')}</h1>
      <ActionNotice message={message} />
      <Show value={list} onRetry={reload}>
        {(senders) => senders.length === 0 ? <Empty>{t('senders.empty')}</Empty> : (
          <AdminTable testId="senders" headers={[t('dest.ae'), t('dest.host'), t('senders.state'), t('senders.profile'), t('senders.stable'), t('dest.source'), t('admin.updated'), t('form.actions')]}>
                {senders.map((s) => (
                  <tr key={s.aeTitle} data-ae={s.aeTitle} data-enabled={s.enabled} data-source={s.source} className={s.enabled ? '' : 'muted'}>
                    <td><strong>{s.aeTitle}</strong></td>
                    <td>{s.host ?? <span className="muted">{t('admin.anyHost')}</span>}</td>
                    <td><StateBadge enabled={s.enabled} refused={!s.allowed} /></td>
                    <td>{s.routingProfile ?? <span className="muted">{t('admin.default')}</span>}</td>
                    <td>{s.stableTimeout ?? <span className="muted">{t('admin.default')}</span>}</td>
                    <td><SourceBadge source={s.source} /></td>
                    <td>{formatDateTime(s.updatedAt, language)}</td>
                    <RowActions>
                      {s.source !== 'config' && (s.enabled
                        ? <button type="button" disabled={busy} data-action="disable" onClick={() => void act(() => adminApi.deleteSender(api, s.aeTitle))}>{t('dest.disable')}</button>
                        : <button type="button" disabled={busy} data-action="enable" onClick={() => void change(s, { enabled: true })}>{t('admin.enable')}</button>)}
                    </RowActions>
                  </tr>
                ))}
          </AdminTable>
        )}
      </Show>
      <AdminForm testId="sender-form" title={t('senders.add')} submitLabel={t('dest.save')} onSubmit={submit} busy={busy}>
        <label>{t('dest.ae')}<input name="aeTitle" value={form.aeTitle} maxLength={16} required onChange={(e) => setForm({ ...form, aeTitle: e.target.value })} /></label>
        <label>{t('dest.host')}<input name="host" value={form.host} placeholder={t('admin.anyHost')} onChange={(e) => setForm({ ...form, host: e.target.value })} /></label>
        <label>{t('senders.profile')}<input name="routingProfile" value={form.routingProfile} placeholder={t('admin.default')} onChange={(e) => setForm({ ...form, routingProfile: e.target.value })} /></label>
        <label>{t('senders.stable')}<input name="stableTimeout" value={form.stableTimeout} placeholder={t('senders.stableHint')} size={12} onChange={(e) => setForm({ ...form, stableTimeout: e.target.value })} /></label>
        <label className="check"><input type="checkbox" name="allowed" checked={form.allowed} onChange={(e) => setForm({ ...form, allowed: e.target.checked })} /> {t('senders.allowed')}</label>
      </AdminForm>
    </section>
  );
}
