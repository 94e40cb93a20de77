/**
 * Typed errors of the radio adapters. One class per failure with a stable `code`; adapters pass
 * dropped input to their `onDrop` hook and count it by `code` in `stats().dropped`, and tests
 * match on `code` or `name`, never on message text.
 */
export abstract class RadioError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

// ---- common ---------------------------------------------------------------------------------------

/** transmit() or a medium-specific call before start() or after stop(). */
export class RadioNotStartedError extends RadioError {
  readonly code = "ERR_RADIO_NOT_STARTED";
  constructor(kind: string) {
    super(`${kind} radio is not started`);
  }
}

/** The payload is empty or longer than the radio can put on the air. */
export class PayloadSizeError extends RadioError {
  readonly code = "ERR_RADIO_PAYLOAD_SIZE";
  constructor(
    readonly sizeBytes: number,
    readonly maxBytes: number,
  ) {
    super(`payload of ${sizeBytes} bytes is outside 1..${maxBytes} bytes`);
  }
}

/** The data rate is unknown or not one this radio's modulation supports. */
export class UnsupportedDataRateError extends RadioError {
  readonly code = "ERR_RADIO_UNSUPPORTED_DATA_RATE";
  constructor(
    readonly dataRate: string,
    kind: string,
  ) {
    super(`data rate ${JSON.stringify(dataRate.slice(0, 32))} is not supported by the ${kind} radio`);
  }
}

/** Frequency or transmit power outside the range protocol/ allows. */
export class InvalidTransmitParameterError extends RadioError {
  readonly code = "ERR_RADIO_INVALID_TX_PARAMETER";
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`invalid ${field}: ${detail}`);
  }
}

/** The radio was stopped while a transmit was waiting for its acknowledgement. */
export class RadioStoppedError extends RadioError {
  readonly code = "ERR_RADIO_STOPPED";
  constructor() {
    super("radio stopped before the transmit completed");
  }
}

// ---- sim medium framing -----------------------------------------------------------------------------

/** The length prefix announces a frame larger than SIM_MAX_FRAME_BYTES (the stream is closed: it cannot resync). */
export class SimFrameTooLargeError extends RadioError {
  readonly code = "ERR_SIM_FRAME_TOO_LARGE";
  constructor(
    readonly sizeBytes: number,
    readonly maxBytes: number,
  ) {
    super(`sim frame of ${sizeBytes} bytes exceeds ${maxBytes} bytes`);
  }
}

/** A frame body ends before its fields do, or has bytes left over. */
export class SimFrameLengthError extends RadioError {
  readonly code = "ERR_SIM_FRAME_LENGTH";
  constructor(detail: string) {
    super(`sim frame length: ${detail}`);
  }
}

/** The version byte is not SIM_FRAME_VERSION. */
export class SimFrameVersionError extends RadioError {
  readonly code = "ERR_SIM_FRAME_VERSION";
  constructor(readonly version: number) {
    super(`unsupported sim frame version ${version}`);
  }
}

/** The type byte names no frame type, or one that must not travel in this direction. */
export class SimFrameTypeError extends RadioError {
  readonly code = "ERR_SIM_FRAME_TYPE";
  constructor(readonly typeByte: number) {
    super(`unexpected sim frame type ${typeByte}`);
  }
}

/** A field parsed but holds an invalid value (latitude out of range, unknown data rate, ...). */
export class SimFrameFieldError extends RadioError {
  readonly code = "ERR_SIM_FRAME_FIELD";
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`sim frame field ${field}: ${detail}`);
  }
}

/** A client sent TRANSMIT before HELLO: the broker does not know where its antenna is. */
export class SimNotRegisteredError extends RadioError {
  readonly code = "ERR_SIM_NOT_REGISTERED";
  constructor() {
    super("TRANSMIT before HELLO");
  }
}

/** A client transmits faster than SIM_MAX_TX_PER_SECOND. */
export class SimRateLimitedError extends RadioError {
  readonly code = "ERR_SIM_RATE_LIMITED";
  constructor() {
    super("transmit rate limit exceeded");
  }
}

/** The broker refused a transmit (its ERROR frame carries the code). */
export class SimTransmitRejectedError extends RadioError {
  readonly code = "ERR_SIM_TRANSMIT_REJECTED";
  constructor(readonly brokerCode: string) {
    super(`broker rejected the transmit: ${brokerCode}`);
  }
}

