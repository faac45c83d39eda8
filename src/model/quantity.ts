const SUFFIX_MULTIPLIER: Record<string, number> = {
  "": 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
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

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/**
 * A Kubernetes resource quantity (`20Gi`, `1.5G`, `500m`, `1e3`, `1024`) as a plain number (bytes for storage);
 * null when it is not a quantity.
 */
export function parseQuantityOrNull(quantity: string | number): number | null {
  if (typeof quantity === "number") return Number.isFinite(quantity) ? quantity : null;
  const match = QUANTITY.exec(quantity.trim());
  if (!match) return null;
  const [, number = "", exponent, suffix = ""] = match;
  const value = Number.parseFloat(number);
  const multiplier = exponent ? 10 ** Number.parseInt(exponent.slice(1), 10) : SUFFIX_MULTIPLIER[suffix];
  if (multiplier === undefined) return null;
  const result = value * multiplier;
  // Whole byte counts stay exact integers (0.5Gi is 536870912, not 536870911.9999).
  const rounded = Math.round(result);
  return Math.abs(result - rounded) < 1e-9 * Math.max(1, Math.abs(result)) ? rounded : result;
}

/** Like parseQuantityOrNull, for quantities that must be valid (a release's claim size). */
export function parseQuantity(quantity: string | number): number {
  const value = parseQuantityOrNull(quantity);
  if (value === null) throw new Error(`not a Kubernetes quantity: "${quantity}"`);
  return value;
}

/** 21474836480 -> "20Gi"; for messages. */
export function formatBytes(bytes: number): string {
  for (const unit of ["Ti", "Gi", "Mi", "Ki"] as const) {
    const factor = SUFFIX_MULTIPLIER[unit] ?? 1;
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return `${bytes}`;
}
