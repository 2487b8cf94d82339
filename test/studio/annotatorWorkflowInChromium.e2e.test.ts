// The studio in a real browser (Debian's Chromium driven by playwright-core) against a real
// PostgreSQL, Kafka and tagger: tag a text and see the highlights; sign in, fix a queue item's
// entity type, create a missing entity by selecting characters, delete a wrong one, submit, and
// find the correction in PostgreSQL and on the corrections topic; texts with <script> and
// <img onerror> render literally; an unauthenticated write is refused; the Models, Adjudicate and
// Annotators pages render. A screenshot of each page is saved under artifacts/screenshots/.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Correction, EvalScores } from '@zhner/contracts';
import { testkit } from '@zhner/studio/testing';
import type { SqlClient } from '@zhner/store';
import { freshDatabase, readTopic, waitFor, type TestDatabase } from '@zhner/test';
import { ensureWebBundle, messageCount, screenshotPath, startStudioOnKafka, startTaggerForTests, startUpstreamStub, type StudioOnKafka, type TaggerForTests, type UpstreamStub } from './support';

jest.setTimeout(300_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const QUEUE_TEXT = '李鹏在北京会见了日本客人';
const TAG_TEXT = '国务院总理李鹏今天在人民大会堂会见了日本客人，双方就中日经济合作交换了意见。';
const XSS_TEXT = '<img src=x onerror="window.__xss=1">王小明在上海<script>window.__xss=2</script>工作';
const GOLD = [
  { start: 0, end: 2, type: 'PER', text: '李鹏' },
  { start: 3, end: 5, type: 'LOC', text: '北京' },
  { start: 8, end: 10, type: 'LOC', text: '日本' },
];

describe('the studio in Chromium', () => {
  let database: TestDatabase;
  let db: SqlClient;
  let tagger: TaggerForTests;
  let s: StudioOnKafka;
  let upstreams: UpstreamStub;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const tokens: Record<string, string> = {};
  const shots: string[] = [];
  const pageErrors: string[] = [];

  const shot = async (name: string) => {
    const p = screenshotPath(`studio-${name}.png`);
    await page.screenshot({ path: p, fullPage: true });
    shots.push(p);
  };
  const signIn = async (token: string, who: string) => {
    if (await page.getByTestId('whoami').isVisible().catch(() => false)) await page.getByRole('button', { name: 'sign out' }).click();
    await page.getByTestId('token-input').fill(token);
    await page.getByTestId('sign-in').click();
    await page.getByTestId('whoami').filter({ hasText: who }).waitFor();
  };
  const go = async (route: string) => {
    await page.getByTestId(`nav-${route}`).click();
    await page.waitForFunction((r) => window.location.hash === `#/${r}`, route);
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    ensureWebBundle();
    database = await freshDatabase();
    db = await database.open();
    tagger = await startTaggerForTests(database.url);
    process.stdout.write(`\n[studio e2e] tagger: ${tagger.kind} (${tagger.modelVersion})${tagger.note ? ` — ${tagger.note}` : ''}\n`);
    upstreams = await startUpstreamStub(registryFixtures());
    s = await startStudioOnKafka(db, { TAGGER_URL: tagger.url, ORCHESTRATOR_URL: upstreams.url, RELOADER_URL: upstreams.url });
    tokens.alice = await testkit.issueToken(db, 'alice', 'annotator', 'Alice');
    tokens.bob = await testkit.issueToken(db, 'bob', 'annotator', 'Bob');
    tokens.ada = await testkit.issueToken(db, 'ada', 'admin', 'Ada');

    await testkit.insertCandidate(db, {
      candidateId: 'q1',
      text: QUEUE_TEXT,
      priority: 9,
      strategy: 'sampler.hybrid.v1',
      score: 0.82,
      scores: { entropy: 0.82, margin: 0.31 },
      predicted: [[0, 2, 'ORG', 0.41], [3, 5, 'LOC', 0.93], [10, 12, 'PER', 0.38]],
    });
    await testkit.insertCandidate(db, { candidateId: 'q2', text: '联合国总部位于纽约', priority: 5, score: 0.61, predicted: [[0, 3, 'ORG', 0.7]] });
    await testkit.insertCandidate(db, { candidateId: 'q3', text: '王小明在上海工作', priority: 3, score: 0.44, predicted: [[4, 6, 'LOC', 0.8]] });
    await testkit.insertCandidate(db, { candidateId: 'x1', text: XSS_TEXT, priority: 1, score: 0.2 });
    // a little history for the charts
    await db.query(`UPDATE review_queue SET created_at = now() - interval '3 days'`);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('dialog', (d) => {
      pageErrors.push(`unexpected dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(`${s.url}/#/tag`);
  });

  afterAll(async () => {
    await browser?.close();
    await s?.close();
    await upstreams?.close();
    await tagger?.close();
    await database?.drop();
    if (shots.length) process.stdout.write(`\n[studio e2e] screenshots:\n${shots.map((p) => `  ${p}`).join('\n')}\n`);
  });

  it('tags a text and shows its entities highlighted by type, with the model version and confidence', async () => {
    await page.getByTestId('tag-input').fill(TAG_TEXT);
    await page.getByTestId('tag-button').click();
    const marks = page.getByTestId('tag-highlighted').locator('mark.ent');
    await marks.first().waitFor();
    expect(await marks.count()).toBeGreaterThan(0);
    expect(await page.getByTestId('model-version').textContent()).toBe(tagger.modelVersion);
    expect(await page.getByTestId('tag-highlighted').textContent()).toBe(TAG_TEXT);
    // distinct colours per type
    const styles = await marks.evaluateAll((els) => els.map((e) => ({ type: e.getAttribute('data-type'), colour: getComputedStyle(e).borderBottomColor, tip: e.getAttribute('data-tip') })));
    const colourByType = new Map(styles.map((x) => [x.type, x.colour]));
    expect(new Set(colourByType.values()).size).toBe(colourByType.size);
    expect(styles.every((x) => /confidence \d\.\d\d/.test(x.tip ?? ''))).toBe(true);
    await marks.first().hover();
    await shot('tag');
  });

  it('shows a text holding <script> and <img onerror> literally on the Tag page', async () => {
    await page.getByTestId('tag-input').fill(XSS_TEXT);
    await page.getByTestId('tag-button').click();
    await page.getByTestId('tag-highlighted').filter({ hasText: '<script>' }).waitFor();
    expect(await page.getByTestId('tag-highlighted').textContent()).toBe(XSS_TEXT);
    expect(await page.locator('[data-testid=tag-result] img, [data-testid=tag-result] script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await shot('xss-tag');
  });

  it('refuses an unauthenticated write', async () => {
    await go('queue');
    await page.getByText('Sign in with your API token').waitFor();
    const statuses = await page.evaluate(async () => {
      const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const a = await post('api/corrections', { candidateId: 'q1', entities: [] });
      const b = await post('api/queue/claim', {});
      return [a.status, b.status, (await a.json()).error.code];
    });
    expect(statuses).toEqual([401, 401, 'UNAUTHENTICATED']);
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM corrections')).rows[0].n).toBe(0);
    expect((await db.query<{ status: string }>(`SELECT status FROM review_queue WHERE candidate_id = 'q1'`)).rows[0].status).toBe('open');
    await shot('queue-signed-out');
  });

  it('lets an annotator fix a type, add a missing entity, delete a wrong one and submit; the correction lands in PostgreSQL and on Kafka', async () => {
    await signIn(tokens.alice, 'Alice');
    await page.getByTestId('start').click();
    const editor = page.getByTestId('queue-editor');
    await editor.waitFor();
    expect(await editor.getAttribute('data-candidate')).toBe('q1');
    expect(await page.getByTestId('why').textContent()).toContain('sampler.hybrid.v1');
    const text = page.getByTestId('editor-text');
    const mark = (surface: string) => text.locator('mark.ent', { hasText: surface });

    // 李鹏 was tagged ORG: click it, press 1 (PER)
    await mark('李鹏').click();
    await page.keyboard.press('1');
    await waitFor(async () => (await mark('李鹏').getAttribute('data-type')) === 'PER', 5000, '李鹏 → PER');

    // 客人 is not an entity: click it, press Delete
    await mark('客人').click();
    await page.keyboard.press('Delete');
    await waitFor(async () => (await mark('客人').count()) === 0, 5000, '客人 deleted');

    // 日本 is missing: select its two characters with the mouse, press 2 (LOC)
    const first = (await text.locator('[data-o="8"]').boundingBox())!;
    const last = (await text.locator('[data-o="9"]').boundingBox())!;
    await page.mouse.move(first.x + 2, first.y + first.height / 2);
    await page.mouse.down();
    await page.mouse.move(last.x + last.width - 2, last.y + last.height / 2, { steps: 6 });
    await page.mouse.up();
    await page.keyboard.press('2');
    await waitFor(async () => (await mark('日本').getAttribute('data-type').catch(() => null)) === 'LOC', 5000, '日本 → LOC');
    expect(await text.locator('mark.ent').evaluateAll((els) => els.map((e) => `${e.textContent}/${e.getAttribute('data-type')}`))).toEqual(['李鹏/PER', '北京/LOC', '日本/LOC']);
    await shot('queue-editing');

    // Enter submits; the next item loads at once
    await page.keyboard.press('Enter');
    await waitFor(async () => (await editor.getAttribute('data-candidate')) === 'q2', 10_000, 'the next item');
    expect(await page.getByTestId('queue-message').textContent()).toMatch(/saved c-/);

    const rows = (await db.query<{ correction_id: string; entities: unknown; annotator_id: string; origin: string; revision: number }>(
      `SELECT correction_id, entities, annotator_id, origin, revision FROM corrections WHERE candidate_id = 'q1'`,
    )).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ entities: GOLD, annotator_id: 'alice', origin: 'STUDIO', revision: 0 });
    expect((await db.query<{ status: string }>(`SELECT status FROM review_queue WHERE candidate_id = 'q1'`)).rows[0].status).toBe('done');

    const id = rows[0].correction_id;
    await waitFor(async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')).rows[0].n === 0, 30_000, 'outbox drained');
    expect(await messageCount(s.topics.corrections.name)).toBe(1);
    const msgs = await readTopic(s.topics.corrections.name, (m) => m.some((x) => x.key?.toString() === id), 60_000);
    const mine = msgs.filter((m) => m.key?.toString() === id);
    expect(mine).toHaveLength(1);
    const event: Correction = s.topics.corrections.codec.decode(mine[0].value!);
    expect(event).toMatchObject({ correctionId: id, candidateId: 'q1', text: QUEUE_TEXT, annotator: 'alice', revision: 0, origin: 'STUDIO', entities: GOLD, modelVersion: 'test-model-1' });
    await shot('queue-next-item');
  });

  it('shows a queue text holding <script> and <img onerror> literally', async () => {
    await page.getByTestId('queue-item-x1').click();
    const editor = page.getByTestId('queue-editor');
    await waitFor(async () => (await editor.getAttribute('data-candidate')) === 'x1', 10_000, 'the XSS item');
    expect(await page.getByTestId('editor-text').textContent()).toBe(XSS_TEXT);
    expect(await page.getByTestId('predicted').textContent()).toBe(XSS_TEXT);
    expect(await page.getByTestId('queue-list').textContent()).toContain('<img src=x onerror=');
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await shot('xss-queue');
    await page.keyboard.press('s'); // skip it
    await waitFor(async () => (await db.query<{ status: string }>(`SELECT status FROM review_queue WHERE candidate_id = 'x1'`)).rows[0].status === 'skipped', 10_000, 'skipped');
  });

  it('shows model versions, who serves what, rollouts and charts, with live rollout state', async () => {
    await go('models');
    await page.getByTestId('versions').locator('tbody tr', { hasText: 'from zh-ner-v1' }).waitFor();
    expect(await page.getByTestId('replicas').textContent()).toMatch(/tagger-a.*READY.*zh-ner-v1/s);
    expect(await page.getByTestId('versions').textContent()).toContain('0.912');
    for (const c of ['chart-f1', 'chart-corrections', 'chart-depth', 'chart-uncertainty']) expect(await page.getByTestId(c).locator('svg').count()).toBe(1);
    expect(await page.getByTestId('chart-f1').locator('circle').count()).toBeGreaterThanOrEqual(4);
    // the gate per type and the bias slice that widened, as the orchestrator stored them
    expect(await page.getByTestId('gate-run-1').textContent()).toContain('PER dev');
    expect(await page.getByTestId('gate-run-1').getByTestId('bias-flag').textContent()).toContain('women vs men widened');
    await page.getByTestId('rollouts').locator('tr', { hasText: 'ro-2' }).locator('.badge', { hasText: 'canary' }).waitFor();
    const ro2 = upstreams.data.rolloutList.find((r) => r.rolloutId === 'ro-2')!;
    Object.assign(ro2, { state: 'completed', updatedAt: new Date().toISOString(), finishedAt: new Date().toISOString() }); // the reloader finished it
    await page.getByTestId('rollouts').locator('tr', { hasText: 'ro-2' }).locator('.badge', { hasText: 'completed' }).waitFor({ timeout: 15_000 }); // pushed over SSE, no reload
    await shot('models');
  });

  it('lets an admin see conflicting corrections side by side and pick one, and spot-check', async () => {
    // two annotators disagree on q3
    const post = (token: string, url: string, body: unknown) => s.studio.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload: body as object });
    await db.query(`UPDATE review_queue SET status = 'claimed', claimed_by = 'bob', claim_expires_at = now() + interval '1 hour' WHERE candidate_id = 'q3'`);
    expect((await post(tokens.bob, '/api/corrections', { candidateId: 'q3', entities: [{ start: 0, end: 3, type: 'PER', text: '王小明' }, { start: 4, end: 6, type: 'LOC', text: '上海' }] })).statusCode).toBe(201);
    await db.query(`UPDATE review_queue SET status = 'claimed', claimed_by = 'alice', claim_expires_at = now() + interval '1 hour' WHERE candidate_id = 'q3'`);
    expect((await post(tokens.alice, '/api/corrections', { candidateId: 'q3', entities: [{ start: 4, end: 6, type: 'ORG', text: '上海' }] })).statusCode).toBe(201);

    await signIn(tokens.ada, 'Ada');
    await go('adjudicate');
    const conflict = page.getByTestId('conflict');
    await conflict.waitFor();
    expect(await conflict.locator('.version').count()).toBe(2);
    await shot('adjudicate');
    await conflict.getByRole('button', { name: "pick bob's" }).click();
    await page.getByText('no conflicts waiting').waitFor();
    const adj = (await db.query<{ entities: unknown; adjudicator_id: string }>('SELECT entities, adjudicator_id FROM adjudications')).rows;
    expect(adj).toEqual([{ entities: [{ start: 0, end: 3, type: 'PER', text: '王小明' }, { start: 4, end: 6, type: 'LOC', text: '上海' }], adjudicator_id: 'ada' }]);

    const spot = page.getByTestId('spot-checks');
    await spot.getByLabel('annotator').selectOption('alice');
    await spot.getByRole('button', { name: 'load' }).click();
    await spot.locator('.spot').first().waitFor();
    await spot.locator('.spot').first().getByRole('button', { name: '✓ right' }).click();
    await spot.locator('.spot .badge', { hasText: 'ok' }).first().waitFor();
    await shot('adjudicate-spot-check');
  });

  it('shows per-annotator counts, agreement and points', async () => {
    await go('annotators');
    const table = page.getByTestId('annotators');
    await table.locator('tr', { hasText: 'Alice' }).waitFor();
    const bobRow = await table.locator('tr', { hasText: 'Bob' }).locator('td').allTextContents();
    expect(bobRow[2]).toBe('1'); // items corrected
    expect(bobRow[6]).toBe('1'); // agreed with the adjudication
    // pairwise agreement on q3: bob PER 王小明 + LOC 上海, alice ORG 上海 — no span agrees, not even partially
    const agreement = page.getByTestId('agreement');
    const pair = await agreement.locator('tr', { hasText: 'alice · bob' }).locator('td').allTextContents();
    expect(pair.slice(1, 5)).toEqual(['all', '1', '0.000', '0.000']);
    expect(await agreement.locator('tbody tr').allTextContents()).toHaveLength(4); // all + LOC, ORG, PER
    await shot('annotators');
    expect(pageErrors).toEqual([]);
  });
});

/** The registry, replicas and rollouts as the orchestrator and the reloader publish them. */
function registryFixtures(): testkit.FakeUpstreams {
  const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
  const scores = (f1: number, per?: [number, number, number]): EvalScores => ({
    precision: f1, recall: f1, f1, docs: 200,
    perType: per ? { PER: { precision: per[0], recall: per[0], f1: per[0], support: 50 }, LOC: { precision: per[1], recall: per[1], f1: per[1], support: 80 }, ORG: { precision: per[2], recall: per[2], f1: per[2], support: 40 } } : {},
  });
  const metrics = (dev: number, holdout: number, per: [number, number, number]) => ({ dev: scores(dev, per), holdout: scores(holdout), extraDev: {}, base: null });
  const f = new testkit.FakeUpstreams();
  f.versions = [
    testkit.modelVersion({ version: 'zh-ner-v2', parentVersion: 'zh-ner-v1', status: 'candidate', metrics: metrics(0.912, 0.83, [0.95, 0.92, 0.86]), createdAt: ago(1), trainingRunId: 'run-1' }),
    testkit.modelVersion({ version: 'zh-ner-v1', parentVersion: 'zh-ner-v0', status: 'promoted', metrics: metrics(0.894, 0.78, [0.93, 0.9, 0.83]), createdAt: ago(5), promotedAt: ago(5) }),
    testkit.modelVersion({ version: 'zh-ner-v0', status: 'retired', metrics: metrics(0.861, 0.71, [0.9, 0.87, 0.79]), createdAt: ago(9), promotedAt: ago(9) }),
  ];
  f.runList = [
    { runId: 'run-1', status: 'succeeded', trigger: 'backlog', baseVersion: 'zh-ner-v1', newVersion: 'zh-ner-v2', config: {}, dataStats: {}, progress: [], metrics: {},
      gate: {
        passed: true, outcome: 'passed', reasons: [],
        typeChecks: [{ type: 'PER', set: 'dev', isNew: false, candidateF1: 0.95, baseF1: 0.93, deltaPoints: 2, support: 50, passed: true, skipped: false, note: 'PER dev F1 95.00 vs 93.00' }],
        biasFlags: [{ set: 'dev', group: 'per-given-name', reason: 'the gap women vs men widened from 1.0 to 4.5 points' }],
      },
      error: null, runDir: null, createdAt: ago(1), startedAt: ago(1), finishedAt: ago(0.95), heartbeatAt: null },
  ];
  const replica = (id: string, version: string, docs: number) => ({ replicaId: id, service: 'tagger', modelVersion: version, state: 'READY', lastCommandId: null, lastError: null, docsTagged: docs, errors: 0, p99LatencyMs: 12.5, lastSeen: new Date().toISOString(), live: true });
  f.replicaList = [replica('tagger-a', 'zh-ner-v1', 1200), replica('tagger-b', 'zh-ner-v2', 300)];
  const rollout = (id: string, version: string, previous: string, state: 'completed' | 'canary', days: number) => ({
    rolloutId: id, modelVersion: version, modelUri: `models/${version}`, manifestSha256: null, previousVersion: previous, trigger: 'auto', state, phase: null, canaryReplica: 'tagger-b',
    targets: ['tagger-a', 'tagger-b'], switched: [], commands: { canary: null, all: null, rollback: [] }, reason: null, steps: [], startedAt: ago(days), updatedAt: ago(days), finishedAt: state === 'completed' ? ago(days) : null,
  });
  f.rolloutList = [rollout('ro-2', 'zh-ner-v2', 'zh-ner-v1', 'canary', 1 / 24), rollout('ro-1', 'zh-ner-v1', 'zh-ner-v0', 'completed', 5)];
  return f;
}
