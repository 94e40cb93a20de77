// node-wifi ships no types; this declares the part node/radio uses (node-wifi 2.x, src/wifi.js).
declare module "node-wifi" {
  export interface NodeWifiNetwork {
    ssid: string;
    bssid: string;
    mac: string;
    mode: string;
    channel: number;
    frequency: number;
    signal_level: number;
    quality: number;
    security: string;
  }
  const wifi: {
    init(options: { iface?: string | null; debug?: boolean }): void;
    scan(): Promise<NodeWifiNetwork[]>;
  };
  export default wifi;
}
