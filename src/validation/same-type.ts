/**
 * A compile-time check that a zod schema describes exactly a contract type (src/contracts/):
 * `sameType<z.output<typeof schema>, Contract>(true)` fails to compile when they drift apart.
 * The contracts are written as plain types so workflow code needs no zod; this keeps the two in step.
 */
export type SameType<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

export function sameType<A, B>(proof: SameType<A, B>): void {
  void proof;
}
