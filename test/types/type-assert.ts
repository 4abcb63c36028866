/** Type-level assertions: a file that uses them fails to compile when one does not hold. */
export type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
export type Assert<T extends true> = T
/** Public members the official SDK's resource has and ours lacks: must be `never` for a one-line switch. */
export type Missing<Official, Ours> = Exclude<keyof Official, keyof Ours>
