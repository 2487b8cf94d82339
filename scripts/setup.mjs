#!/usr/bin/env node
// Installs what the platform needs on a fresh machine; every step is skipped when already done,
// so `npm start` and `npm test` call it each time. Downloads are cached under the home directory
// (~/.npm, ~/.cache/pip, ~/.m2), so repeated runs are fast.
//
//   node scripts/setup.mjs [--for start|test] [--skip-python]
//
// Steps: node_modules (npm ci), the trainer's Python environment (Debian torch + .venv), the
// studio's web bundle (vite), and for tests Debian's Chromium. Kafka, Java, Maven and PostgreSQL
// are installed on demand by deploy/local/infra.mjs.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (m) => process.stderr.write(`[setup] ${m}\n`);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: repo, ...opts });
  if (r.status !== 0) {
    if (opts.optional) return false;
    log(`failed: ${cmd} ${args.join(' ')}`);
    process.exit(r.status ?? 1);
  }
  return true;
}

function newestMtime(dir, filter = () => true) {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p, filter));
    else if (filter(p)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function debInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  // no dpkg (not Debian): nothing to install from here
  if (r.error) return true;
  return r.status === 0 && r.stdout.includes('install ok installed');
}

export function setup({ purpose = 'start', python = true } = {}) {
  // @platformatic/kafka (the default Kafka client) needs 20.19.4 or newer on the 20 line
  const [major, minor, patch] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && (minor < 19 || (minor === 19 && patch < 4)))) {
    log(`Node.js ${process.versions.node} is too old: Node 20.19.4 or newer is required`);
    process.exit(1);
  }

  // 1. npm dependencies
  const lock = path.join(repo, 'package-lock.json');
  const installed = path.join(repo, 'node_modules', '.package-lock.json');
  if (!existsSync(installed)) {
    // errors only: the one warning left is EBADENGINE from two helper packages of @platformatic/kafka
    // that declare Node >= 22.19 while @platformatic/kafka itself supports 20.19.4+ (its conformance
    // suite passes here on Node 20); nothing a user can act on. A plain `npm ci` still shows it.
    log('installing npm dependencies (npm ci)');
    run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
  } else if (statSync(lock).mtimeMs > statSync(installed).mtimeMs) {
    log('package-lock.json changed: npm install');
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error']);
  }

  // 2. Python environment of the trainer (fine-tuning). Required for tests; optional to start.
  if (python) {
    const ok = run('bash', [path.join(repo, 'scripts', 'setup-python.sh')], { optional: purpose !== 'test', stdio: ['ignore', 'ignore', 'inherit'] });
    if (!ok) log('the trainer environment is not available: the platform starts, but fine-tuning runs will fail until `bash scripts/setup-python.sh` succeeds');
  }

  // 3. Chromium (and a CJK font, so the screenshots show Chinese, not boxes) for the browser tests
  if (purpose === 'test') {
    const wanted = [];
    if (!existsSync('/usr/bin/chromium') && !process.env.CHROMIUM_PATH) wanted.push('chromium');
    if (!debInstalled('fonts-wqy-microhei')) wanted.push('fonts-wqy-microhei');
    if (wanted.length && isRoot) {
      log(`installing Debian ${wanted.join(' ')} for the browser tests`);
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      if (!run('apt-get', ['install', '-y', '--no-install-recommends', ...wanted], { env, optional: true })) {
        run('apt-get', ['update'], { env });
        run('apt-get', ['install', '-y', '--no-install-recommends', ...wanted], { env, optional: !wanted.includes('chromium') });
      }
    } else if (wanted.includes('chromium')) {
      log('Chromium is missing: install it (sudo apt-get install -y chromium fonts-wqy-microhei) or set CHROMIUM_PATH');
      process.exit(1);
    }
  }

  // 4. The studio's web bundle
  const web = path.join(repo, 'services', 'studio', 'web');
  if (existsSync(path.join(web, 'vite.config.ts'))) {
    const built = path.join(web, 'dist', 'index.html');
    if (!existsSync(built) || newestMtime(web) > statSync(built).mtimeMs) {
      log('building the studio web bundle (vite)');
      run('npm', ['run', '--silent', 'studio:build']);
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const purpose = args.includes('--for') ? args[args.indexOf('--for') + 1] : 'start';
  setup({ purpose, python: !args.includes('--skip-python') });
  log('done');
}