/** The broker could not be reached or closed the connection. */
export class SimBrokerUnavailableError extends RadioError {
  readonly code = "ERR_SIM_BROKER_UNAVAILABLE";
  constructor(detail: string) {
    super(`sim broker unavailable: ${detail}`);
  }
}

/** No acknowledgement arrived for a transmit within the timeout. */
export class SimTransmitTimeoutError extends RadioError {
  readonly code = "ERR_SIM_TRANSMIT_TIMEOUT";
  constructor(readonly timeoutMs: number) {
    super(`no transmit acknowledgement within ${timeoutMs} ms`);
  }
}

// ---- Wi-Fi ------------------------------------------------------------------------------------------

/** An SSID has the beacon prefix but its body is not canonical base64url of 1..21 bytes. */
export class WifiBeaconSsidError extends RadioError {
  readonly code = "ERR_WIFI_BEACON_SSID";
  constructor(detail: string) {
    super(`malformed beacon SSID: ${detail}`);
  }
}

/** A line of `nmcli --terse` output does not have the expected fields. */
export class NmcliParseError extends RadioError {
  readonly code = "ERR_NMCLI_PARSE";
  constructor(
    readonly line: string,
    detail: string,
  ) {
    super(`nmcli output line ${JSON.stringify(line.slice(0, 120))}: ${detail}`);
  }
}

/** A scan entry has no usable frequency or signal. */
export class WifiScanEntryError extends RadioError {
  readonly code = "ERR_WIFI_SCAN_ENTRY";
  constructor(detail: string) {
    super(`unusable scan entry: ${detail}`);
  }
}

/** The scan command failed. */
export class WifiScanFailedError extends RadioError {
  readonly code = "ERR_WIFI_SCAN_FAILED";
  constructor(detail: string) {
    super(`Wi-Fi scan failed: ${detail}`);
  }
}

/** A step of the configured transmit command exited non-zero, timed out, or could not start. */
export class WifiTxCommandError extends RadioError {
  readonly code = "ERR_WIFI_TX_COMMAND";
  constructor(
    readonly argv: readonly string[],
    detail: string,
  ) {
    super(`transmit command ${JSON.stringify(argv[0] ?? "")} failed: ${detail}`);
  }
}

/** The transmit command template is unusable (empty, or no step mentions {ssid}). */
export class WifiTxTemplateError extends RadioError {
  readonly code = "ERR_WIFI_TX_TEMPLATE";
  constructor(detail: string) {
    super(`transmit command template: ${detail}`);
  }
}

// ---- Semtech UDP packet forwarder ----------------------------------------------------------------------

/** Datagram shorter than the header (or than the header plus EUI its id requires). */
export class SemtechTruncatedError extends RadioError {
  readonly code = "ERR_SEMTECH_TRUNCATED";
  constructor(
    readonly sizeBytes: number,
    readonly minBytes: number,
  ) {
    super(`datagram of ${sizeBytes} bytes is shorter than ${minBytes} bytes`);
  }
}

/** Datagram larger than SEMTECH_MAX_DATAGRAM_BYTES. */
export class SemtechOversizeError extends RadioError {
  readonly code = "ERR_SEMTECH_OVERSIZE";
  constructor(
    readonly sizeBytes: number,
    readonly maxBytes: number,
  ) {
    super(`datagram of ${sizeBytes} bytes exceeds ${maxBytes} bytes`);
  }
}

/** First byte is not protocol version 2. */
export class SemtechVersionError extends RadioError {
  readonly code = "ERR_SEMTECH_VERSION";
  constructor(readonly version: number) {
    super(`unsupported packet-forwarder protocol version ${version}`);
  }
}

/** Fourth byte is not a packet identifier, or one a network server must never receive. */
export class SemtechUnknownIdError extends RadioError {
  readonly code = "ERR_SEMTECH_UNKNOWN_ID";
  constructor(readonly id: number) {
    super(`unexpected packet identifier 0x${id.toString(16).padStart(2, "0")}`);
  }
}

/** The JSON part does not parse, or is not an object of the expected shape. */
export class SemtechJsonError extends RadioError {
  readonly code = "ERR_SEMTECH_JSON";
  constructor(detail: string) {
    super(`packet-forwarder JSON: ${detail}`);
  }
}

