/**
 * Data rates on the wire are one byte. Codes are ABI: append, never renumber.
 * LoRa names follow the Semtech packet forwarder's `datr` strings ("SF7BW125").
 */
export interface DataRate {
  readonly code: number;
  readonly name: string;
  readonly modulation: "lora" | "wifi";
  /** LoRa spreading factor; 0 for Wi-Fi. */
  readonly spreadingFactor: number;
  readonly bandwidthHz: number;
}

const lora = (code: number, sf: number, bandwidthHz: number): DataRate => ({
  code,
  name: `SF${sf}BW${bandwidthHz / 1000}`,
  modulation: "lora",
  spreadingFactor: sf,
  bandwidthHz,
});

export const DATA_RATES: readonly DataRate[] = [
  lora(1, 7, 125_000),
  lora(2, 8, 125_000),
  lora(3, 9, 125_000),
  lora(4, 10, 125_000),
  lora(5, 11, 125_000),
  lora(6, 12, 125_000),
  lora(7, 7, 250_000),
  lora(8, 8, 500_000),
  // A 20 MHz Wi-Fi channel (beacon frames are sent at the 1 Mb/s basic rate).
  { code: 32, name: "WIFI20", modulation: "wifi", spreadingFactor: 0, bandwidthHz: 20_000_000 },
];

const byCode = new Map(DATA_RATES.map((rate) => [rate.code, rate]));
const byName = new Map(DATA_RATES.map((rate) => [rate.name, rate]));

export function dataRateByCode(code: number): DataRate | undefined {
  return byCode.get(code);
}

export function dataRateByName(name: string): DataRate | undefined {
  return byName.get(name.toUpperCase());
}
