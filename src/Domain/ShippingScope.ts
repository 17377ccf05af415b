/**
 * Some order refs to reconcile (docs/nightly.md): the name of a temporary table with a
 * column `order_ref text` of normalised refs, known orders or not.
 */
export interface ShippingScope {
  readonly orderRefs: string
}
