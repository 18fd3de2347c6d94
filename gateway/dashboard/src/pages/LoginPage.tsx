import { useState, type FormEvent } from 'react';
import { ApiError, type ApiClient } from '../api/client';
import { useI18n } from '../i18n';
import { errorLine } from '../data/problems';
import { LanguageSwitch } from '../components/LanguageSwitch';

export function LoginPage({ api, onSignedIn }: { api: ApiClient; onSignedIn: () => void }) {
  const { t } = useI18n();
  const [userName, setUserName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.login(userName.trim(), password);
      onSignedIn();
    } catch (e) {
      setError(e instanceof ApiError && e.status === 503 ? t('login.unavailable') : e instanceof ApiError && e.status === 401 ? t('login.refused') : errorLine(e, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login">
      <form className="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <div className="login-head">
          <h1 id="login-title">
            <img src="/favicon.svg" alt="" width="28" height="28" /> RadAI — {t('login.title')}
          </h1>
          <LanguageSwitch />
        </div>
        <label>
          {t('login.user')}
          <input name="username" autoComplete="username" value={userName} onChange={(e) => setUserName(e.target.value)} required autoFocus />
        </label>
        <label>
          {t('login.password')}
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {error && (
          <div className="notice tone-error" role="alert">
            {error}
          </div>
        )}
        <button type="submit" className="primary" disabled={busy || !userName || !password}>
          {busy ? t('app.loading') : t('login.submit')}
        </button>
      </form>
    </div>
  );
}
