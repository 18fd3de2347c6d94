import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiClient, ApiError, type Session } from './api/client';
import { AppContext, ErrorState } from './components/common';
import { can, type Capability } from './data/roles';
import { I18nContext, initialLanguage, translator, useI18n, type Language, type MessageKey } from './i18n';
import { LoginPage } from './pages/LoginPage';
import { LanguageSwitch } from './components/LanguageSwitch';
import { JobsPage } from './pages/JobsPage';
import { JobDetailPage } from './pages/JobDetailPage';
import { DestinationsPage } from './pages/DestinationsPage';
import { AuditPage } from './pages/AuditPage';
import { StatisticsPage } from './pages/StatisticsPage';
import { SendersPage } from './pages/SendersPage';
import { ModelsPage } from './pages/ModelsPage';
import { UsersPage } from './pages/UsersPage';

const api = new ApiClient();

interface NavItem {
  path: string;
  label: MessageKey;
  capability?: Capability;
}

const NAV: NavItem[] = [
  { path: '/jobs', label: 'nav.jobs' },
  { path: '/statistics', label: 'nav.statistics' },
  { path: '/admin/destinations', label: 'nav.destinations', capability: 'admin-destinations' },
  { path: '/admin/senders', label: 'nav.senders', capability: 'admin-senders' },
  { path: '/admin/models', label: 'nav.models', capability: 'admin-models' },
  { path: '/admin/users', label: 'nav.users', capability: 'admin-users' },
  { path: '/audit', label: 'nav.audit', capability: 'audit' },
];

function usePath(): [string, (path: string) => void] {
  const [path, setPath] = useState(() => window.location.pathname + window.location.search);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname + window.location.search);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = (next: string) => {
    if (next !== window.location.pathname + window.location.search) window.history.pushState(null, '', next);
    setPath(next);
    window.scrollTo(0, 0);
  };
  return [path, navigate];
}

export function App() {
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  const [session, setSession] = useState<Session | null>(api.current);
  const [path, navigate] = usePath();
  useEffect(() => api.onSessionChange(setSession), []);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  const i18n = useMemo(
    () => ({
      language,
      t: translator(language),
      setLanguage: (next: Language) => {
        localStorage.setItem('radai.language', next);
        setLanguageState(next);
      },
    }),
    [language],
  );

  return (
    <I18nContext.Provider value={i18n}>
      {session ? (
        <AppContext.Provider value={{ api, session, navigate }}>
          <Shell path={path} navigate={navigate} session={session} />
        </AppContext.Provider>
      ) : (
        <LoginPage api={api} onSignedIn={() => navigate(path.startsWith('/login') || path === '/' ? '/jobs' : path)} />
      )}
    </I18nContext.Provider>
  );
}

function Shell({ path, navigate, session }: { path: string; navigate: (p: string) => void; session: Session }) {
  const { t } = useI18n();
  const pathname = path.split('?')[0];
  const items = NAV.filter((item) => !item.capability || can(session.role, item.capability));
  return (
    <div className="shell">
      <header className="topbar">
        <a className="brand" href="/jobs" onClick={(e) => { e.preventDefault(); navigate('/jobs'); }}>
          <img src="/favicon.svg" alt="" width="24" height="24" /> RadAI
        </a>
        <nav aria-label="main">
          {items.map((item) => (
            <a
              key={item.path}
              href={item.path}
              className={pathname.startsWith(item.path) ? 'active' : ''}
              onClick={(e) => { e.preventDefault(); navigate(item.path); }}
            >
              {t(item.label)}
            </a>
          ))}
        </nav>
        <div className="who">
          <span className="user" data-testid="user">{session.userName}</span>
          <span className={`badge role role-${session.role}`}>{t(`role.${session.role}`)}</span>
          <LanguageSwitch />
          <button type="button" className="link" onClick={() => void api.logout()}>{t('app.signOut')}</button>
        </div>
      </header>
      <main className="content">{route(pathname, session)}</main>
    </div>
  );
}

function route(pathname: string, session: Session) {
  const job = /^\/jobs\/([0-9a-fA-F-]{36})$/.exec(pathname);
  if (job) return <JobDetailPage key={job[1]} jobId={job[1]} />;
  const guarded = (capability: Capability, page: ReactNode) =>
    can(session.role, capability) ? page : <ErrorState error={new ApiError(403, 'Forbidden', null)} />;
  switch (pathname) {
    case '/':
    case '/jobs':
    case '/login':
      return <JobsPage />;
    case '/statistics':
      return <StatisticsPage />;
    case '/admin/destinations':
      return guarded('admin-destinations', <DestinationsPage />);
    case '/admin/senders':
      return guarded('admin-senders', <SendersPage />);
    case '/admin/models':
      return guarded('admin-models', <ModelsPage />);
    case '/admin/users':
      return guarded('admin-users', <UsersPage />);
    case '/audit':
      return guarded('audit', <AuditPage />);
    default:
      return <NotFound />;
  }
}

function NotFound() {
  const { t } = useI18n();
  return <div className="state state-empty">{t('app.notFound')}</div>;
}
