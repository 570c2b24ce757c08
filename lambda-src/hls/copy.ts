/** A shallow copy with `changes` applied that keeps the hls-parser class, so instanceof checks keep working. */
export function copyWith<T extends object>(source: T, changes: Partial<T>): T {
  return Object.assign(Object.create(Object.getPrototypeOf(source)), source, changes);
}
