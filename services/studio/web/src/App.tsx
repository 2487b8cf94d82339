// The studio shell: navigation (hash routes, so the page works under any mount path), sign-in,
// live queue/rollout indicators, and the pages.
import { useEffect, useState } from 'react';
import { api, getToken, setToken } from './api';
import { setTypePresentation } from './labels';
import { Login } from './components/Login';
import { useLive } from './live';
import { AdjudicatePage } from './pages/AdjudicatePage';
import { AnnotatorsPage } from './pages/AnnotatorsPage';
import { ModelsPage } from './pages/ModelsPage';
import { QueuePage } from './pages/QueuePage';
import { TagPage } from './pages/TagPage';
import type { PrincipalOut as Principal, StudioConfig } from '@zhner/contracts/http';

const PAGES = [
  { id: 'tag', title: 'Tag' },
  { id: 'queue', title: 'Review' },
  { id: 'models', title: 'Models' },
  { id: 'adjudicate', title: 'Adjudicate' },
  { id: 'annotators', title: 'Annotators' },
] as const;
type PageId = (typeof PAGES)[number]['id'];

const pageFromHash = (): PageId => {
  const id = window.location.hash.replace(/^#\/?/, '');
  return (PAGES.find((p) => p.id === id)?.id ?? 'tag') as PageId;
};

export function App() {
  const [page, setPage] = useState<PageId>(pageFromHash);
  const [config, setConfig] = useState<StudioConfig | null>(null);
  const [me, setMe] = useState<Principal | null>(null);
  const live = useLive();

  useEffect(() => {
    const on = () => setPage(pageFromHash());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  useEffect(() => {
    const load = () =>
      api<StudioConfig>('GET', 'api/config').then(
        (c) => {
          setTypePresentation(c.types);
          setConfig(c);
        },
        () => setConfig({ labels: [], types: [], labelSource: 'unavailable', claimTtlMs: 0, annotationsPerItem: 1 }),
      );
    void load();
    if (getToken()) api<Principal>('GET', 'api/me').then(setMe, () => setToken(null));
    // a type an admin adds is offered at once: the pages ask for the config again
    window.addEventListener('zhner:config-changed', load);
    return () => window.removeEventListener('zhner:config-changed', load);
  }, []);

  const labels = config?.labels ?? [];
  const latest = live.rollouts[0];
  return (
    <div className="app">
      <header className="top">
        <a className="brand" href="#/tag">
          zh<span>·</span>NER <small>studio</small>
        </a>
        <nav>
          {PAGES.map((p) => (
            <a key={p.id} href={`#/${p.id}`} className={page === p.id ? 'active' : ''} data-testid={`nav-${p.id}`}>
              {p.title}
            </a>
          ))}
        </nav>
        <div className="status-strip">
          <span className={live.connected ? 'live on' : 'live'} title="live updates">
            ●
          </span>
          {live.depth ? (
            <span data-testid="live-depth" title="queue depth">
              queue {live.depth.open} open · {live.depth.claimed} claimed
            </span>
          ) : null}
          {latest ? (
            <span title="latest rollout">
              rollout <code>{latest.modelVersion}</code> <span className={`badge state-${latest.state}`}>{latest.state}</span>
            </span>
          ) : null}
        </div>
        <Login me={me} onChange={setMe} />
      </header>
      <main>
        {page === 'tag' ? <TagPage labels={labels} /> : null}
        {page === 'queue' ? <QueuePage labels={labels} me={me} live={live} /> : null}
        {page === 'models' ? <ModelsPage labels={labels} me={me} live={live} /> : null}
        {page === 'adjudicate' ? <AdjudicatePage labels={labels} me={me} /> : null}
        {page === 'annotators' ? <AnnotatorsPage version={live.queueVersion + (me ? 1 : 0)} types={config?.types ?? []} isAdmin={me?.role === 'admin'} /> : null}
      </main>
      <footer>
        labels from {config?.labelSource ?? '…'} · <a href="api/docs">API docs</a> · <a href="api/openapi.json">OpenAPI</a>
      </footer>
    </div>
  );
}
