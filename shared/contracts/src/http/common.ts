// Building blocks of the published HTTP contracts (TypeBox schemas: served by the owning service's
// routes, read by its clients with the same Static<> types).
import { Type, type TSchema } from '@sinclair/typebox';

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const IsoTime = Type.String({ description: 'ISO 8601 time (UTC)' });
export const Json = Type.Unknown({ description: 'free-form JSON' });

/** The one error format of every service: `{error:{code,message,field?,details?}}`. */
export const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()), details: Type.Optional(Json) }),
});

/** Precision / recall / F1 as fractions 0..1. */
export const Prf = Type.Object({ precision: Type.Number(), recall: Type.Number(), f1: Type.Number() });
