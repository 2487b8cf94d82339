// Two annotators on one item, blind, and a new entity type, in a real browser (Debian's Chromium)
// against a real PostgreSQL and Kafka: an admin adds TIME on the Annotators page (colour, key 4,
// guideline); Alice sees the TIME button at once, opens the editor's `?` help (every shortcut and
// each type's guideline), marks a date as TIME and submits: the item needs a second annotator
// (ANNOTATIONS_PER_ITEM=2); Bob claims it and sees only the model's prediction, never Alice's
// answer, and submits his own; the admin's agreement matrix shows the pair with one shared text
// and exact F1 2/3, and its CSV downloads; the audit log lists who did what.
import { existsSync, readFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ModelActions } from '@zhner/studio';
import { testkit } from '@zhner/studio/testing';
import type { SqlClient } from '@zhner/store';
import { freshDatabase, waitFor, type TestDatabase } from '@zhner/test';
import { ensureWebBundle, screenshotPath, startStubTagger, startStudioOnKafka, startUpstreamStub, type StudioOnKafka, type TaggerForTests, type UpstreamStub } from './support';

jest.setTimeout(300_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TEXT = '李鹏3月5日在北京会见了客人';
const GUIDELINE = 'TIME: 日期和时间（3月5日、10点30分、昨天晚上）。不标时长（三天）。';

describe('blind double annotation, the agreement matrix and a new type, in Chromium', () => {
  let database: TestDatabase;
  let db: SqlClient;
  let tagger: TaggerForTests;
  let upstreams: UpstreamStub;
  let s: StudioOnKafka;
  let browser: Browser;
  const tokens: Record<string, string> = {};
  const errors: string[] = [];

  /** A page of its own (own storage: own token) signed in as `who`. */
  const pageOf = async (token: string, who: string): Promise<Page> => {
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(`${who}: ${e.message}`));
    await page.goto(`${s.url}/#/queue`);
    await page.getByTestId('token-input').fill(token);
    await page.getByTestId('sign-in').click();
    await page.getByTestId('whoami').filter({ hasText: who }).waitFor();
    return page;
  };
  const go = async (page: Page, route: string) => {
    await page.getByTestId(`nav-${route}`).click();
    await page.waitForFunction((r) => window.location.hash === `#/${r}`, route);
  };
  /** Selects characters [from, to] of the editor's text with the mouse. */
  const select = async (page: Page, from: number, to: number) => {
    const text = page.getByTestId('editor-text');
    const a = (await text.locator(`[data-o="${from}"]`).boundingBox())!;
    const b = (await text.locator(`[data-o="${to}"]`).boundingBox())!;
    await page.mouse.move(a.x + 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width - 2, b.y + b.height / 2, { steps: 6 });
    await page.mouse.up();
  };
  const marks = (page: Page) => page.getByTestId('editor-text').locator('mark.ent').evaluateAll((els) => els.map((e) => `${e.textContent}/${e.getAttribute('data-type')}`));

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    ensureWebBundle();
    database = await freshDatabase();
    db = await database.open();
    tagger = await startStubTagger('this suite is about the studio');
    upstreams = await startUpstreamStub();
    // the orchestrator's label-set admin API as the registry answers it: an admitted type joins the label set
    const modelActions: ModelActions = {
      triggerTraining: async () => ({}),
      startRollout: async () => ({}),
      rollback: async () => ({}),
      admitType: async (r) => (upstreams.data.labelSet.push(r.type), { type: r.type }),
      removeType: async (r) => ((upstreams.data.labelSet = upstreams.data.labelSet.filter((t) => t !== r.type)), null),
    };
    s = await startStudioOnKafka(db, { TAGGER_URL: tagger.url, ORCHESTRATOR_URL: upstreams.url, RELOADER_URL: upstreams.url, LABELS_FROM_MODEL: 'true', ANNOTATIONS_PER_ITEM: '2' }, { modelActions });
    tokens.alice = await testkit.issueToken(db, 'alice', 'annotator', 'Alice');
    tokens.bob = await testkit.issueToken(db, 'bob', 'annotator', 'Bob');
    tokens.ada = await testkit.issueToken(db, 'ada', 'admin', 'Ada');
    // the model saw 李鹏 as an ORG and missed everything else
    await testkit.insertCandidate(db, { candidateId: 'b1', text: TEXT, priority: 9, score: 0.8, predicted: [[0, 2, 'ORG', 0.41]] });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
  });

  afterAll(async () => {
    await browser?.close();
    await s?.close();
    await upstreams?.close();
    await tagger?.close();
    await database?.drop();
  });

  let admin: Page;
  it('an admin adds TIME on the Annotators page', async () => {
    admin = await pageOf(tokens.ada, 'Ada');
    await go(admin, 'annotators');
    const form = admin.getByTestId('type-add');
    await form.waitFor();
    await admin.getByTestId('type-name').fill('TIME');
    await admin.getByTestId('type-colour').fill('#00ff88');
    await admin.getByTestId('type-key').selectOption('4');
    await admin.getByTestId('type-guideline').fill(GUIDELINE);
    await admin.getByTestId('type-submit').click();
    await admin.getByTestId('entity-type-TIME').waitFor();
    expect(await admin.getByTestId('entity-type-TIME').textContent()).toMatch(/TIME.*4.*v1 by ada.*added in the studio/);
    await admin.screenshot({ path: screenshotPath('studio-types.png'), fullPage: true });
  });

  it("Alice is offered TIME at once, reads its guideline under ?, marks the date and submits: the item waits for a second annotator", async () => {
    const alice = await pageOf(tokens.alice, 'Alice');
    await alice.getByTestId('start').click();
    await alice.getByTestId('queue-editor').waitFor();
    const time = alice.getByTestId('type-TIME');
    await time.waitFor();
    expect(await time.textContent()).toContain('4');
    await alice.keyboard.press('?');
    const help = alice.getByTestId('editor-help');
    await help.waitFor();
    expect(await help.getByTestId('guideline-TIME').textContent()).toContain(GUIDELINE);
    expect(await help.getByTestId('guideline-TIME').textContent()).toContain('version 1');
    for (const k of ['Enter', 'Esc', 'Delete']) expect(await help.textContent()).toContain(k);
    await alice.screenshot({ path: screenshotPath('studio-editor-help.png'), fullPage: true });
    await alice.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });

    await alice.getByTestId('editor-text').locator('mark.ent', { hasText: '李鹏' }).click();
    await alice.keyboard.press('1'); // PER
    await select(alice, 2, 5); // 3月5日
    await alice.keyboard.press('4'); // TIME
    await waitFor(async () => (await marks(alice)).join() === '李鹏/PER,3月5日/TIME', 5000, 'Alice’s spans');
    await alice.keyboard.press('Enter');
    await waitFor(async () => (await db.query(`SELECT 1 FROM corrections WHERE annotator_id = 'alice'`)).rows.length === 1, 10_000, 'Alice’s correction stored');
    const row = (await db.query<{ status: string }>(`SELECT status FROM review_queue WHERE candidate_id = 'b1'`)).rows[0];
    expect(row.status).toBe('open'); // a second annotator is wanted
    const stored = (await db.query<{ label_set: string[]; guideline_versions: Record<string, number> }>(`SELECT label_set, guideline_versions FROM corrections WHERE annotator_id = 'alice'`)).rows[0];
    expect(stored).toEqual({ label_set: ['LOC', 'ORG', 'PER', 'TIME'], guideline_versions: { TIME: 1 } });
  });

  it('Bob gets the same item blind (the model’s prediction, not Alice’s answer) and submits his own: the item is done', async () => {
    const bob = await pageOf(tokens.bob, 'Bob');
    await bob.getByTestId('start').click();
    const editor = bob.getByTestId('queue-editor');
    await editor.waitFor();
    expect(await editor.getAttribute('data-candidate')).toBe('b1');
    expect(await marks(bob)).toEqual(['李鹏/ORG']); // what the model said; Alice's TIME is nowhere
    expect(await bob.locator('main').textContent()).not.toContain('alice');
    await bob.getByTestId('editor-text').locator('mark.ent', { hasText: '李鹏' }).click();
    await bob.keyboard.press('1');
    await waitFor(async () => (await marks(bob)).join() === '李鹏/PER', 5000, 'Bob’s span');
    await bob.keyboard.press('Enter');
    await waitFor(async () => (await db.query<{ status: string }>(`SELECT status FROM review_queue WHERE candidate_id = 'b1'`)).rows[0].status === 'done', 10_000, 'the item done after two annotators');
  });

  it('the admin sees the pair in the agreement matrix (one shared text, exact F1 2/3), downloads its CSV, and reads the audit log', async () => {
    await admin.reload();
    await admin.getByTestId('whoami').filter({ hasText: 'Ada' }).waitFor();
    await go(admin, 'annotators');
    const agreement = admin.getByTestId('agreement');
    const pair = agreement.locator('tr', { hasText: 'alice · bob' });
    await pair.waitFor();
    // alice: PER 李鹏 + TIME 3月5日; bob: PER 李鹏 → one of three spans shared
    expect((await pair.locator('td').allTextContents()).slice(1, 4)).toEqual(['all', '1', '0.667']);
    const [download] = await Promise.all([admin.waitForEvent('download'), admin.getByTestId('agreement-csv').click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/annotator_a,annotator_b/);
    expect(csv).toMatch(/^alice,bob,\*,1,2,1,0\.66/m); // items, spans of each, exact F1
    const audit = admin.getByTestId('audit');
    await audit.locator('tr', { hasText: 'type.add' }).waitFor();
    const lines = await audit.locator('tbody tr').allTextContents();
    expect(lines.some((l) => l.includes('ada') && l.includes('type.add') && l.includes('TIME'))).toBe(true);
    expect(lines.filter((l) => l.includes('correction.submit')).length).toBe(2);
    expect(lines.some((l) => l.includes('bob') && l.includes('queue.claim') && l.includes('b1'))).toBe(true);
    await admin.getByTestId('audit-action').selectOption('type.add');
    await waitFor(async () => (await audit.locator('tbody tr').count()) === 1, 10_000, 'the filtered audit log');
    await admin.screenshot({ path: screenshotPath('studio-agreement-audit.png'), fullPage: true });
    expect(errors).toEqual([]);
  });
});
