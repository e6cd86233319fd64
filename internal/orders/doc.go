// Package orders holds the rules of an order's life that the trader's
// read-back and reconcile must agree on (docs/design.md, Orders): how
// client_order_ids are built, which statuses are terminal, which broker
// errors are definite rejections, what a fill records, how a fill closes a
// position, and one function from (journal row, positions, broker order) to
// the changes the store must apply. Everything here is pure except Record,
// which applies a Change through a narrow writer.
package orders
