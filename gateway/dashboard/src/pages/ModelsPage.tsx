import { useState } from 'react';
import type { ModelPackage, RoutingProfile } from '../api/types';
import { adminApi, modelStatusNotice } from '../api/admin';
import { useI18n } from '../i18n';
import { Empty, ModelStatusBadge, Notice, Show, useApp, useLoad } from '../components/common';

/** GET /api/models, PUT /api/models/{id}/enabled; GET /api/routing-profiles, PUT /api/routing-profiles/{name}. */
export function ModelsPage() {
  const { api } = useApp();
  const { t } = useI18n();
  const [models, reload] = useLoad(() => adminApi.models(api), []);
  const [profiles, reloadProfiles] = useLoad(() => adminApi.routingProfiles(api), []);
  const [message, setMessage] = useState<string | null>(null);

  const toggle = async (model: ModelPackage) => {
    setMessage(null);
    try {
      await adminApi.setModelEnabled(api, model.id, !model.enabled);
      reload();
    } catch (e) {
      setMessage((e as Error).message);
    }
  };
  const setPackages = async (profile: RoutingProfile, packages: string[]) => {
    setMessage(null);
    try {
      await adminApi.setProfilePackages(api, profile.name, packages);
      reloadProfiles();
    } catch (e) {
      setMessage((e as Error).message);
    }
  };

  return (
    <section className="page" aria-labelledby="models-title">
      <h1 id="models-title">{t('models.title')}</h1>
      {message && <Notice tone="error">{message}</Notice>}
      <Show value={models} onRetry={reload}>
        {(list) => list.length === 0 ? <Empty /> : (
          <div className="model-cards" data-testid="models">
            {list.map((m) => (
              <article key={m.id} className={`card model ${m.enabled ? '' : 'muted'}`} data-model={m.id}>
                <header>
                  <ModelStatusBadge status={m.status} />
                  <h2>{m.name} <span className="muted">{m.version}</span></h2>
                </header>
                {modelStatusNotice(m.status) && <p className="warning">{t(modelStatusNotice(m.status) === 'demo' ? 'job.demoWarning' : 'job.researchWarning')}</p>}
                <p><code>{m.id}</code></p>
                <p>{m.intendedUse}</p>
                <p><strong>{t('models.modalities')}</strong> {m.modalities.join(', ')} · <strong>{t('models.profiles')}</strong> {m.profiles.join(', ') || '—'}</p>
                <button type="button" onClick={() => void toggle(m)} data-action="toggle">{m.enabled ? t('models.disable') : t('models.enable')}</button>
              </article>
            ))}
          </div>
        )}
      </Show>
      <h2>{t('models.routing')}</h2>
      <Show value={profiles} onRetry={reloadProfiles}>
        {(list) => list.length === 0 ? <Empty /> : (
          <table className="grid">
            <thead><tr><th>{t('form.name')}</th><th>{t('models.title')}</th></tr></thead>
            <tbody>
              {list.map((p) => (
                <tr key={p.name}>
                  <td>{p.name}</td>
                  <td>
                    {models.state === 'ready' && models.value.map((m) => (
                      <label key={m.id} className="check">
                        <input type="checkbox" checked={p.packages.includes(m.id)}
                          onChange={(e) => void setPackages(p, e.target.checked ? [...p.packages, m.id] : p.packages.filter((x) => x !== m.id))} /> {m.id}
                      </label>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
    </section>
  );
}
