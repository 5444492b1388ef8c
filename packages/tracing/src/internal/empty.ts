/** The shared empty baggage (frozen, prototype-free); identity-compared to skip work. */
export const EMPTY_BAGGAGE: Readonly<Record<string, string>> = Object.freeze(
  Object.create(null) as Record<string, string>,
);
