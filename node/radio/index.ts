/**
 * node/radio: the Radio interface the hotspot daemon transmits and witnesses through, and its
 * adapters — sim (shared simulated medium), wifi (SSID beacons via node-wifi/nmcli) and
 * semtech (UDP packet-forwarder protocol v2). See docs/RADIO.md.
 */
export * from "./constants.js";
export * from "./errors.js";
export type {
  AntennaSite,
  DropHandler,
  Position,
  Radio,
  RadioKind,
  RadioPacket,
  ReceivedPacket,
  ReceiveHandler,
  TransmitRequest,
} from "./types.js";
export {
  defaultPropagation,
  type PropagationEndpoint,
  type PropagationFunction,
  type PropagationResult,
  type PropagationTx,
  propagationFromModel,
} from "./propagation.js";
export { decodeSimFrame, encodeSimFrame, type SimFrame, SimFrameReader, SimFrameType } from "./sim-frame.js";
export {
  SimMediumBroker,
  type SimMediumBrokerOptions,
  type SimMediumBrokerStats,
  type SimTransmissionEvent,
} from "./sim-broker.js";
export { SimRadio, type SimRadioOptions } from "./sim-radio.js";
export {
  NMCLI_SCAN_FIELDS,
  nmcliScanArgs,
  nmSignalPercentToDbm,
  parseNmcliScan,
  splitNmcliTerseLine,
  type WifiScanEntry,
  wifiChannelToFrequencyMhz,
} from "./nmcli.js";
export { WIFI_TX_PLACEHOLDERS, WifiRadio, type WifiRadioOptions, type WifiScanner } from "./wifi-radio.js";
export { decodeBeaconSsid, encodeBeaconSsid, isBeaconSsid } from "./wifi-ssid.js";
export { SemtechForwarderSim, type SemtechForwarderSimOptions } from "./semtech-forwarder-sim.js";
export {
  decodeSemtechPacket,
  encodeSemtechPacket,
  euiToString,
  type Rxpk,
  type SemtechPacket,
  type Txpk,
  type TxpkAck,
} from "./semtech-packet.js";
export { parseRxpk, SemtechRadio, type SemtechRadioOptions, type SemtechRadioStats } from "./semtech-radio.js";
export { createRadio, type RadioConfig } from "./create.js";
export { runSimBrokerCommand } from "./sim-broker-cli.js";
