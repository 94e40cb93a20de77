import { expect } from "chai";
import { GeoError } from "../../geo/index.js";

/** Runs `fn`, expects a GeoError with `code` and the class name `name`, and returns it. */
export function expectGeoError(fn: () => unknown, name: string, code: string): GeoError {
  try {
    fn();
  } catch (err) {
    expect(err, `expected ${name}, got ${String(err)}`).to.be.instanceOf(GeoError);
    expect((err as GeoError).name).to.equal(name);
    expect((err as GeoError).code).to.equal(code);
    return err as GeoError;
  }
  expect.fail(`expected ${name} but nothing was thrown`);
}
