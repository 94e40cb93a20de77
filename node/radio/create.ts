import { SemtechRadio, type SemtechRadioOptions } from "./semtech-radio.js";
import { SimRadio, type SimRadioOptions } from "./sim-radio.js";
import type { Radio } from "./types.js";
import { WifiRadio, type WifiRadioOptions } from "./wifi-radio.js";

/** One config shape for all adapters, so the CLI's `--radio sim|wifi|semtech` maps onto it directly. */
export type RadioConfig =
  | ({ readonly kind: "sim" } & SimRadioOptions)
  | ({ readonly kind: "wifi" } & WifiRadioOptions)
  | ({ readonly kind: "semtech" } & SemtechRadioOptions);

/** Builds the adapter a config names (not started). */
export function createRadio(config: RadioConfig): Radio {
  switch (config.kind) {
    case "sim":
      return new SimRadio(config);
    case "wifi":
      return new WifiRadio(config);
    case "semtech":
      return new SemtechRadio(config);
  }
}
