// Annotator and token administration (the only way tokens are made):
//
//   npm run studio:token -- create  --annotator alice [--role annotator|admin] [--name "Alice Wang"]
//   npm run studio:token -- list
//   npm run studio:token -- revoke  --token <token id>
//   npm run studio:token -- disable --annotator alice
//
// `create` adds (or updates) the annotator and prints a new token ONCE on stdout; only the sha256
// of its secret is stored. The store is DATABASE_URL (PostgreSQL) or the embedded PGlite store
// (PGLITE_DIR), migrated if needed.
import { parseArgs } from 'node:util';
import { errorMessage, loadConfig } from '@zhner/core';
import { createLogger } from '@zhner/kit';
import { openStore, storeConfigSpec, type SqlClient } from '@zhner/store';
import { SqlAuditStore } from '../adapters/sql/auditRepository';
import { SqlAuthRepository } from '../adapters/sql/authRepository';
import { ROLES, generateToken, type Role } from '../domain/tokens';

const USAGE = `usage:
  studio:token create  --annotator <id> [--role annotator|admin] [--name <display name>]
  studio:token list
  studio:token revoke  --token <token id>
  studio:token disable --annotator <id>`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const ANNOTATOR_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** Runs one CLI command against `db`; returns the exit code. */
export async function runTokenCli(argv: string[], db: SqlClient, io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { annotator: { type: 'string' }, role: { type: 'string', default: 'annotator' }, name: { type: 'string' }, token: { type: 'string' } },
    });
  } catch (err) {
    io.err(`${errorMessage(err)}\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const repo = new SqlAuthRepository(db);
  switch (positionals[0]) {
    case 'create': {
      const annotator = values.annotator;
      if (!annotator || !ANNOTATOR_ID.test(annotator)) {
        io.err(`--annotator is required: letters, digits, . _ @ - (at most 64)\n${USAGE}`);
        return 2;
      }
      if (!(ROLES as readonly string[]).includes(values.role!)) {
        io.err(`--role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(values.role)}`);
        return 2;
      }
      const t = generateToken();
      await db.transaction(async (tx) => {
        const r = new SqlAuthRepository(tx);
        await r.upsertAnnotator(annotator, values.name ?? annotator, values.role as Role);
        await r.insertToken(t.tokenId, annotator, t.hash);
        // the token change is audited in the same transaction (the actor is the operator's shell)
        await new SqlAuditStore(tx).record({ actor: 'operator (studio:token)', action: 'token.create', subject: t.tokenId, detail: { annotator, role: values.role } });
      });
      io.err(`created token ${t.tokenId} for ${annotator} (${values.role}); it is shown once, store it now:`);
      io.out(t.token);
      return 0;
    }
    case 'list': {
      for (const t of await repo.listTokens()) {
        const state = t.revokedAt ? `revoked ${new Date(t.revokedAt).toISOString()}` : 'active';
        io.out(`${t.tokenId}\t${t.annotatorId}\t${t.role}\t${state}\tcreated ${new Date(t.createdAt).toISOString()}\tlast used ${t.lastUsedAt ? new Date(t.lastUsedAt).toISOString() : 'never'}`);
      }
      return 0;
    }
    case 'revoke': {
      if (!values.token) {
        io.err(`--token <token id> is required (see: studio:token list)\n${USAGE}`);
        return 2;
      }
      const id = values.token.startsWith('zhner_') ? values.token.split('_')[1] : values.token;
      if (!(await repo.revokeToken(id))) {
        io.err(`no active token ${id}`);
        return 1;
      }
      await new SqlAuditStore(db).record({ actor: 'operator (studio:token)', action: 'token.revoke', subject: id, detail: {} });
      io.err(`revoked ${id}`);
      return 0;
    }
    case 'disable': {
      if (!values.annotator) {
        io.err(`--annotator is required\n${USAGE}`);
        return 2;
      }
      if (!(await repo.disableAnnotator(values.annotator))) {
        io.err(`no enabled annotator ${values.annotator}`);
        return 1;
      }
      io.err(`disabled ${values.annotator}: their tokens no longer work`);
      return 0;
    }
    default:
      io.err(USAGE);
      return 2;
  }
}

async function main(): Promise<void> {
  const logger = createLogger('studio-token', { level: process.env.LOG_LEVEL ?? 'warn' });
  const cfg = loadConfig(storeConfigSpec);
  const db = await openStore(cfg, { logger, service: 'studio-token' });
  try {
    process.exitCode = await runTokenCli(process.argv.slice(2), db, { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) });
  } finally {
    await db.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`studio:token: ${errorMessage(err)}\n`);
    process.exit(1);
  });
}
