/** Time and identifiers, injected so that the core stays deterministic in tests. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export interface IdGenerator {
  /** A new unique, URL-safe identifier, lexically sortable by creation time. */
  next(): string;
}
