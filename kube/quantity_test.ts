import assert from "node:assert/strict";
import { quantityValue } from "./quantity.ts";

Deno.test("quantity: suffixes, exponents, plain numbers", () => {
  assert.equal(quantityValue("500m"), 0.5);
  assert.equal(quantityValue("2"), 2);
  assert.equal(quantityValue(3), 3);
  assert.equal(quantityValue("1536Mi"), 1.5 * 2 ** 30);
  assert.equal(quantityValue("10Gi"), 10 * 2 ** 30);
  assert.equal(quantityValue("10G"), 1e10);
  assert.equal(quantityValue("1e3"), 1000);
  assert.equal(quantityValue(".5Ki"), 512);
  assert.ok(quantityValue("20Gi")! > quantityValue("10240Mi")!);
  assert.equal(quantityValue("10240Mi"), quantityValue("10Gi"));
});

Deno.test("quantity: not a quantity", () => {
  for (const q of ["", "Gi", "10 Gi", "10gi", "1.2.3", undefined]) {
    assert.equal(quantityValue(q), undefined, String(q));
  }
});
