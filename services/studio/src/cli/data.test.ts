import { CHUNK_BYTES, formatOf, runDataCli, type DataCliIo } from './data';

function io(files: Record<string, string>, answer: (url: string, init: RequestInit) => { status: number; body: unknown }, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const calls: Array<{ url: string; body: unknown; auth: string | undefined }> = [];
  const written: Record<string, string> = {};
  const d: DataCliIo = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env,
    fetch: (async (url: string, init: RequestInit) => {
      calls.push({ url, body: init.body ? JSON.parse(String(init.body)) : undefined, auth: (init.headers as Record<string, string>).authorization });
      const a = answer(url, init);
      return new Response(JSON.stringify(a.body), { status: a.status });
    }) as typeof fetch,
    readFile: (f) => files[f],
    writeFile: (f, c) => (written[f] = c),
    sessionStudioUrl: () => 'http://session:1',
  };
  return { d, out, err, calls, written };
}

const summary = (n: number, rejected: Array<{ line: number; code: string; reason: string }> = []) => ({ documents: n, entities: n, per_type: { PER: n }, rejected, dry_run: true, stored: 0, unchanged: 0 });

describe('data CLI', () => {
  it('imports in chunks and prints one merged summary as the last line', async () => {
    const line = JSON.stringify({ text: '王'.repeat(1000) });
    const file = Array.from({ length: 800 }, () => line).join('\n'); // ≈ 2.4 MB: three chunks
    const t = io({ 'f.jsonl': file }, (_u, init) => {
      const b = JSON.parse(String(init.body)) as { firstLine: number };
      return { status: 200, body: summary(1, b.firstLine === 1 ? [{ line: 3, code: 'NOT_JSON', reason: 'x' }] : []) };
    }, { ADMIN_TOKEN: 'tok' });
    const code = await runDataCli(['import', '--file', 'f.jsonl', '--dry-run'], t.d);
    expect(t.calls.length).toBe(Math.ceil((file.length * 3) / CHUNK_BYTES));
    expect(t.calls[0]).toMatchObject({ url: 'http://session:1/api/admin/import', auth: 'Bearer tok', body: { format: 'jsonl', dryRun: true, firstLine: 1 } });
    expect(JSON.parse(t.out.at(-1)!)).toMatchObject({ documents: t.calls.length, per_type: { PER: t.calls.length }, rejected: [{ line: 3, code: 'NOT_JSON' }] });
    expect(code).toBe(1);
  });

  it('exports to a file and reports the error body of a refused request', async () => {
    const ok = io({}, () => ({ status: 200, body: { format: 'conll', content: '李\tB-PER\n', summary: summary(1) } }));
    expect(await runDataCli(['export', '--format', 'conll', '--out', 'o.conll', '--url', 'http://x:2/', '--token', 't'], ok.d)).toBe(0);
    expect(ok.calls[0].url).toBe('http://x:2/api/admin/export?format=conll');
    expect(ok.written['o.conll']).toBe('李\tB-PER\n');
    expect(JSON.parse(ok.out.at(-1)!).documents).toBe(1);
    const refused = io({}, () => ({ status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'needs a token' } } }));
    expect(await runDataCli(['export', '--format', 'jsonl', '--out', 'o'], refused.d)).toBe(1);
    expect(refused.err.join('\n')).toContain('401: UNAUTHENTICATED: needs a token');
  });

  it('refuses bad arguments with exit code 2', async () => {
    const t = io({}, () => ({ status: 500, body: {} }));
    expect(await runDataCli(['import'], t.d)).toBe(2);
    expect(await runDataCli(['export', '--format', 'xml', '--out', 'o'], t.d)).toBe(2);
    expect(await runDataCli(['frobnicate'], t.d)).toBe(2);
    expect(t.calls).toHaveLength(0);
    expect([formatOf('a.conll'), formatOf('a.bio'), formatOf('a.jsonl')]).toEqual(['conll', 'conll', 'jsonl']);
  });
});
