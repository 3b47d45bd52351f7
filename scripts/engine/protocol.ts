/**
 * The engine's side of the provider protocol, emulated: constants, URNs and the marshalling the Go
 * engine applies around a provider call (sdk/go/common/resource/plugin/provider_plugin.go). We cannot
 * run the engine here (no Pulumi CLI), so this is kept small and close to that file:
 * - the dynamic provider host answers Configure with acceptSecrets=false, so the engine strips secrets
 *   before every call (`MarshalOptions{KeepSecrets: false}`) and re-marks outputs whose input of the
 *   same name was secret afterwards (`annotateSecrets`);
 * - during preview, unknown values travel as the unknown sentinel string;
 * - a Create/Update failure may carry `pulumirpc.ErrorResourceInitFailed` in the
 *   `grpc-status-details-bin` trailer (provider_plugin.go `parseError`), which the engine records in
 *   state as a partially created resource.
 */

/** The string a computed (unknown) value is marshalled to (`plugin.UnknownStringValue`). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** Key that marks a special object in a property bag (`sig.Key`). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** `sig.Secret`: `{[SIG_KEY]: SECRET_SIG, value}` is a secret. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** The property in which a dynamic resource carries its serialized provider. */
export const PROVIDER_KEY = "__provider";

/** How `capture` mocks a resource id: `@@id:<urn>@@`, replaced by the real id once it is created. */
export const ID_TOKEN_PREFIX = "@@id:";
export const ID_TOKEN_SUFFIX = "@@";

export type PropertyValue =
  | null
  | boolean
  | number
  | string
  | PropertyValue[]
  | { [key: string]: PropertyValue };
export type PropertyMap = { [key: string]: PropertyValue };

export function urn(stack: string, project: string, type: string, name: string): string {
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

/** The resource name (last URN segment) and type (third) from a URN without parents. */
export function parseUrn(u: string): { stack: string; project: string; type: string; name: string } {
  const m = /^urn:pulumi:([^:]*)::([^:]*)::(.*)::([^:]*)$/.exec(u);
  if (!m) throw new Error(`not a URN: ${u}`);
  const type = m[3]!.split("$").pop()!;
  return { stack: m[1]!, project: m[2]!, type, name: m[4]! };
}

function isObject(v: unknown): v is { [key: string]: PropertyValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function isSecret(v: unknown): v is { [SIG_KEY]: string; value: PropertyValue } {
  return isObject(v) && v[SIG_KEY] === SECRET_SIG;
}

export function secret(value: PropertyValue): PropertyMap {
  return { [SIG_KEY]: SECRET_SIG, value };
}

/** A deep copy with every secret replaced by its plain value, as the engine sends to the host. */
export function stripSecrets<T>(v: T): T {
  if (isSecret(v)) return stripSecrets(v.value as T);
  if (Array.isArray(v)) return v.map(stripSecrets) as T;
  if (isObject(v)) {
    const out: PropertyMap = {};
    for (const [k, x] of Object.entries(v)) out[k] = stripSecrets(x);
    return out as T;
  }
  return v;
}

/**
 * A deep copy without `undefined` (which `Struct.fromJavaScript` rejects and which the engine's
 * property maps cannot hold).
 */
export function dropUndefined<T>(v: T): T {
  if (Array.isArray(v)) return v.filter((x) => x !== undefined).map(dropUndefined) as T;
  if (isObject(v)) {
    const out: PropertyMap = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = dropUndefined(x);
    return out as T;
  }
  return v;
}

/**
 * Port of provider_plugin.go `annotateSecrets(outs, ins)`: an output becomes secret when the input of
 * the same name was secret; objects present on both sides are walked recursively. Returns a new map.
 */
export function annotateSecrets(outs: PropertyMap, ins: PropertyMap | undefined): PropertyMap {
  const result: PropertyMap = { ...outs };
  if (!ins) return result;
  for (const [key, inValue] of Object.entries(ins)) {
    if (!(key in result)) continue;
    const outValue = result[key]!;
    if (isSecret(outValue)) continue;
    if (isSecret(inValue)) result[key] = secret(outValue);
    else if (isObject(inValue) && isObject(outValue)) result[key] = annotateSecrets(outValue, inValue);
  }
  return result;
}

/** Every string anywhere in a property value (for "no credential appears here" checks). */
export function allStrings(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) for (const x of v) allStrings(x, out);
  else if (typeof v === "object" && v !== null) for (const x of Object.values(v)) allStrings(x, out);
  return out;
}
