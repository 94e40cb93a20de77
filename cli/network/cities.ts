/**
 * Cities the local network can be placed in: centre (WGS84, from each city's usual map centre),
 * the radius hotspots are spread over, and a few neighbourhood centres where they cluster, as
 * real deployments do. Facts only; placement is generated from them (placement.ts).
 */
export interface City {
  readonly name: string;
  readonly label: string;
  readonly centre: readonly [lat: number, lng: number];
  readonly radiusKm: number;
  readonly neighbourhoods: ReadonlyArray<readonly [lat: number, lng: number]>;
}

export const CITIES: readonly City[] = [
  {
    name: "san-francisco",
    label: "San Francisco, CA",
    centre: [37.7749, -122.4194],
    radiusKm: 5,
    // Mission, SoMa, Haight, Richmond, Sunset, North Beach.
    neighbourhoods: [[37.7599, -122.4148], [37.7785, -122.4056], [37.7692, -122.4481], [37.7802, -122.4828], [37.7535, -122.4911], [37.8061, -122.4103]],
  },
  {
    name: "lisbon",
    label: "Lisbon, Portugal",
    centre: [38.7223, -9.1393],
    radiusKm: 5,
    // Baixa, Alfama, Bairro Alto, Alcântara, Avenidas Novas, Parque das Nações.
    neighbourhoods: [[38.7115, -9.1365], [38.7118, -9.1300], [38.7133, -9.1460], [38.7050, -9.1780], [38.7380, -9.1450], [38.7680, -9.0950]],
  },
  {
    name: "berlin",
    label: "Berlin, Germany",
    centre: [52.52, 13.405],
    radiusKm: 6,
    // Mitte, Kreuzberg, Prenzlauer Berg, Friedrichshain, Neukölln, Charlottenburg.
    neighbourhoods: [[52.5200, 13.4050], [52.4986, 13.4030], [52.5388, 13.4244], [52.5158, 13.4540], [52.4811, 13.4350], [52.5163, 13.3040]],
  },
  {
    name: "nairobi",
    label: "Nairobi, Kenya",
    centre: [-1.2864, 36.8172],
    radiusKm: 6,
    // CBD, Westlands, Kilimani, Eastleigh, South B, Parklands.
    neighbourhoods: [[-1.2841, 36.8219], [-1.2676, 36.8108], [-1.2921, 36.7856], [-1.2741, 36.8510], [-1.3110, 36.8350], [-1.2600, 36.8200]],
  },
];

export function cityByName(name: string): City | undefined {
  return CITIES.find((c) => c.name === name.toLowerCase());
}
