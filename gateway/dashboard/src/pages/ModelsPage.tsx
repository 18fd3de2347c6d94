import { useState } from 'react';
import type { ModelPackage, RoutingProfile } from '../api/types';
import { adminApi, modelStatusNotice } from '../api/admin';
import { useI18n } from '../i18n';
import { Empty, ErrorNotice, ModelStatusBadge, Show, useApp, useLoad } from '../components/common';
import { SourceBadge, StateBadge } from '../components/admin';

/**
 * GET /api/models, PUT /api/models/{id}/enabled; GET /api/routing-profiles, PUT /api/routing-profiles/{name}. What the
 * configuration sets (a package in Inference:DisabledPackages, a profile of Inference:Profiles) is shown read-only.
 */
export function ModelsPage() {
  const { api } = useApp();
  const { t } = useI18n();
  const [models, reload] = useLoad(() => adminApi.models(api), []);
  const [profiles, reloadProfiles] = useLoad(() => adminApi.routingProfiles(api), []);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const act = async (call: () => Promise<unknown>, after: () => void) => {
    setFailure(null);
    setBusy(true);
    try {
      await call();
      after();
    } catch (e) {
      setFailure(e);
    } finally {
      setBusy(false);
    }
  };
  const toggle = (model: ModelPackage) => act(() => adminApi.setModelEnabled(api, model.id, !model.enabled), () => { reload(); reloadProfiles(); });
  const setPackages = (profile: RoutingProfile, packages: string[]) => act(() => adminApi.setProfilePackages(api, profile.name, packages), reloadProfiles);

  return (
    <section className="page" aria-labelledby="models-title">
      <h1 id="models-title">{t('models.title')}</h1>
      {failure !== null && <ErrorNotice error={failure} />}
      <Show value={models} onRetry={reload}>
        {(list) => list.length === 0 ? <Empty>{t('models.empty')}</Empty> : (
          <div className="model-cards" data-testid="models">
            {list.map((m) => {
              const notice = modelStatusNotice(m.status);
              return (
                <article key={m.id} className={`card model ${m.enabled ? '' : 'is-disabled'}`} data-model={m.id} data-enabled={m.enabled} data-source={m.source} data-status={m.status.toUpperCase()}>
                  <header>
                    <ModelStatusBadge status={m.status} />
                    <h2>{m.name} <span className="muted">{m.version}</span></h2>
                  </header>
                  {notice && <p className="warning">{t(notice === 'demo' ? 'job.demoWarning' : 'job.researchWarning')}</p>}
                  <p className="model-id"><code>{m.id}</code></p>
                  <p className="intended-use">{m.intendedUse}</p>
                  <dl className="model-facts">
                    <dt>{t('models.modalities')}</dt><dd>{m.modalities.join(', ') || '—'}</dd>
                    <dt>{t('models.profiles')}</dt><dd>{m.profiles.join(', ') || '—'}</dd>
                    <dt>{t('dest.source')}</dt><dd><SourceBadge source={m.source} /></dd>
                  </dl>
                  <footer className="model-state">
                    <StateBadge enabled={m.enabled} />
                    {m.source !== 'config' && (
                      <button type="button" disabled={busy} onClick={() => void toggle(m)} data-action="toggle" className={m.enabled ? '' : 'primary'}>
                        {m.enabled ? t('models.disable') : t('models.enable')}
                      </button>
                    )}
                  </footer>
                </article>
              );
            })}
          </div>
        )}
      </Show>
      <h2>{t('models.routing')}</h2>
      <Show value={profiles} onRetry={reloadProfiles}>
        {(list) => list.length === 0 ? <Empty>{t('models.profilesEmpty')}</Empty> : (
          <div className="table-scroll">
            <table className="grid" data-testid="profiles">
              <thead><tr><th>{t('form.name')}</th><th>{t('models.title')}</th><th>{t('dest.source')}</th></tr></thead>
              <tbody>
                {list.map((p) => {
                  const readOnly = p.source === 'config';
                  return (
                    <tr key={p.name} data-profile={p.name} data-source={p.source ?? ''} data-packages={p.packages.join(' ')}>
                      <td><strong>{p.name}</strong></td>
                      <td className="profile-packages">
                        {p.packages.length === 0 && <span className="muted">{t('models.anyPackage')} · </span>}
                        {models.state === 'ready' && models.value.map((m) => (
                          <label key={m.id} className="check">
                            <input type="checkbox" checked={p.packages.includes(m.id)} disabled={readOnly || busy} data-package={m.id}
                              onChange={(e) => void setPackages(p, e.target.checked ? [...p.packages, m.id] : p.packages.filter((x) => x !== m.id))} /> {m.id}
                          </label>
                        ))}
                        {/* A package the profile names that is not loaded (any more) is still shown. */}
                        {p.packages.filter((id) => models.state !== 'ready' || !models.value.some((m) => m.id === id)).map((id) => <code key={id}>{id}</code>)}
                      </td>
                      <td><SourceBadge source={p.source ?? 'api'} /></td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Show>
    </section>
  );
}
