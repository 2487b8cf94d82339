// The studio API's schemas: the published ones live in @zhner/contracts (src/http/studio.ts), so
// the web bundle imports their types; this module adds what only the routes need (the error
// references and the bearer security requirement of the OpenAPI document).
import { Type } from '@sinclair/typebox';
import { ErrorBody as ErrorBodySchema } from '@zhner/contracts';

export {
  Candidate,
  CandidateStatusSchema as CandidateStatus,
  ClaimedItem,
  CorrectionOut as Correction,
  Depth,
  Epoch,
  Nullable,
  PredictedEntity,
  PrincipalSchema as Principal,
  Span as GoldEntity,
  SpanIn,
  StoredCorrection,
} from '@zhner/contracts';

export const ErrorBody = Type.Object(ErrorBodySchema.properties, {
  $id: 'ErrorBody',
  description: 'Every error: a stable code, a message naming the bad value and the fix, and the offending field (e.g. entities[2])',
});
export const errorRefs = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, Type.Ref(ErrorBody)]));

export const Unknown = Type.Unknown();
export const AnyObject = Type.Record(Type.String(), Type.Unknown());

export const bearer = [{ bearer: [] as string[] }];
