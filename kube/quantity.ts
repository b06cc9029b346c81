/**
 * Kubernetes resource quantities (`500m`, `1.5Gi`, `2e3`, `10G`) as numbers,
 * in the base unit (cores, bytes): for comparing sizes and pricing requests.
 */
const SUFFIXES: Record<string, number> = {
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY =
  /^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+)|(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei))?$/;

/** The quantity's value, or undefined when it is not a quantity. */
export function quantityValue(q: string | number | undefined): number | undefined {
  if (typeof q === "number") return q;
  const m = q?.trim().match(QUANTITY);
  if (!m) return undefined;
  const [, number, exponent, suffix] = m;
  if (exponent !== undefined) return Number(number) * 10 ** Number(exponent);
  return Number(number) * SUFFIXES[suffix ?? ""];
}
