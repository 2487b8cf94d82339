// Route guards: every write route carries `preHandler: requireRole(...)`, which authenticates the
// bearer token and puts the principal on the request.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from '../../app/auth';
import type { Principal } from '../../app/ports';
import type { Role } from '../../domain/tokens';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function requireRole(auth: Authenticator, role: Role) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const p = await auth.authenticate(req.headers.authorization);
    auth.requireRole(p, role);
    req.principal = p;
  };
}

/** The principal of a guarded route. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new TypeError('route is missing its requireRole preHandler');
  return req.principal;
}

/**
 * The guard of reads that expose document texts or people (the queue, corrections, annotators):
 * any valid token, unless the operator opened them with STUDIO_PUBLIC_READS=true.
 */
export function requireReader(auth: Authenticator, publicReads: boolean) {
  const annotator = requireRole(auth, 'annotator');
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (publicReads) return;
    await annotator(req, reply);
  };
}
