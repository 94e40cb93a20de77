import { seededRandom, seedFromText } from "../../geo/index.js";
import type { City } from "./cities.js";

/**
 * Hotspot sites for a city, reproducible from (city, count, seed): 70 % gathered around the
 * city's neighbourhoods (Gaussian scatter, σ = 0.6 km), 30 % spread uniformly over the city disc,
 * at least MIN_SPACING_M apart so no pair is "too close" (8 res-11 cells ≈ 350 m) to witness.
 */
export const MIN_SPACING_M = 450;
const CLUSTERED_SHARE = 0.7;
const NEIGHBOURHOOD_SIGMA_KM = 0.6;
const KM_PER_DEGREE_LAT = 111.32;
const MAX_ATTEMPTS_PER_SITE = 200;

function distanceM(a: readonly [number, number], b: readonly [number, number]): number {
  const dLat = (b[0] - a[0]) * KM_PER_DEGREE_LAT;
  const dLng = (b[1] - a[1]) * KM_PER_DEGREE_LAT * Math.cos((a[0] * Math.PI) / 180);
  return Math.hypot(dLat, dLng) * 1000;
}

export function placeHotspots(city: City, count: number, seed = "hexcover"): Array<[number, number]> {
  const random = seededRandom(seedFromText(`${city.name}/${seed}`));
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const sites: Array<[number, number]> = [];
  const kmPerDegreeLng = KM_PER_DEGREE_LAT * Math.cos((city.centre[0] * Math.PI) / 180);
  for (let i = 0; i < count; i++) {
    for (let attempt = 0; attempt < MAX_ATTEMPTS_PER_SITE; attempt++) {
      let north: number;
      let east: number;
      let base: readonly [number, number];
      if (random() < CLUSTERED_SHARE) {
        base = city.neighbourhoods[Math.floor(random() * city.neighbourhoods.length)]!;
        north = gaussian() * NEIGHBOURHOOD_SIGMA_KM;
        east = gaussian() * NEIGHBOURHOOD_SIGMA_KM;
      } else {
        base = city.centre;
        const r = city.radiusKm * Math.sqrt(random());
        const theta = 2 * Math.PI * random();
        north = r * Math.cos(theta);
        east = r * Math.sin(theta);
      }
      const site: [number, number] = [
        Number((base[0] + north / KM_PER_DEGREE_LAT).toFixed(6)),
        Number((base[1] + east / kmPerDegreeLng).toFixed(6)),
      ];
      if (distanceM(site, city.centre) > city.radiusKm * 1500) continue;
      if (sites.every((other) => distanceM(site, other) >= MIN_SPACING_M)) {
        sites.push(site);
        break;
      }
    }
  }
  if (sites.length < count) throw new Error(`could only place ${sites.length} of ${count} hotspots ${MIN_SPACING_M} m apart in ${city.label}`);
  return sites;
}