/** An rxpk object is missing a field or holds an invalid value. */
export class SemtechRxpkError extends RadioError {
  readonly code = "ERR_SEMTECH_RXPK";
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`rxpk.${field}: ${detail}`);
  }
}

/** An rxpk with a bad or missing CRC (stat != 1): counted, never delivered as a beacon. */
export class SemtechCrcError extends RadioError {
  readonly code = "ERR_SEMTECH_CRC";
  constructor(readonly stat: number) {
    super(`rxpk with CRC status ${stat}`);
  }
}

/** A TX_ACK whose token matches no pending PULL_RESP (late, duplicated or forged). */
export class SemtechUnmatchedAckError extends RadioError {
  readonly code = "ERR_SEMTECH_UNMATCHED_ACK";
  constructor(readonly token: number) {
    super(`TX_ACK with token 0x${token.toString(16).padStart(4, "0")} matches no pending transmit`);
  }
}

/** A datagram from a gateway EUI outside the configured allow-list. */
export class SemtechUnknownGatewayError extends RadioError {
  readonly code = "ERR_SEMTECH_UNKNOWN_GATEWAY";
  constructor(readonly eui: string) {
    super(`gateway ${eui} is not in the allow-list`);
  }
}

/** transmit() with no gateway having sent PULL_DATA recently: there is no downlink path. */
export class SemtechNoGatewayError extends RadioError {
  readonly code = "ERR_SEMTECH_NO_GATEWAY";
  constructor() {
    super("no gateway has sent PULL_DATA recently; nowhere to send PULL_RESP");
  }
}

/** No TX_ACK within the timeout. */
export class SemtechTxAckTimeoutError extends RadioError {
  readonly code = "ERR_SEMTECH_TX_ACK_TIMEOUT";
  constructor(readonly timeoutMs: number) {
    super(`no TX_ACK within ${timeoutMs} ms`);
  }
}

/** The gateway refused the transmit: TX_ACK's txpk_ack.error (TOO_LATE, TX_FREQ, TX_POWER, ...). */
export class SemtechTxRejectedError extends RadioError {
  readonly code = "ERR_SEMTECH_TX_REJECTED";
  constructor(readonly gatewayError: string) {
    super(`gateway refused the transmit: ${gatewayError}`);
  }
}

/** A receive handler threw; the radio keeps running and reports the failure here. */
export class ReceiveHandlerError extends RadioError {
  readonly code = "ERR_RADIO_RECEIVE_HANDLER";
  constructor(readonly causeError: unknown) {
    super(`receive handler threw: ${causeError instanceof Error ? causeError.message : String(causeError)}`);
  }
}

/** The injected propagation function threw or returned non-numbers; that link counts as not received. */
export class SimPropagationError extends RadioError {
  readonly code = "ERR_SIM_PROPAGATION";
  constructor(detail: string) {
    super(`propagation function failed: ${detail}`);
  }
}

/** A sim client does not read its socket; the broker disconnects it rather than buffer without bound. */
export class SimSlowConsumerError extends RadioError {
  readonly code = "ERR_SIM_SLOW_CONSUMER";
  constructor(readonly bufferedBytes: number) {
    super(`client has ${bufferedBytes} unread bytes buffered; disconnected`);
  }
}

/** A datagram that is valid protocol but not something a network server accepts from a gateway (PULL_RESP, PUSH_ACK, PULL_ACK). */
export class SemtechUnexpectedPacketError extends RadioError {
  readonly code = "ERR_SEMTECH_UNEXPECTED_PACKET";
  constructor(readonly id: string) {
    super(`a network server does not accept ${id}`);
  }
}

/** An unexpected exception while handling input (a bug); counted and dropped so the radio keeps running. */
export class RadioInternalError extends RadioError {
  readonly code = "ERR_RADIO_INTERNAL";
  constructor(readonly causeError: unknown) {
    super(`internal error: ${causeError instanceof Error ? causeError.message : String(causeError)}`);
  }
}

/** Wraps anything thrown into a RadioError, so drop accounting never sees a foreign error. */
export function asRadioError(error: unknown): RadioError {
  return error instanceof RadioError ? error : new RadioInternalError(error);
}
